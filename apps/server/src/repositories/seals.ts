// Units' seals (公章): one PNG per unit, drawn in the seal area of every proof the unit issues.
import type { DB } from '../db/connect.ts';

export async function saveSeal(db: DB, input: { organisationId: string; png: Uint8Array; by: string; at: Date }): Promise<void> {
  const row = { organisation_id: input.organisationId, png: input.png, uploaded_by: input.by, uploaded_at: input.at.toISOString() };
  await db
    .insertInto('unit_seals')
    .values(row)
    .onConflict((oc) => oc.column('organisation_id').doUpdateSet({ png: row.png, uploaded_by: row.uploaded_by, uploaded_at: row.uploaded_at }))
    .execute();
}

/** The seals of the units given, by unit; a unit without one is absent. */
export async function sealsOf(db: DB, organisationIds: readonly string[]): Promise<Map<string, Buffer>> {
  if (organisationIds.length === 0) return new Map();
  const rows = await db
    .selectFrom('unit_seals')
    .select(['organisation_id', 'png'])
    .where('organisation_id', 'in', [...new Set(organisationIds)])
    .execute();
  return new Map(rows.map((r) => [r.organisation_id, Buffer.from(r.png)]));
}

export async function sealOf(db: DB, organisationId: string) {
  return (await db.selectFrom('unit_seals').select(['png', 'uploaded_at']).where('organisation_id', '=', organisationId).executeTakeFirst()) ?? null;
}
