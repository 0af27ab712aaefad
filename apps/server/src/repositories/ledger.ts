// The credit ledger (学分账本): the only way credits enter the system. Append-only; beside it,
// each person's totals per CME year (credit_totals), kept in the same transaction as every entry,
// so that compliance (达标率) of a province reads one row a person instead of all her entries.
import { newId } from '@opencme/core';
import { sql } from 'kysely';
import type { DB } from '../db/connect.ts';
import type { LedgerEntryTable } from '../db/schema.ts';

export interface NewLedgerEntry {
  personId: string;
  cmeYear: number;
  creditClass: LedgerEntryTable['credit_class'];
  level: LedgerEntryTable['level'];
  credits: number;
  sourceKind: Exclude<LedgerEntryTable['source_kind'], 'reversal'>;
  sourceId: string;
  sourceLabel: string;
  approvedBy: string | null;
  at: Date;
}

/**
 * Appends entries; an entry whose (person, source) is already in the ledger is skipped, so that
 * approving the same credits twice grants them once, and so is one for a person's year that was
 * voided for cheating (作废年度学分): no credits enter it while the void stands. Returns the ids
 * of the entries written.
 */
export async function appendLedgerEntries(db: DB, entries: readonly NewLedgerEntry[]): Promise<string[]> {
  const written: string[] = [];
  const voided = await voidedAmong(db, entries);
  for (const e of entries) {
    if (voided.has(`${e.personId}|${e.cmeYear}`)) continue;
    const id = newId();
    const res = await db
      .insertInto('ledger_entries')
      .values({
        id,
        person_id: e.personId,
        cme_year: e.cmeYear,
        credit_class: e.creditClass,
        level: e.level,
        credits: e.credits,
        source_kind: e.sourceKind,
        source_id: e.sourceId,
        source_label: e.sourceLabel,
        reverses_id: null,
        approved_by: e.approvedBy,
        approved_at: e.at.toISOString(),
        created_at: e.at.toISOString(),
      })
      .onConflict((oc) => oc.columns(['person_id', 'source_kind', 'source_id']).doNothing())
      .executeTakeFirst();
    if (Number(res.numInsertedOrUpdatedRows ?? 0) === 0) continue;
    written.push(id);
    await addToTotals(db, { ...e, months: e.sourceKind === 'claim' ? await furtherStudyMonths(db, e.sourceId) : 0 });
  }
  return written;
}

/** The months of a further-study claim (进修), which count towards a standing beside credits; 0 for any other claim. */
async function furtherStudyMonths(db: DB, claimId: string): Promise<number> {
  const claim = await db.selectFrom('claims').select('months').where('id', '=', claimId).where('activity', '=', 'further-study').executeTakeFirst();
  return claim?.months ?? 0;
}

/**
 * Adds one entry to its person's totals of its year. Called in the transaction that appends the
 * entry (every writer of the ledger goes through this file): the totals never disagree with it.
 */
async function addToTotals(
  db: DB,
  e: { personId: string; cmeYear: number; creditClass: string; level: string | null; credits: number; months: number },
): Promise<void> {
  const row = {
    person_id: e.personId,
    cme_year: e.cmeYear,
    class_i: e.creditClass === 'I' ? e.credits : 0,
    class_ii: e.creditClass === 'II' ? e.credits : 0,
    national: e.creditClass === 'I' && e.level === 'national' ? e.credits : 0,
    months: e.months,
  };
  await db
    .insertInto('credit_totals')
    .values(row)
    .onConflict((oc) =>
      oc.columns(['person_id', 'cme_year']).doUpdateSet((eb) => ({
        class_i: eb('credit_totals.class_i', '+', eb.ref('excluded.class_i')),
        class_ii: eb('credit_totals.class_ii', '+', eb.ref('excluded.class_ii')),
        national: eb('credit_totals.national', '+', eb.ref('excluded.national')),
        months: eb('credit_totals.months', '+', eb.ref('excluded.months')),
      })),
    )
    .execute();
}

/**
 * The totals as the ledger gives them, summed from every entry: what credit_totals must always
 * equal. A reversal is a negative entry, so sums cancel it; the months of a further-study claim
 * are subtracted when its entry is reversed.
 */
export function totalsFromLedger() {
  return sql<{ person_id: string; cme_year: number; class_i: number; class_ii: number; national: number; months: number }>`
    select e.person_id, e.cme_year,
      sum(case when e.credit_class = 'I' then e.credits else 0 end) as class_i,
      sum(case when e.credit_class = 'II' then e.credits else 0 end) as class_ii,
      sum(case when e.credit_class = 'I' and e.level = 'national' then e.credits else 0 end) as national,
      sum(coalesce(c.months, rc.months, 0) * (case when e.source_kind = 'reversal' then -1 else 1 end)) as months
    from ledger_entries e
    left join claims c on e.source_kind = 'claim' and c.id = e.source_id and c.activity = 'further-study'
    left join ledger_entries o on e.source_kind = 'reversal' and o.id = e.reverses_id and o.source_kind = 'claim'
    left join claims rc on rc.id = o.source_id and rc.activity = 'further-study'
    group by e.person_id, e.cme_year`;
}

