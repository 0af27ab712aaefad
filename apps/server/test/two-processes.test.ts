// Two server processes on one database behave as one (issue 15): what one process counts or
// starts, the other sees. Both run `npm start`'s own entry point (chaos/server-process.ts) on one
// data folder and one keys folder, and the calls alternate between their ports as a round-robin
// proxy would send them: sign-in throttling, a public rate limit, a print job and a kiosk's sync.
// The database is the shared SQLite file (WAL) of that data folder, or in the PostgreSQL run
// (OPENCME_TEST_DB=postgres) a fresh database of the test cluster, whose address both processes
// are given as DATABASE_URL (the demo is seeded into it by the first).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { SessionTapsResult, SyncPushResult, type Tap } from '@opencme/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Client, demoDay, pairKiosks, SimKiosk, trpcClient, type Door } from '../chaos/kiosks.ts';
import { ServerProcess } from '../chaos/server-process.ts';
import { type DB, openSqlite } from '../src/db/connect.ts';
import { LIMITS } from '../src/rate-limit.ts';
import { recomputeAttendance } from '../src/repositories/attendance.ts';
import { BACKOFF } from '../src/repositories/rate-limits.ts';
import { DEMO_STAFF } from '../src/seed.ts';
import { openTestDatabase, TEST_DIALECT, type TestDatabase } from './database.ts';

let first: ServerProcess;
let second: ServerProcess;
/** The two processes' addresses, in the order a round-robin proxy takes them. */
let urls: [string, string];
/** The demo's session with four paired doors, paired once (the demo's pairing code is used up by it). */
let door: Door;
/** PostgreSQL's fresh database, or null on SQLite (the data folder's file). */
let postgres: TestDatabase | null = null;
/** The test's own connection to the processes' database, as a third process would open it. */
let db: DB;

beforeAll(async () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'opencme-two-'));
  // Empty: the first process seeds it with the keys of its own keys folder, which both share.
  if (TEST_DIALECT === 'postgres') postgres = await openTestDatabase(dataDir, null, { empty: true });
  const env: Record<string, string> = postgres ? { DATABASE_URL: postgres.url! } : {};
  first = new ServerProcess({ dataDir, env });
  second = new ServerProcess({ dataDir: first.dataDir, keysDir: first.keysDir, env });
  // One after the other: the first migrates and seeds; the second finds it done.
  await first.start();
  await second.start();
  urls = [first.url, second.url];
  db = postgres ? postgres.opened.db : (await openSqlite(path.join(first.dataDir, 'opencme.sqlite'))).db;
  door = await pairKiosks(second.url, second.pairingCode, 4);
}, 300_000);
afterAll(async () => {
  await second?.kill();
  await first?.kill();
  if (postgres) await postgres.drop();
  else await db?.destroy();
  await first?.dispose();
});

/** The i-th request's process, as a round-robin proxy would pick it. */
const turn = (i: number) => urls[i % 2]!;

