// Twenty kiosks at once (issue 15): 20 doors push 100 000 signed taps at the same time, with
// retries, into one session of 200 people (500 taps each: a stress, not an event). Measures the
// throughput, the p95 push latency and the cost per tap in the first and the last fifth of the
// taps: a push must cost the same late in the day as early. STRESS_TAPS, STRESS_KIOSKS and
// STRESS_PEOPLE change the size.
import fs from 'node:fs';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { formatCmeNumber, generateChainKey, idNumberCheckChar, newId, signChainedTap, type Tap } from '@opencme/core';
import { createTRPCClient, httpLink } from '@trpc/client';
import superjson from 'superjson';
import { createApp } from '../src/app.ts';
import { openSqlite } from '../src/db/connect.ts';
import { IdNumberVault, randomKeys } from '../src/pii.ts';
import { ProofSigner } from '../src/proof-key.ts';
import { assignSession, createDevice, issuePairingCode } from '../src/repositories/devices.ts';
import type { AppRouter } from '../src/router.ts';
import { seedDemo } from '../src/seed.ts';
import { pairKiosk } from '../src/services/devices.ts';

const size = (name: string, fallback: number) => Number(process.env[name] ?? fallback);
const TAPS = size('STRESS_TAPS', 100_000);
const KIOSKS = size('STRESS_KIOSKS', 20);
const PEOPLE = size('STRESS_PEOPLE', 200);
const BATCH = 250;
const bench = (name: string, value: number, unit: string) => console.log(`BENCH ${JSON.stringify({ name, value, unit })}`);

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'opencme-bench-stress-'));
const { db, sqlite } = await openSqlite(path.join(dir, 'opencme.sqlite'));
const now = new Date();
const vault = new IdNumberVault(randomKeys());
const demo = await seedDemo(db, vault, now);
const demoDevice = await db.selectFrom('devices').select(['id', 'institution_id']).executeTakeFirstOrThrow();
const session = await db
  .selectFrom('device_sessions')
  .innerJoin('sessions', 'sessions.id', 'device_sessions.session_id')
  .innerJoin('projects', 'projects.id', 'sessions.project_id')
  .select(['sessions.id', 'sessions.starts_at', 'sessions.ends_at', 'projects.organiser_id'])
  .where('device_sessions.device_id', '=', demoDevice.id)
  .executeTakeFirstOrThrow();
void demo;

// The session's people: approved staff of its organiser, each with a card.
const at = now.toISOString();
const insertPerson = sqlite.prepare(
  `insert into persons (id, name, gender, id_number_enc, id_number_index, id_number_masked, phone, institution_id, department_id,
     title, category, cme_number, photo_hash, version, created_at, updated_at, registration_status)
   values (?, ?, 'female', ?, ?, ?, null, ?, null, '主治医师', 'doctor', ?, null, 0, ?, ?, 'approved')`,
);
const insertCard = sqlite.prepare(
  `insert into credentials (id, person_id, kind, value, status, version, created_at) values (?, ?, 'card-number', ?, 'active', 0, ?)`,
);
const cards: string[] = [];
sqlite.transaction(() => {
  for (let n = 0; n < PEOPLE; n++) {
    const first17 = `34150219800101${String(n).padStart(3, '0')}`.slice(0, 17);
    const sealed = vault.seal(first17 + idNumberCheckChar(first17));
    const card = formatCmeNumber({ provinceCode: '34', year: 2026, serial: 900_000 + n });
    insertPerson.run(`stress-${n}`, `压测${n}`, sealed.id_number_enc, sealed.id_number_index, sealed.id_number_masked, session.organiser_id, card, at, at);
    insertCard.run(`stress-card-${n}`, `stress-${n}`, card, at);
    cards.push(card);
  }
})();

