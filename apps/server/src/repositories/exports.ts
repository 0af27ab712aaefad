// The reads behind the exports (导出): people of a scope a page at a time, by keyset on an index,
// so that an export of a whole province (200 000 people) never holds more than one page in memory
// and never holds the database connection between pages (other requests go on meanwhile).
import { sql } from 'kysely';
import type { DB } from '../db/connect.ts';
import { inSubtree } from './organisations.ts';

/** People a page at a time: enough for one query per page to be cheap, few enough to keep memory flat. */
export const PAGE_SIZE = 1000;

export interface ExportPerson {
  id: string;
  name: string;
  gender: 'male' | 'female';
  id_number_enc: string;
  id_number_masked: string;
  phone: string | null;
  institution_id: string;
  unit: string;
  department_id: string | null;
  department: string | null;
  title: string | null;
  /** The title the unit employs the person at now (聘任职称), where one is recorded. */
  employed_title: string | null;
  degree: string | null;
  category: string | null;
  cme_number: string | null;
  created_at: string;
}

/** People with their unit, department and employed title, as every person export reads them. */
function exportPersons(db: DB) {
  return db
    .selectFrom('persons as p')
    .innerJoin('organisations as u', 'u.id', 'p.institution_id')
    .leftJoin('organisations as d', 'd.id', 'p.department_id')
    .select([
      'p.id',
      'p.name',
      'p.gender',
      'p.id_number_enc',
      'p.id_number_masked',
      'p.phone',
      'p.institution_id',
      'u.name as unit',
      'p.department_id',
      'd.name as department',
      'p.title',
      'p.degree',
      'p.category',
      'p.cme_number',
      'p.created_at',
    ])
    .select(
      sql<
        string | null
      >`(select t.title from title_history t where t.person_id = p.id and t.kind = 'employed' and t.to_date is null order by t.from_date desc limit 1)`.as(
        'employed_title',
      ),
    );
}

/**
 * The people of an organisation's subtree (a department's, a unit's, a city's or a province's),
 * unit by unit, each unit in name order, a page at a time. `approvedOnly`: the staff (a registrant
 * still waiting for review is not yet the unit's); otherwise everyone the ledger may name.
 */
export async function* personPages(db: DB, scope: { organisationId: string; approvedOnly: boolean }): AsyncGenerator<ExportPerson[]> {
  const root = await db.selectFrom('organisations').select('kind').where('id', '=', scope.organisationId).executeTakeFirst();
  if (!root) return;
  // A department is read by its own index; anything above by each unit's, in the order of the units' names.
  const column = root.kind === 'department' ? 'department_id' : 'institution_id';
  const groups = await db
    .selectFrom('organisations')
    .select('id')
    .where('kind', '=', root.kind === 'department' ? 'department' : 'institution')
    .where('id', 'in', inSubtree(scope.organisationId))
    .orderBy('name')
    .orderBy('id')
    .execute();
  for (const group of groups) {
    let after: { name: string; id: string } | null = null;
    for (;;) {
      const page: ExportPerson[] = await exportPersons(db)
        .where(`p.${column}`, '=', group.id)
        .$if(scope.approvedOnly, (q) => q.where('p.registration_status', '=', 'approved'))
        .$if(after !== null, (q) => q.where(sql<boolean>`(p.name, p.id) > (${after!.name}, ${after!.id})`))
        .orderBy('p.name')
        .orderBy('p.id')
        .limit(PAGE_SIZE)
        .execute();
      if (page.length === 0) break;
      yield page;
      if (page.length < PAGE_SIZE) break;
      const last = page[page.length - 1]!;
      after = { name: last.name, id: last.id };
    }
  }
}

/** One person as a page of one (a person's own credit summary); none when there is no such person. */
export async function* personPage(db: DB, personId: string): AsyncGenerator<ExportPerson[]> {
  const found = await exportPersons(db).where('p.id', '=', personId).execute();
  if (found.length) yield found;
}

/**
 * The ledger entries of some people, each person's in the order they were approved, people in the
 * order given: of one CME year, or approved within [from, to) (instants).
 */
