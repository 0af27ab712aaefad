// Sanctions the seeds name (处理): a person's CME year voided for cheating (作废年度学分, e.g.
// 代刷 or 弄虚作假), and an organiser barred from declaring projects (取消办班资格) for a while.
import { newId } from '@opencme/core';
import type { DB } from '../db/connect.ts';
import { inSubtree } from './organisations.ts';

export function voidedYearOf(db: DB, personId: string, cmeYear: number) {
  return db
    .selectFrom('voided_years')
    .select(['id', 'reason', 'voided_at'])
    .where('person_id', '=', personId)
    .where('cme_year', '=', cmeYear)
    .executeTakeFirst();
}

/** Records a void; `false` when the year was already voided. */
export async function recordVoidedYear(db: DB, input: { personId: string; cmeYear: number; reason: string; by: string; at: Date }): Promise<boolean> {
  const res = await db
    .insertInto('voided_years')
    .values({ id: newId(), person_id: input.personId, cme_year: input.cmeYear, reason: input.reason, voided_by: input.by, voided_at: input.at.toISOString() })
    .onConflict((oc) => oc.columns(['person_id', 'cme_year']).doNothing())
    .executeTakeFirst();
  return Number(res.numInsertedOrUpdatedRows ?? 0) > 0;
}

/** Revokes the proofs of a person that state a year's credits (they no longer hold); returns their ids. */
export async function revokeProofsCovering(db: DB, input: { personId: string; cmeYear: number; reason: string; by: string; at: Date }): Promise<string[]> {
  const rows = await db
    .selectFrom('proofs')
    .select('id')
    .where('person_id', '=', input.personId)
    .where('from_year', '<=', input.cmeYear)
    .where('to_year', '>=', input.cmeYear)
    .where('revoked_at', 'is', null)
    .execute();
  if (rows.length === 0) return [];
  await db
    .updateTable('proofs')
    .set({ revoked_at: input.at.toISOString(), revoked_by: input.by, revoke_reason: input.reason })
    .where(
      'id',
      'in',
      rows.map((r) => r.id),
    )
    .execute();
  return rows.map((r) => r.id);
}

export async function recordBar(db: DB, input: { organisationId: string; fromDate: string; untilDate: string; reason: string; by: string; at: Date }) {
  const id = newId();
  await db
    .insertInto('organiser_bars')
    .values({
      id,
      organisation_id: input.organisationId,
      from_date: input.fromDate,
      until_date: input.untilDate,
      reason: input.reason,
      barred_by: input.by,
      barred_at: input.at.toISOString(),
    })
    .execute();
  return id;
}

/** The bar on an organiser in force on a China date that lasts longest, if any. */
export function barInForce(db: DB, organisationId: string, date: string) {
  return db
    .selectFrom('organiser_bars')
    .select(['id', 'from_date', 'until_date', 'reason'])
    .where('organisation_id', '=', organisationId)
    .where('from_date', '<=', date)
    .where('until_date', '>=', date)
    .orderBy('until_date', 'desc')
    .orderBy('id')
    .executeTakeFirst();
}

/** Bars on organisers within a part of the tree that have not ended by `date`, latest ending first. */
export function barsWithin(db: DB, scopeRoot: string, date: string) {
  return db
    .selectFrom('organiser_bars as b')
    .innerJoin('organisations as o', 'o.id', 'b.organisation_id')
    .select(['b.id', 'b.organisation_id', 'o.name as organisation', 'b.from_date', 'b.until_date', 'b.reason', 'b.barred_at'])
    .where('b.until_date', '>=', date)
    .where('b.organisation_id', 'in', inSubtree(scopeRoot))
    .orderBy('b.until_date', 'desc')
    .orderBy('b.id')
    .limit(500)
    .execute();
}
