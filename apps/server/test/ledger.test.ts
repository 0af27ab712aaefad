// The ledger against a real SQLite file: entries go in once, never change, and are undone only
// by a reversing entry.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { appendLedgerEntries, reverseLedgerEntry } from '../src/repositories/ledger.ts';
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
