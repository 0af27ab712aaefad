// What the staff import (exchange/kinds/staff.ts) reads and writes: people by the blind index of
// their ID numbers, the cards and card numbers already taken, and rows written many at a time
// (a unit's 3 000 staff in one transaction).
import type { Insertable, Updateable } from 'kysely';
import type { DB } from '../db/connect.ts';
import type { CredentialTable, PersonTable, TitleHistoryTable } from '../db/schema.ts';

/** SQLite binds at most 32 766 values a statement; 500 rows of up to 30 columns stay well below. */
const CHUNK = 500;
const chunks = <T>(items: readonly T[]) => Array.from({ length: Math.ceil(items.length / CHUNK) }, (_, i) => items.slice(i * CHUNK, (i + 1) * CHUNK));

/** The people with these ID numbers (by blind index), with their unit's name and current titles' dates. */
export async function personsByIdNumberIndexes(db: DB, indexes: readonly string[]) {
  const rows = [];
  for (const part of chunks(indexes)) {
    rows.push(
      ...(await db
        .selectFrom('persons')
        .innerJoin('organisations as unit', 'unit.id', 'persons.institution_id')
        .leftJoin('title_history as held', (join) =>
          join.onRef('held.person_id', '=', 'persons.id').on('held.kind', '=', 'held').on('held.to_date', 'is', null),
        )
        .select([
          'persons.id',
          'persons.id_number_index',
          'persons.name',
          'persons.gender',
          'persons.phone',
          'persons.institution_id',
          'persons.department_id',
          'persons.title',
          'persons.category',
          'persons.degree',
          'persons.cme_number',
          'persons.registration_status',
          'persons.employed_title',
          'persons.employed_title_since',
          'unit.name as unit',
          'held.from_date as title_since',
        ])
        .where('persons.id_number_index', 'in', part)
        .execute()),
    );
  }
  return rows;
}

/** Who holds each of these CME card numbers. */
export async function holdersOfCmeNumbers(db: DB, numbers: readonly string[]): Promise<Map<string, string>> {
  const found = new Map<string, string>();
  for (const part of chunks(numbers)) {
    for (const r of await db.selectFrom('persons').select(['id', 'cme_number']).where('cme_number', 'in', part).execute()) found.set(r.cme_number!, r.id);
  }
  return found;
}

/** Who holds each of these IC card UIDs (a lost card stays its holder's). */
export async function holdersOfCards(db: DB, uids: readonly string[]): Promise<Map<string, string>> {
  const found = new Map<string, string>();
  for (const part of chunks(uids)) {
    const rows = await db.selectFrom('credentials').select(['person_id', 'value']).where('kind', '=', 'ic-card').where('value', 'in', part).execute();
    for (const r of rows) found.set(r.value, r.person_id);
  }
  return found;
}

export async function insertPersons(db: DB, persons: readonly Insertable<PersonTable>[]): Promise<void> {
  for (const part of chunks(persons)) await db.insertInto('persons').values(part).execute();
}

export async function insertCredentials(db: DB, credentials: readonly Insertable<CredentialTable>[]): Promise<void> {
  for (const part of chunks(credentials)) await db.insertInto('credentials').values(part).execute();
}

export async function insertTitles(db: DB, titles: readonly Insertable<TitleHistoryTable>[]): Promise<void> {
  for (const part of chunks(titles)) await db.insertInto('title_history').values(part).execute();
}

export async function updatePerson(db: DB, personId: string, fields: Updateable<PersonTable>): Promise<void> {
  await db.updateTable('persons').set(fields).where('id', '=', personId).execute();
}

/** The current (open) title of a kind: its row, to end it when a new one starts. */
export function openTitle(db: DB, personId: string, kind: 'held' | 'employed') {
  return db
    .selectFrom('title_history')
    .select(['id', 'from_date'])
    .where('person_id', '=', personId)
    .where('kind', '=', kind)
    .where('to_date', 'is', null)
    .executeTakeFirst();
}

export async function setTitleDates(db: DB, titleId: string, dates: { from_date?: string; to_date?: string | null }): Promise<void> {
  await db.updateTable('title_history').set(dates).where('id', '=', titleId).execute();
}

/**
 * The people among these who have something of their own since they were created: a tap, an
 * attendance, a ledger entry or award, a claim, a proof, an account, a result, a duplicate
 * registration, a card bound later (a credential of another version than the import's). Undoing
 * their import would take it with them.
 */
export async function personsWithDependants(db: DB, personIds: readonly string[], importVersion: number): Promise<{ id: string; name: string }[]> {
  const found = new Set<string>();
  const tables = [
    'taps',
    'attendance',
    'ledger_entries',
    'credit_awards',
    'claims',
    'proofs',
    'staff_accounts',
    'assessment_results',
    'registration_duplicates',
    'verification_results',
  ] as const;
  for (const part of chunks(personIds)) {
    for (const table of tables) {
      // Each of these tables has a person_id; one of them stands for all in the types.
      const rows = await db
        .selectFrom(table as 'attendance')
        .select('person_id')
        .where('person_id', 'in', part)
        .distinct()
        .execute();
      for (const r of rows) if (r.person_id) found.add(r.person_id);
    }
    const cards = await db.selectFrom('credentials').select('person_id').where('person_id', 'in', part).where('version', '!=', importVersion).execute();
    for (const r of cards) found.add(r.person_id);
  }
  if (found.size === 0) return [];
  const ids = [...found];
  const names = await db.selectFrom('persons').select(['id', 'name']).where('id', 'in', ids.slice(0, CHUNK)).orderBy('name').execute();
  return ids.map((id) => ({ id, name: names.find((n) => n.id === id)?.name ?? '' }));
}

/** Removes people an import created, with the credentials and titles it gave them. */
export async function deletePersons(db: DB, personIds: readonly string[]): Promise<void> {
  for (const part of chunks(personIds)) {
    await db.deleteFrom('credentials').where('person_id', 'in', part).execute();
    await db.deleteFrom('title_history').where('person_id', 'in', part).execute();
    await db.deleteFrom('persons').where('id', 'in', part).execute();
  }
}

export async function deleteCredentials(db: DB, credentialIds: readonly string[]): Promise<void> {
  for (const part of chunks(credentialIds)) await db.deleteFrom('credentials').where('id', 'in', part).execute();
}

export async function deleteTitles(db: DB, titleIds: readonly string[]): Promise<void> {
  for (const part of chunks(titleIds)) await db.deleteFrom('title_history').where('id', 'in', part).execute();
}

/** Removes the departments an import created that nobody belongs to (any more). */
export async function deleteEmptyDepartments(db: DB, departmentIds: readonly string[]): Promise<void> {
  for (const id of departmentIds) {
    const used =
      (await db.selectFrom('persons').select('id').where('department_id', '=', id).executeTakeFirst()) ??
      (await db.selectFrom('users').select('id').where('organisation_id', '=', id).executeTakeFirst()) ??
      (await db.selectFrom('organisations').select('id').where('parent_id', '=', id).executeTakeFirst());
    if (!used) await db.deleteFrom('organisations').where('id', '=', id).execute();
  }
}
