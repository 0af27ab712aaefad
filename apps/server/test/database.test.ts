// The database under the server, whichever it is (SQLite by default, PostgreSQL in the suite's
// second run): the health reply names the one it really stands on, and the ledger's append-only
// rule holds in the database itself, for any SQL that reaches it, not only in our code.
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appendLedgerEntries } from '../src/repositories/ledger.ts';
import { addOrganisation } from './fixtures.ts';
import { startServer, type TestServer } from './harness.ts';

let server: TestServer;
let entryId: string;
beforeAll(async () => {
  server = await startServer();
  const person = await server.db.selectFrom('persons').select('id').orderBy('id').executeTakeFirstOrThrow();
  [entryId] = (await appendLedgerEntries(server.db, [
    {
      personId: person.id,
      cmeYear: 2026,
      creditClass: 'I',
      level: 'provincial',
      credits: 1.3,
      sourceKind: 'attendance',
      sourceId: 'course-db',
      sourceLabel: '数据库',
      approvedBy: null,
      at: server.clock.now,
    },
  ])) as [string];
});
afterAll(() => server.close());

/** What the database says it is, asked in its own SQL. */
async function engine(): Promise<string> {
  if (server.dialect === 'sqlite') return `sqlite ${(await sql<{ v: string }>`select sqlite_version() as v`.execute(server.db)).rows[0]!.v}`;
  return (await sql<{ v: string }>`select version() as v`.execute(server.db)).rows[0]!.v;
}

describe('the database', () => {
  it('is named by /api/health as the engine the server really stands on', async () => {
    const res = await fetch(`${server.url}/api/health`);
    const body = (await res.json()) as { database: string };
    expect(body.database).toBe(server.dialect);
    expect(await engine()).toMatch(server.dialect === 'postgres' ? /^PostgreSQL \d+/ : /^sqlite 3\./);
  });

  it('refuses to change or remove a ledger entry, whatever SQL asks', async () => {
    const id = entryId;
    await expect(sql`update ledger_entries set credits = 20 where id = ${id}`.execute(server.db)).rejects.toThrow(/append-only/);
    await expect(sql`delete from ledger_entries where id = ${id}`.execute(server.db)).rejects.toThrow(/append-only/);
    await expect(sql`delete from ledger_entries`.execute(server.db)).rejects.toThrow(/append-only/);
    if (server.dialect === 'postgres') await expect(sql`truncate ledger_entries cascade`.execute(server.db)).rejects.toThrow(/append-only/);
    const row = await server.db.selectFrom('ledger_entries').select('credits').where('id', '=', id).executeTakeFirstOrThrow();
    // And a fraction of a credit reads back exactly as written (not through a 4-byte float).
    expect(row.credits).toBe(1.3);
  });

  it('finds a unit by its name whatever the case of its Latin letters, as SQLite’s LIKE did', async () => {
    const province = await server.db.selectFrom('organisations').select('id').where('kind', '=', 'province').executeTakeFirstOrThrow();
    const unitId = await addOrganisation(server, 'institution', '合肥BOE医院', province.id);
    await server.db.updateTable('organisations').set({ status: 'verified' }).where('id', '=', unitId).execute();
    for (const query of ['boe', 'BOE', 'Boe医院']) expect((await server.client().registration.searchUnits.query({ query })).map((u) => u.id)).toEqual([unitId]);
  });
});
