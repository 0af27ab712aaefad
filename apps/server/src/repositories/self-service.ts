// What a staff member reads about herself on her own pages (/me): her record, her attendance,
// the attendance entries of her ledger a certificate can be printed for.
import type { DB } from '../db/connect.ts';

/** Her record as she sees it: the ID number masked, her unit and department by name. */
export function profileOf(db: DB, personId: string) {
  return db
    .selectFrom('persons')
    .innerJoin('organisations as unit', 'unit.id', 'persons.institution_id')
    .leftJoin('organisations as dept', 'dept.id', 'persons.department_id')
    .select([
      'persons.id',
      'persons.name',
      'persons.cme_number as cmeNumber',
      'persons.id_number_masked as maskedIdNumber',
      'persons.title',
      'persons.institution_id as institutionId',
      'unit.name as unit',
      'dept.name as department',
    ])
    .where('persons.id', '=', personId)
    .executeTakeFirstOrThrow();
}

/** Every session she was recorded at, latest first, with its project. */
export function attendanceOfPerson(db: DB, personId: string, limit: number) {
  return db
    .selectFrom('attendance')
    .innerJoin('sessions', 'sessions.id', 'attendance.session_id')
    .innerJoin('projects', 'projects.id', 'sessions.project_id')
    .select([
      'sessions.id as sessionId',
      'sessions.title as session',
      'sessions.venue',
      'sessions.starts_at as startsAt',
      'projects.name as project',
      'projects.credits',
      'attendance.sign_in_at as signInAt',
      'attendance.sign_out_at as signOutAt',
      'attendance.corrected_sign_in_at as correctedSignInAt',
      'attendance.corrected_sign_out_at as correctedSignOutAt',
      'attendance.status',
    ])
    .where('attendance.person_id', '=', personId)
    .orderBy('sessions.starts_at', 'desc')
    .limit(limit)
    .execute();
}

/** Her attendance entries (credits of courses attended) in the ledger: each may have a certificate. */
export function attendanceEntriesOfPerson(db: DB, personId: string, limit: number) {
  return db
    .selectFrom('ledger_entries')
    .select(['id', 'cme_year as cmeYear', 'credit_class as creditClass', 'credits', 'source_label as label', 'approved_at as approvedAt'])
    .where('person_id', '=', personId)
    .where('source_kind', '=', 'attendance')
    .where((eb) =>
      eb.not(eb.exists(eb.selectFrom('ledger_entries as reversal').select('reversal.id').whereRef('reversal.reverses_id', '=', 'ledger_entries.id'))),
    )
    .orderBy('approved_at', 'desc')
    .limit(limit)
    .execute();
}

/** The person a ledger entry belongs to. */
export async function personOfLedgerEntry(db: DB, ledgerEntryId: string): Promise<string | null> {
  const row = await db.selectFrom('ledger_entries').select('person_id').where('id', '=', ledgerEntryId).executeTakeFirst();
  return row?.person_id ?? null;
}