export async function entriesOfPersons(db: DB, personIds: readonly string[], when: { cmeYear: number } | { from: string; to: string }) {
  if (personIds.length === 0) return [];
  const rows = await db
    .selectFrom('ledger_entries')
    .select(['id', 'person_id', 'cme_year', 'credit_class', 'level', 'credits', 'source_kind', 'source_label', 'reverses_id', 'approved_at'])
    .where('person_id', 'in', personIds)
    .$if('cmeYear' in when, (q) => q.where('cme_year', '=', (when as { cmeYear: number }).cmeYear))
    .$if('from' in when, (q) => q.where('approved_at', '>=', (when as { from: string }).from).where('approved_at', '<', (when as { to: string }).to))
    .orderBy('approved_at')
    .orderBy('id')
    .execute();
  const order = new Map(personIds.map((id, i) => [id, i]));
  return rows.sort((a, b) => order.get(a.person_id)! - order.get(b.person_id)!);
}

export interface ExportAttendee {
  id: string;
  name: string;
  gender: 'male' | 'female';
  id_number_enc: string;
  id_number_masked: string;
  phone: string | null;
  institution_id: string;
  unit: string;
  department_id: string | null;
  department: string | null;
  title: string | null;
  cme_number: string | null;
  first_session: string;
  credits: number | null;
}

/**
 * The people who came to any session of a project (学员: present at least once), with the first
 * session they came to and the credits the project awarded them, by person id a page at a time.
 */
export async function* attendeePages(db: DB, projectId: string): AsyncGenerator<ExportAttendee[]> {
  let after: string | null = null;
  for (;;) {
    const page: ExportAttendee[] = await db
      .selectFrom('attendance as a')
      .innerJoin('sessions as s', 's.id', 'a.session_id')
      .innerJoin('persons as p', 'p.id', 'a.person_id')
      .innerJoin('organisations as u', 'u.id', 'p.institution_id')
      .leftJoin('organisations as d', 'd.id', 'p.department_id')
      .select(['p.id', 'p.name', 'p.gender', 'p.id_number_enc', 'p.id_number_masked', 'p.phone', 'p.institution_id', 'u.name as unit', 'd.name as department'])
      .select(['p.department_id', 'p.title', 'p.cme_number'])
      .select((eb) => eb.fn.min('s.starts_at').as('first_session'))
      .select(sql<number | null>`(select sum(c.credits) from credit_awards c where c.project_id = ${projectId} and c.person_id = p.id)`.as('credits'))
      .where('s.project_id', '=', projectId)
      .where('a.status', '!=', 'absent')
      .$if(after !== null, (q) => q.where('p.id', '>', after!))
      .groupBy([
        'p.id',
        'p.name',
        'p.gender',
        'p.id_number_enc',
        'p.id_number_masked',
        'p.phone',
        'p.institution_id',
        'u.name',
        'd.name',
        'p.department_id',
        'p.title',
        'p.cme_number',
      ])
      .orderBy('p.id')
      .limit(PAGE_SIZE)
      .execute();
    if (page.length === 0) return;
    yield page;
    if (page.length < PAGE_SIZE) return;
    after = page[page.length - 1]!.id;
  }
}

/** The units in an organisation's subtree (itself, if it is one), in name order. */
export function unitsWithin(db: DB, organisationId: string) {
  return db
    .selectFrom('organisations')
    .select(['id', 'name'])
    .where('kind', '=', 'institution')
    .where('id', 'in', inSubtree(organisationId))
    .orderBy('name')
    .orderBy('id')
    .execute();
}

/** The stored ID numbers of some people (sealed), for the exports that read results by person. */
export async function sealedIdNumbers(db: DB, personIds: readonly string[]) {
  if (personIds.length === 0) return [];
  return db.selectFrom('persons').select(['id', 'id_number_enc', 'institution_id']).where('id', 'in', personIds).execute();
}

/** A project's number and name, for the file's name and title. */
export function projectTitle(db: DB, projectId: string) {
  return db.selectFrom('projects').select(['number', 'name', 'organiser_id']).where('id', '=', projectId).executeTakeFirst();
}

/** The unit a person belongs to, if there is such a person. */
export async function unitOfPerson(db: DB, personId: string): Promise<string | null> {
  return (await db.selectFrom('persons').select('institution_id').where('id', '=', personId).executeTakeFirst())?.institution_id ?? null;
}
