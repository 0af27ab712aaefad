// The SQL of credits imported from elsewhere (外部学分: 远程教育 platforms, the 中医药 platform,
// national projects out of the province): the ledger entries a certificate number already made,
// and whether a unit's verification has frozen a year's results.
import { sql } from 'kysely';
import type { DB } from '../db/connect.ts';

/**
 * The imported entries made under these certificate numbers (source id `<number>`, or `<number>~n`
 * after an undone import), each with whether a reversal has taken it back.
 */
export async function entriesOfCertificates(db: DB, certificates: readonly string[]) {
  const rows = [];
  // Few at a time: each number is two terms of one `or`, and SQLite limits how deep an expression goes.
  for (let i = 0; i < certificates.length; i += 100) {
    const part = certificates.slice(i, i + 100);
    rows.push(
      ...(await db
        .selectFrom('ledger_entries as e')
        .select(['e.id', 'e.person_id', 'e.source_id'])
        .select(sql<number>`exists (select 1 from ledger_entries r where r.reverses_id = e.id)`.as('reversed'))
        .where('e.source_kind', '=', 'import')
        // A certificate number holds no `%`, `_` or `~` (its parser sees to it), so LIKE needs no escaping.
        .where((eb) => eb.or([eb('e.source_id', 'in', part), ...part.map((c) => eb('e.source_id', 'like', `${c}~%`))]))
        .execute()),
    );
  }
  return rows.map((r) => ({ ...r, certificate: r.source_id.replace(/~\d+$/, ''), reversed: Boolean(r.reversed) }));
}

/** Whether a unit's verification for one of these CME years has gone up (submitted, forwarded or accepted): its results are frozen. */
export async function verificationFrozen(db: DB, unitId: string, cmeYears: readonly number[]): Promise<boolean> {
  if (cmeYears.length === 0) return false;
  const found = await db
    .selectFrom('verification_runs')
    .select('id')
    .where('organisation_id', '=', unitId)
    .where('cme_year', 'in', cmeYears)
    .where('status', 'in', ['submitted', 'forwarded', 'accepted'])
    .executeTakeFirst();
  return found !== undefined;
}

/** The year and person of ledger entries, for an undo's checks. */
export function entriesByIds(db: DB, ids: readonly string[]) {
  if (ids.length === 0) return Promise.resolve([]);
  return db.selectFrom('ledger_entries').select(['id', 'person_id', 'cme_year']).where('id', 'in', ids).execute();
}