/** Rebuilds every total from the ledger: for data that reached the ledger around this file (a bulk load). */
export async function rebuildCreditTotals(db: DB): Promise<void> {
  await db.deleteFrom('credit_totals').execute();
  await sql`insert into credit_totals (person_id, cme_year, class_i, class_ii, national, months) ${totalsFromLedger()}`.execute(db);
}

/** The person-years among the entries' that were voided, as `person|year`. */
async function voidedAmong(db: DB, entries: readonly NewLedgerEntry[]): Promise<Set<string>> {
  const personIds = [...new Set(entries.map((e) => e.personId))];
  const found = new Set<string>();
  // SQLite caps the number of bound values in one statement: ask in slices.
  for (let i = 0; i < personIds.length; i += 500) {
    const rows = await db
      .selectFrom('voided_years')
      .select(['person_id', 'cme_year'])
      .where('person_id', 'in', personIds.slice(i, i + 500))
      .execute();
    for (const r of rows) found.add(`${r.person_id}|${r.cme_year}`);
  }
  return found;
}

/** One entry with the person it is for and whether it was already reversed; `null` when there is none. */
export async function ledgerEntryWithState(db: DB, entryId: string) {
  const row = await db
    .selectFrom('ledger_entries as e')
    .innerJoin('persons', 'persons.id', 'e.person_id')
    .select(['e.id', 'e.person_id', 'e.cme_year', 'e.credits', 'e.credit_class', 'e.source_kind', 'e.source_label', 'persons.institution_id'])
    .select((eb) => eb.exists(eb.selectFrom('ledger_entries as r').select('r.id').whereRef('r.reverses_id', '=', 'e.id')).as('reversed'))
    .where('e.id', '=', entryId)
    .executeTakeFirst();
  return row ? { ...row, reversed: Boolean(row.reversed) } : null;
}

/** A person's entries of a CME year that still count: neither reversals nor reversed. */
export async function liveEntriesOfYear(db: DB, personId: string, cmeYear: number): Promise<string[]> {
  const rows = await db
    .selectFrom('ledger_entries as e')
    .select('e.id')
    .where('e.person_id', '=', personId)
    .where('e.cme_year', '=', cmeYear)
    .where('e.source_kind', '!=', 'reversal')
    .where((eb) => eb.not(eb.exists(eb.selectFrom('ledger_entries as r').select('r.id').whereRef('r.reverses_id', '=', 'e.id'))))
    .orderBy('e.approved_at')
    .orderBy('e.id')
    .execute();
  return rows.map((r) => r.id);
}

/** Undoes an entry with a reversing one (once); returns the reversal's id. */
export async function reverseLedgerEntry(db: DB, input: { entryId: string; reason: string; approvedBy: string; at: Date }): Promise<string> {
  const original = await db.selectFrom('ledger_entries').selectAll().where('id', '=', input.entryId).executeTakeFirstOrThrow();
  if (original.source_kind === 'reversal') throw new Error('a reversal cannot itself be reversed; append a new entry instead');
  const existing = await db.selectFrom('ledger_entries').select('id').where('reverses_id', '=', input.entryId).executeTakeFirst();
  if (existing) return existing.id;
  const id = newId();
  await db
    .insertInto('ledger_entries')
    .values({
      ...original,
      id,
      credits: -original.credits,
      source_kind: 'reversal',
      source_id: original.id,
      source_label: `冲销：${original.source_label}（${input.reason}）`,
      reverses_id: original.id,
      approved_by: input.approvedBy,
      approved_at: input.at.toISOString(),
      created_at: input.at.toISOString(),
    })
    .execute();
  const months = original.source_kind === 'claim' ? await furtherStudyMonths(db, original.source_id) : 0;
  await addToTotals(db, {
    personId: original.person_id,
    cmeYear: original.cme_year,
    creditClass: original.credit_class,
    level: original.level,
    credits: -original.credits,
    months: -months,
  });
  return id;
}

/** The entry, not yet reversed, that granted a person a course's credits for attending it. */
export async function unreversedAttendanceEntry(db: DB, personId: string, courseId: string): Promise<string | null> {
  const row = await db
    .selectFrom('ledger_entries as e')
    .select('e.id')
    .where('e.person_id', '=', personId)
    .where('e.source_kind', '=', 'attendance')
    .where('e.source_id', '=', courseId)
    .where((eb) => eb.not(eb.exists(eb.selectFrom('ledger_entries as r').select('r.id').whereRef('r.reverses_id', '=', 'e.id'))))
    .executeTakeFirst();
  return row?.id ?? null;
}

/** A person's entries of a CME year in the order they were approved: what a standing is summed from. */
export function entriesOfPerson(db: DB, personId: string, cmeYear: number) {
  return db
    .selectFrom('ledger_entries')
    .select(['id', 'credit_class', 'level', 'credits', 'source_kind', 'source_label', 'reverses_id', 'approved_at'])
    .where('person_id', '=', personId)
    .where('cme_year', '=', cmeYear)
    .orderBy('approved_at')
    .orderBy('id')
    .execute();
}

/** The CME years a person has entries in, latest first. */
export async function yearsOfPerson(db: DB, personId: string, limit: number): Promise<number[]> {
  const rows = await db
    .selectFrom('ledger_entries')
    .select('cme_year')
    .distinct()
    .where('person_id', '=', personId)
    .orderBy('cme_year', 'desc')
    .limit(limit)
    .execute();
  return rows.map((r) => r.cme_year);
}
