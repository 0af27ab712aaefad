// The ledger against a real SQLite file: entries go in once, never change, and are undone only
// by a reversing entry.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { appendLedgerEntries, reverseLedgerEntry, totalsFromLedger } from '../src/repositories/ledger.ts';
import { startServer, type TestServer } from './harness.ts';

let server: TestServer;
beforeAll(async () => {
  server = await startServer();
});
afterAll(() => server.close());

it('appends once per source, refuses updates and deletes, and reverses with a negative entry', async () => {
  const { db } = server;
  const person = await db.selectFrom('persons').select('id').executeTakeFirstOrThrow();
  const entry = {
    personId: person.id,
    cmeYear: 2026,
    creditClass: 'I' as const,
    level: 'provincial' as const,
    credits: 2,
    sourceKind: 'attendance' as const,
    sourceId: 'course-1',
    sourceLabel: '心血管病新进展 · 上午',
    approvedBy: null,
    at: server.clock.now,
  };
  const [id] = await appendLedgerEntries(db, [entry]);
  expect(id).toBeTruthy();
  expect(await appendLedgerEntries(db, [entry])).toEqual([]);

  await expect(db.updateTable('ledger_entries').set({ credits: 20 }).where('id', '=', id!).execute()).rejects.toThrow(/append-only/);
  await expect(db.deleteFrom('ledger_entries').where('id', '=', id!).execute()).rejects.toThrow(/append-only/);

  const reversal = await reverseLedgerEntry(db, { entryId: id!, reason: '代刷', approvedBy: 'u1', at: server.clock.now });
  expect(await reverseLedgerEntry(db, { entryId: id!, reason: '代刷', approvedBy: 'u1', at: server.clock.now })).toBe(reversal);
  const rows = await db
    .selectFrom('ledger_entries')
    .select(['credits', 'source_kind', 'reverses_id'])
    .where((eb) => eb.or([eb('id', '=', id!), eb('reverses_id', '=', id!)]))
    .orderBy('created_at')
    .orderBy('id')
    .execute();
  expect(rows.map((r) => r.credits).reduce((a, b) => a + b, 0)).toBe(0);
  expect(rows.find((r) => r.source_kind === 'reversal')?.reverses_id).toBe(id);
});

it('keeps each person’s yearly totals equal to a full recomputation from the ledger, through any mix of appends and reversals', async () => {
  const { db } = server;
  const persons = (await db.selectFrom('persons').select('id').limit(6).execute()).map((p) => p.id);
  let seed = 11;
  const random = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
  const pick = <T>(items: readonly T[]) => items[Math.floor(random() * items.length)]!;
  const written: string[] = [];
  for (let n = 0; n < 120; n++) {
    if (written.length > 0 && random() < 0.3) {
      // Reversing the same entry twice reverses it once.
      await reverseLedgerEntry(db, { entryId: pick(written), reason: '核查', approvedBy: 'admin', at: server.clock.now });
      continue;
    }
    const creditClass = pick(['I', 'II'] as const);
    const batch = Array.from({ length: 1 + Math.floor(random() * 3) }, (_, i) => ({
      personId: pick(persons),
      cmeYear: pick([2025, 2026, 2027]),
      creditClass,
      level: creditClass === 'I' ? pick(['national', 'provincial'] as const) : null,
      credits: pick([0.5, 1, 2, 3]),
      sourceKind: 'import' as const,
      // A source given twice is appended once: the totals must not count the second.
      sourceId: `totals-${Math.floor(random() * 90)}-${i}`,
      sourceLabel: '导入',
      approvedBy: null,
      at: server.clock.now,
    }));
    written.push(...(await db.transaction().execute((trx) => appendLedgerEntries(trx, batch))));
  }
  const kept = await db.selectFrom('credit_totals').selectAll().orderBy('person_id').orderBy('cme_year').execute();
  const recomputed = (await totalsFromLedger().execute(db)).rows.sort((a, b) => a.person_id.localeCompare(b.person_id) || a.cme_year - b.cme_year);
  expect(kept.length).toBeGreaterThan(6);
  expect(kept).toEqual(recomputed);
});