// Twenty doors of the session, each paired with its own chain key, its taps signed (the setup, not timed).
const start = Date.parse(session.starts_at);
const span = Date.parse(session.ends_at) - start;
const doors = [];
for (let k = 0; k < KIOSKS; k++) {
  const device = await createDevice(db, { name: `压测门${k}`, institutionId: demoDevice.institution_id, now });
  await assignSession(db, device.id, session.id, now);
  const chainKey = await generateChainKey();
  const paired = await pairKiosk(db, { code: await issuePairingCode(db, device.id, now), chainKey: chainKey.publicKey }, now);
  const count = Math.floor(TAPS / KIOSKS);
  const taps: Tap[] = [];
  let prevHash: string | null = null;
  for (let i = 0; i < count; i++) {
    const tap: Tap = {
      tapId: newId(),
      deviceId: paired.deviceId,
      seq: i + 1,
      sessionId: session.id,
      credential: { kind: 'card-number', value: cards[(i * KIOSKS + k) % cards.length]! },
      personId: null,
      wallTime: new Date(start + Math.floor((i / count) * span)).toISOString(),
      monoTime: i * 1000,
      bootId: `stress-${k}`,
      source: 'reader',
      direction: 'in',
    };
    const { link, hash } = await signChainedTap(chainKey.privateKey, tap, { chainId: paired.chainId!, prevHash });
    taps.push({ ...tap, chain: link });
    prevHash = hash;
  }
  doors.push({ token: paired.token, taps });
}
console.error(`[stress] ${KIOSKS} doors, ${doors.reduce((n, d) => n + d.taps.length, 0)} taps signed`);

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
const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/trpc`;

const latencies: number[] = [];
const done: { at: number; taps: number }[] = [];
let retries = 0;
const t0 = performance.now();
await Promise.all(
  doors.map(async (door) => {
    const client = createTRPCClient<AppRouter>({ links: [httpLink({ url, transformer: superjson, headers: { authorization: `Bearer ${door.token}` } })] });
    for (let i = 0; i < door.taps.length; i += BATCH) {
      const batch = door.taps.slice(i, i + BATCH);
      for (;;) {
        const t = performance.now();
        try {
          await client.sync.push.mutate({ taps: batch });
          latencies.push(performance.now() - t);
          done.push({ at: performance.now() - t0, taps: batch.length });
          break;
        } catch {
          // A busy server: the kiosk keeps its outbox and pushes again.
          retries += 1;
          await new Promise((r) => setTimeout(r, 200));
        }
      }
    }
  }),
);
const seconds = (performance.now() - t0) / 1000;
server.close();
const stored = await db
  .selectFrom('taps')
  .select((eb) => eb.fn.countAll<number>().as('n'))
  .where('session_id', '=', session.id)
  .executeTakeFirstOrThrow();
const flagged = await db.selectFrom('taps').select('flag_reasons').where('status', '=', 'flagged').executeTakeFirst();
await db.destroy();
fs.rmSync(dir, { recursive: true, force: true });
if (flagged) throw new Error(`a stress tap was flagged: ${flagged.flag_reasons}`);

const total = done.reduce((n, d) => n + d.taps, 0);
if (Number(stored.n) < total) throw new Error(`${stored.n} taps stored of ${total}`);
// The cost per tap of each fifth of the taps: the wall time that fifth took, over its taps.
const fifths: number[] = [];
let reached = 0;
let from = 0;
let sinceTaps = 0;
for (const d of done.sort((a, b) => a.at - b.at)) {
  reached += d.taps;
  sinceTaps += d.taps;
  if (reached >= ((fifths.length + 1) * total) / 5) {
    fifths.push((d.at - from) / sinceTaps);
    from = d.at;
    sinceTaps = 0;
  }
}
const p95 = latencies.sort((a, b) => a - b)[Math.floor(latencies.length * 0.95)]!;
const label = `${KIOSKS} kiosks at once, ${total} taps, one session of ${PEOPLE}`;
bench(`${label}: throughput`, total / seconds, 'taps/s');
bench(`${label}: throughput goal`, 10_000, 'taps/s');
bench(`${label}: p95 push latency (${BATCH} taps)`, p95 / 1000, 's');
bench(`${label}: cost per tap, first fifth`, fifths[0]!, 'ms');
bench(`${label}: cost per tap, last fifth`, fifths.at(-1)!, 'ms');
bench(`${label}: last fifth over first (goal ≤ 1.2)`, fifths.at(-1)! / fifths[0]!, '×');
bench(`${label}: pushes retried`, retries, 'pushes');
