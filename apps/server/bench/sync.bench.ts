// How fast taps go through `sync.push` (HTTP, tRPC, zod, signature and chain checks, flags,
// attendance, one transaction a batch), beside the ceiling: a plain better-sqlite3 insert of the
// same rows in one transaction; and what checking one tap's signature costs.
import fs from 'node:fs';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { chainedFields, generateChainKey, importChainPublicKey, newId, signChainedTap, type Tap, verifyChainedFields } from '@opencme/core';
import { createTRPCClient, httpLink } from '@trpc/client';
import SQLite from 'better-sqlite3';
import superjson from 'superjson';
import { createApp } from '../src/app.ts';
import { openSqlite } from '../src/db/connect.ts';
import { IdNumberVault, randomKeys } from '../src/pii.ts';
import { ProofSigner } from '../src/proof-key.ts';
import { pairKiosk } from '../src/services/devices.ts';
import type { AppRouter } from '../src/router.ts';
import { seedDemo } from '../src/seed.ts';

const TAPS = 10_000;
const BATCH = 500;

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'opencme-bench-'));
const { db } = await openSqlite(path.join(dir, 'opencme.sqlite'));
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
  .execute();

const unsigned: Tap[] = Array.from({ length: TAPS }, (_, i) => ({
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
}));
const taps: Tap[] = [];
let prevHash: string | null = null;
for (const tap of unsigned) {
  const { link, hash } = await signChainedTap(chainKey.privateKey, tap, { chainId: device.chainId!, prevHash });
  taps.push({ ...tap, chain: link });
  prevHash = hash;
}

const server = createApp({
  db,
  vault,
  proofSigner: await ProofSigner.generate(),
  publicUrl: 'http://localhost',
  dialect: 'sqlite',
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
const chain = await db.selectFrom('tap_chains').select('complete_through').where('id', '=', device.chainId!).executeTakeFirstOrThrow();
if (chain.complete_through !== TAPS) throw new Error(`the benchmark chain is complete through ${chain.complete_through} only`);
// The reply no longer says why a tap was flagged: the rows do. The benchmark measures clean taps.
const flagged = await db.selectFrom('taps').select('flag_reasons').where('status', '=', 'flagged').executeTakeFirst();
if (flagged) throw new Error(`a benchmark tap was flagged: ${flagged.flag_reasons}`);
server.close();
await db.destroy();

// The same rows, straight into a fresh file with the same table, in one transaction.
const plain = new SQLite(path.join(dir, 'plain.sqlite'));
plain.pragma('journal_mode = WAL');
plain.pragma('synchronous = NORMAL');
plain.exec(`create table taps (tap_id text primary key, device_id text not null, claimed_device_id text not null, seq integer not null,
  session_id text not null, credential_kind text not null, credential_value text not null, person_id text, kiosk_person_id text,
  wall_time text not null, mono_time real not null, boot_id text not null, source text not null, direction text not null,
  status text not null, flag_reasons text, received_at text not null)`);
const insert = plain.prepare('insert into taps values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)');
const t1 = performance.now();
plain.transaction(() => {
  const received = new Date().toISOString();
  for (const t of taps) {
    insert.run(
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
    );
  }
})();
const plainMs = performance.now() - t1;
plain.close();
fs.rmSync(dir, { recursive: true, force: true });

// One tap's signature check, alone (as a tap arriving on its own pays it) and many at once (as a batch does).
const verifyKey = await importChainPublicKey(chainKey.publicKey);
const sample = await Promise.all(taps.slice(0, 2000).map(async (t) => ({ fields: await chainedFields(t, t.chain!), signature: t.chain!.signature })));
const t2 = performance.now();
for (const s of sample) await verifyChainedFields(verifyKey, s.fields, s.signature);
const verifyOneMs = (performance.now() - t2) / sample.length;
const t3 = performance.now();
await Promise.all(sample.map((s) => verifyChainedFields(verifyKey, s.fields, s.signature)));
const verifyBatchMs = (performance.now() - t3) / sample.length;

const rate = (ms: number) => (TAPS / ms) * 1000;
console.log(`BENCH ${JSON.stringify({ name: `sync.push: ${TAPS} taps over HTTP in batches of ${BATCH}`, value: rate(pushMs), unit: 'taps/s' })}`);
console.log(`BENCH ${JSON.stringify({ name: `plain better-sqlite3 insert of the same ${TAPS} rows, one transaction`, value: rate(plainMs), unit: 'rows/s' })}`);
console.log(`BENCH ${JSON.stringify({ name: 'sync.push throughput relative to plain insert', value: (rate(pushMs) / rate(plainMs)) * 100, unit: '%' })}`);
console.log(`BENCH ${JSON.stringify({ name: 'tap signature check (ECDSA P-256), one at a time', value: verifyOneMs * 1000, unit: 'µs/tap' })}`);
console.log(`BENCH ${JSON.stringify({ name: 'tap signature check (ECDSA P-256), a batch at once', value: verifyBatchMs * 1000, unit: 'µs/tap' })}`);
