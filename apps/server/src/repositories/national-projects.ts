// The national project list's SQL (国家级继续医学教育项目, imported by a province office): the
// projects a list names by number, the province's units by name, and an imported project's fields.
import type { Updateable } from 'kysely';
import type { DB } from '../db/connect.ts';
import type { ProjectTable } from '../db/schema.ts';
import { inSubtree } from './organisations.ts';

/** The projects with these numbers (项目编号), whatever their level. */
export async function projectsByNumbers(db: DB, numbers: readonly string[]) {
  if (numbers.length === 0) return [];
  return db
    .selectFrom('projects')
    .select(['id', 'number', 'name', 'level', 'organiser_id', 'venue', 'starts_on', 'ends_on', 'credits', 'leader', 'planned_attendees', 'status'])
    .where('number', 'in', numbers)
    .execute();
}

/** The verified units (医疗机构) of a province, by name: who may organise a national project held there. */
export async function unitsOfProvince(db: DB, provinceId: string) {
  return db
    .selectFrom('organisations')
    .select(['id', 'name'])
    .where('kind', '=', 'institution')
    .where('status', '=', 'verified')
    .where('id', 'in', inSubtree(provinceId))
    .execute();
}

export type ImportedProjectFields = Pick<Updateable<ProjectTable>, 'name' | 'leader' | 'organiser_id' | 'venue' | 'credits' | 'planned_attendees'>;

export async function setProjectFields(db: DB, projectId: string, fields: ImportedProjectFields): Promise<void> {
  await db.updateTable('projects').set(fields).where('id', '=', projectId).execute();
}
