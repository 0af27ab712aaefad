// The statistics a province office prints (统计报表): the units of a part of the tree with the city
// each lies in, and the projects each held in a year. The people and their credits come from the
// standings (standing.ts), so the report counts as the compliance pages do.
import type { DB } from '../db/connect.ts';
import { inSubtree } from './organisations.ts';

/** The institutions within an organisation's subtree, each with its city (none for a province-direct unit, 省直). */
export async function unitsWithCities(db: DB, rootId: string) {
  const rows = await db
    .selectFrom('organisations as unit')
    .leftJoin('organisations as parent', 'parent.id', 'unit.parent_id')
    .select(['unit.id', 'unit.name', 'parent.id as parentId', 'parent.kind as parentKind', 'parent.name as parentName'])
    .where('unit.kind', '=', 'institution')
    .where('unit.id', 'in', inSubtree(rootId))
    .orderBy('unit.name')
    .orderBy('unit.id')
    .execute();
  return rows.map((r) => ({
    id: r.id,
    name: r.name,
    cityId: r.parentKind === 'city' ? r.parentId : null,
    cityName: r.parentKind === 'city' ? r.parentName : null,
  }));
}

export async function organisationKind(db: DB, organisationId: string) {
  return (await db.selectFrom('organisations').select('kind').where('id', '=', organisationId).executeTakeFirst())?.kind ?? null;
}

/**
 * How many projects each organiser within the subtree held between two China dates (inclusive):
 * approved ones and those further on, by their start; not a draft, one refused or one cancelled.
 */
export async function projectsHeldBy(db: DB, rootId: string, from: string, to: string): Promise<Map<string, number>> {
  const rows = await db
    .selectFrom('projects')
    .select(['organiser_id', db.fn.countAll<number | string>().as('held')])
    .where('organiser_id', 'in', inSubtree(rootId))
    .where('status', 'in', ['approved', 'reported', 'credits-submitted', 'credits-approved'])
    .where('starts_on', '>=', from)
    .where('starts_on', '<=', to)
    .groupBy('organiser_id')
    .execute();
  return new Map(rows.map((r) => [r.organiser_id, Number(r.held)]));
}
