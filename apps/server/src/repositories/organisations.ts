import { sql } from 'kysely';
import type { DB } from '../db/connect.ts';
import type { OrganisationTable } from '../db/schema.ts';

/** The organisation and everything below it in the tree (a unit and its departments, a city and its units…). */
export async function subtreeIds(db: DB, rootId: string): Promise<string[]> {
  const rows = await sql<{ id: string }>`
    with recursive subtree(id) as (
      select id from organisations where id = ${rootId}
      union all
      select o.id from organisations o join subtree s on o.parent_id = s.id
    )
    select id from subtree`.execute(db);
  return rows.rows.map((r) => r.id);
}

/** The nearest organisation of a kind at or above `organisationId` (the unit of a department, the province of a unit). */
export async function enclosing(db: DB, organisationId: string, kind: OrganisationTable['kind']) {
  let current = await db.selectFrom('organisations').selectAll().where('id', '=', organisationId).executeTakeFirst();
  while (current && current.kind !== kind && current.parent_id) {
    current = await db.selectFrom('organisations').selectAll().where('id', '=', current.parent_id).executeTakeFirst();
  }
  return current?.kind === kind ? current : null;
}