/** Signs in over plain HTTP; the status and the reply's message. */
async function signIn(url: string, login: string, password: string) {
  const res = await fetch(`${url}/trpc/auth.login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ json: { login, password } }),
  });
  const body = (await res.json()) as { error?: { json: { data: { messageKey: string; params: Record<string, number> } } } };
  return { status: res.status, cookie: res.headers.get('set-cookie')?.split(';')[0] ?? null, message: body.error?.json.data };
}

describe('two server processes on one database', () => {
  it('stand on the same database, of the run’s kind', async () => {
    for (const url of urls) {
      const health = (await (await fetch(`${url}/api/health`)).json()) as { status: string; database: string };
      expect(health).toMatchObject({ status: 'ok', database: TEST_DIALECT });
    }
  });

  it('hold a kiosk’s taps once, whichever process each push reached, and show them to the other door through either', { timeout: 120_000 }, async () => {
    const [recorder, otherDoor] = door.kiosks as [Door['kiosks'][0], Door['kiosks'][0]];
    const day = demoDay();
    const kiosk = new SimKiosk(recorder, first.url, { serverNow: day.serverNow, batch: 10, random: Math.random }, { bootAt: day.at('08:00'), offsetMs: 0 });
    const taps: Tap[] = [];
    for (const [i, card] of door.cards.slice(0, 12).entries()) taps.push(await kiosk.record(door.sessionId, card, day.at('09:00') + i * 60_000, 'in'));
    const pushTo = (url: string, batch: Tap[]) =>
      trpcClient(url, { authorization: `Bearer ${recorder.token}` })
        .sync.push.mutate({ taps: batch })
        .then((r) => SyncPushResult.parse(r).results);

    // Half the outbox to each process, at the same time, as a proxy spreads one kiosk's retries.
    const halves = [taps.filter((_, i) => i % 2 === 0), taps.filter((_, i) => i % 2 === 1)];
    const replies = await Promise.all(halves.map((half, i) => pushTo(turn(i), half)));
    expect(replies.flat().map((r) => r.status)).toEqual(Array(taps.length).fill('stored'));
    // The whole outbox again, to each process: every tap is already held, once.
    for (const url of urls) expect((await pushTo(url, taps)).map((r) => r.status)).toEqual(Array(taps.length).fill('duplicate'));

    // The session's other door reads every tap through either process.
    for (const url of urls) {
      const reader: Client = trpcClient(url, { authorization: `Bearer ${otherDoor.token}` });
      const seen: string[] = [];
      let cursor: string | null = null;
      for (;;) {
        const page: SessionTapsResult = SessionTapsResult.parse(await reader.sync.sessionTaps.query({ sessionId: door.sessionId, cursor }));
        seen.push(...page.taps.map((t) => t.tapId));
        cursor = page.cursor;
        if (!page.hasMore) break;
      }
      expect(seen.toSorted()).toEqual(taps.map((t) => t.tapId).toSorted());
    }
  });

  it('tells the kiosk `duplicate`, not an error, for a tap pushed to both processes at the same moment', { timeout: 120_000 }, async () => {
    // The door that only reads above, and people no other test taps.
    const recorder = door.kiosks[1]!;
    const day = demoDay();
    const kiosk = new SimKiosk(recorder, first.url, { serverNow: day.serverNow, batch: 10, random: Math.random }, { bootAt: day.at('08:00'), offsetMs: 0 });
    const pushTo = (url: string, batch: Tap[]) =>
      trpcClient(url, { authorization: `Bearer ${recorder.token}` })
        .sync.push.mutate({ taps: batch })
        .then((r) => SyncPushResult.parse(r).results);
    const all: Tap[] = [];
    // A few rounds: the two writes meet in a different order each time.
    for (let round = 0; round < 4; round++) {
      const taps: Tap[] = [];
      for (const [i, card] of door.cards.slice(60, 68).entries()) {
        taps.push(await kiosk.record(door.sessionId, card, day.at('10:00') + (round * 8 + i) * 60_000, 'in'));
      }
      all.push(...taps);
      const replies = await Promise.all(urls.map((url) => pushTo(url, taps)));
      for (const [i, tap] of taps.entries()) {
        expect(replies.map((r) => r[i]).toSorted((a, b) => a!.status.localeCompare(b!.status))).toEqual([
          { tapId: tap.tapId, status: 'duplicate' },
          { tapId: tap.tapId, status: 'stored' },
        ]);
      }
    }
    const held = await db
      .selectFrom('taps')
      .select('tap_id')
      .where(
        'tap_id',
        'in',
        all.map((t) => t.tapId),
      )
      .execute();
    expect(held).toHaveLength(all.length);
  });

  it(
    'fold two doors’ taps of the same people, pushed at once to each process, into the attendance a full recomputation gives',
    { timeout: 180_000 },
    async () => {
      const day = demoDay();
      // Pages loaded before the push (the demo's day may still lie ahead of the machine's clock).
      const bootAt = Math.min(day.at('08:00'), day.serverNow());
      const [left, right] = door.kiosks
        .slice(2)
        .map((paired, i) => new SimKiosk(paired, urls[i]!, { serverNow: day.serverNow, batch: 200, random: Math.random }, { bootAt, offsetMs: 0 })) as [
        SimKiosk,
        SimKiosk,
      ];
      // Not the people of the test above, whose taps are in the same session.
      const people = door.cards.slice(12, 52);
      // Each round both doors see every one of the same people, and both push at the same moment,
      // one to each process: each push reads and rewrites the same attendance rows.
      for (let round = 0; round < 6; round++) {
        const at = day.at('08:30') + round * 75 * 60_000;
        for (const [i, card] of people.entries()) {
          await left.record(door.sessionId, card, at + i * 3000, round % 2 ? 'out' : 'in');
          await right.record(door.sessionId, card, at + 1500 + i * 3000, round % 2 ? 'out' : 'in');
        }
        await Promise.all([left.pushAll(), right.pushAll()]);
      }
      const read = () =>
        db
          .selectFrom('attendance')
          .select(['person_id', 'tap_count', 'sign_in_at', 'sign_out_at', 'status', 'presence_minutes', 'flagged', 'window_first_at', 'window_last_at'])
          .where('session_id', '=', door.sessionId)
          .orderBy('person_id')
          .execute();
      const folded = await read();
      const pairs = folded.map((r) => ({ sessionId: door.sessionId, personId: r.person_id }));
      await recomputeAttendance(db, pairs, new Date().toISOString());
      expect(folded).toEqual(await read());
      // Six rounds of two doors; the people of the test above have the one tap it pushed.
      expect(folded.filter((r) => r.tap_count === 12)).toHaveLength(people.length);
    },
  );

  it('lets a print job started on one process be polled and downloaded on the other', { timeout: 120_000 }, async () => {
    const { cookie } = await signIn(turn(0), DEMO_STAFF.login, DEMO_STAFF.password);
    expect(cookie).not.toBeNull();
    const on = (url: string) => trpcClient(url, { cookie: cookie! });
    const { jobId } = await on(turn(0)).proofs.printMine.mutate({ fromYear: 2025, toYear: 2025 });
    let downloadUrl: string | null = null;
    for (let i = 0; !downloadUrl && i < 600; i++) {
      const status = await on(turn(1)).proofs.job.query({ jobId });
      downloadUrl = status.downloadUrl;
      if (!downloadUrl) await new Promise((r) => setTimeout(r, 100));
    }
    expect(downloadUrl).not.toBeNull();
    for (const url of urls) {
      const res = await fetch(`${url}${downloadUrl}`, { headers: { cookie: cookie! } });
      expect(res.headers.get('content-type')).toBe('application/pdf');
      expect(
        Buffer.from(await res.arrayBuffer())
          .subarray(0, 5)
          .toString(),
      ).toBe('%PDF-');
    }
  });

  it('counts the public lookup’s limit across both processes', { timeout: 60_000 }, async () => {
    const { limit } = LIMITS.lookup;
    const codes: string[] = [];
    for (let i = 0; i <= limit; i++) {
      codes.push(
        await trpcClient(turn(i), {})
          .lookup.credits.query({ idNumber: '110101199003071234', name: '某某' })
          .then(
            () => 'answered',
            (error: { data?: { code?: string } }) => error.data?.code ?? 'failed',
          ),
      );
    }
    expect(codes.slice(0, limit)).not.toContain('TOO_MANY_REQUESTS');
    expect(codes.at(-1)).toBe('TOO_MANY_REQUESTS');
  });

  it('backs off a login’s wrong passwords at the same count when they alternate between the processes', { timeout: 60_000 }, async () => {
    const login = 'admin-b';
    for (let i = 0; i < BACKOFF.freeFailures; i++) expect((await signIn(turn(i), login, `guess-${i}`)).status).toBe(401);
    // The next one, on either process, waits; the right password too.
    for (const [i, password] of ['one-more-guess', 'another-guess', DEMO_STAFF.password].entries()) {
      const refused = await signIn(turn(BACKOFF.freeFailures + i), login, password);
      expect(refused.status).toBe(429);
      expect(refused.message?.messageKey).toBe('rate-limit.sign-ins.seconds');
    }
  });
});
