// The credit ledger (学分账本): the only way credits enter the system. Append-only; a person's
// standing is computed from it, never stored beside it.
import { newId } from '@opencme/core';
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
    if (Number(res.numInsertedOrUpdatedRows ?? 0) > 0) written.push(id);
  }
  return written;
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
