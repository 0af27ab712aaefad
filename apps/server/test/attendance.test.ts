// Attendance from several doors, each offline, with clocks that are wrong: real server, real SQLite.
import { DEFAULT_ATTENDANCE_RULES, type DeviceClock, newId, type Tap } from '@opencme/core';
import { recomputeAttendance } from '../src/repositories/attendance.ts';
import { saveSettings } from '../src/repositories/settings.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cardTap, type Client, startServer, type TestServer } from './harness.ts';

let server: TestServer;
let admin: Client;
let sessionId: string;
let cardNumbers: string[];

/** A kiosk whose wall clock is `skewMs` ahead of the truth; its page loaded at `bootAt` (true time). */
async function door(name: string, skewMs: number, bootAt: string) {
  const created = await admin.devices.create.mutate({ name });
  const paired = await server.client().devices.pair.mutate({ code: created.pairingCode });
  await admin.devices.assignSession.mutate({ deviceId: paired.deviceId, sessionId });
  const client = server.client({ authorization: `Bearer ${paired.token}` });
  const bootId = newId();
  const boot = Date.parse(bootAt);
  let seq = 0;
  const clocks = (trueMs: number) => ({ wallTime: new Date(trueMs + skewMs).toISOString(), monoTime: trueMs - boot, bootId });
  return {
    deviceId: paired.deviceId,
    token: paired.token,
    tap(card: string, trueTime: string, wallTime?: string): Tap {
      const c = clocks(Date.parse(trueTime));
      return cardTap({ deviceId: paired.deviceId, sessionId, card, seq: ++seq, wallTime: wallTime ?? c.wallTime, monoTime: c.monoTime, bootId });
    },
    /** Pushes at true time `at` (the server's clock stands there), with the device's clocks. */
    async push(taps: Tap[], at: string, clock: DeviceClock | null = clocks(Date.parse(at))) {
      server.clock.now = new Date(at);
      return client.sync.push.mutate(clock ? { taps, clock } : { taps });
    },
  };
}

const attendanceOf = async (card: string) => (await admin.sessions.attendance.query({ sessionId })).people.find((p) => p.cmeNumber === card);

beforeAll(async () => {
  server = await startServer();
  admin = await server.admin();
  // The demo session: 08:00–18:00 Beijing time (00:00–10:00Z) on 2026-11-22.
  sessionId = (await admin.sessions.list.query())[0]!.id;
  cardNumbers = (await server.db.selectFrom('persons').select('cme_number').where('cme_number', 'is not', null).orderBy('cme_number').limit(10).execute()).map(
    (p) => p.cme_number!,
  );
});
afterAll(() => server.close());

describe('two doors, both offline, one clock 10 minutes fast', () => {
  it('merges sign-ins and sign-outs of the same people into one correct attendance each', async () => {
    const a = await door('东门', 0, '2026-11-21T23:00:00Z');
    const b = await door('西门', 10 * 60_000, '2026-11-21T23:00:00Z');
    const [p1, p2, p3] = cardNumbers;
    // p1: in at A, out at B. p2: in at B (08:10 true, 08:20 on B's clock: late if uncorrected), out at A.
    // p3: in at A, a repeat at B inside the gap, out at B.
    const tapsA = [a.tap(p1!, '2026-11-22T00:05:00Z'), a.tap(p3!, '2026-11-22T00:06:00Z'), a.tap(p2!, '2026-11-22T09:58:00Z')];
    const tapsB = [
      b.tap(p2!, '2026-11-22T00:10:00Z'),
      b.tap(p3!, '2026-11-22T00:06:30Z'),
      b.tap(p1!, '2026-11-22T09:55:00Z'),
      b.tap(p3!, '2026-11-22T09:59:00Z'),
    ];
    // B syncs first, then A, long after the event, as two doors back on the network would.
    await b.push(tapsB, '2026-11-22T10:30:00Z');
    await a.push(tapsA, '2026-11-22T10:31:00Z');

    expect(await attendanceOf(p1!)).toMatchObject({
      signInAt: '2026-11-22T00:05:00.000Z',
      signOutAt: '2026-11-22T09:55:00.000Z',
      status: 'complete',
      flagged: false,
    });
    expect(await attendanceOf(p2!)).toMatchObject({
      signInAt: '2026-11-22T00:10:00.000Z',
      signOutAt: '2026-11-22T09:58:00.000Z',
      status: 'complete',
      shortfalls: [],
    });
    expect(await attendanceOf(p3!)).toMatchObject({
      signInAt: '2026-11-22T00:06:00.000Z',
      signOutAt: '2026-11-22T09:59:00.000Z',
      status: 'complete',
      tapCount: 3,
    });

    const clock = await server.db.selectFrom('device_clocks').selectAll().where('device_id', '=', b.deviceId).executeTakeFirstOrThrow();
    expect(clock).toMatchObject({ offset_ms: 600_000, jumped_at: null, samples: 1 });
    // The device's own wall time stays on record beside the corrected one.
    const stored = await server.db.selectFrom('taps').select(['wall_time', 'at']).where('tap_id', '=', tapsB[0]!.tapId).executeTakeFirstOrThrow();
    expect(stored).toEqual({ wall_time: '2026-11-22T00:20:00.000Z', at: '2026-11-22T00:10:00.000Z' });
  });

  it('places the taps of a clock that jumped by its monotonic clock and flags the device and the attendance', async () => {
    const c = await door('南门', 0, '2026-11-21T23:00:00Z');
    const p = cardNumbers[4]!;
    // Someone set the tablet's clock an hour back after the sign-in: the sign-out's wall time reads 08:50.
    const signIn = c.tap(p, '2026-11-22T00:05:00Z');
    const signOut = c.tap(p, '2026-11-22T09:50:00Z', '2026-11-22T08:50:00Z');
    await c.push([signIn, signOut], '2026-11-22T10:00:00Z', {
      wallTime: '2026-11-22T09:00:00.000Z',
      monoTime: Date.parse('2026-11-22T10:00:00Z') - Date.parse('2026-11-21T23:00:00Z'),
      bootId: signIn.bootId,
    });
    expect(await attendanceOf(p)).toMatchObject({ signInAt: '2026-11-22T00:05:00.000Z', signOutAt: '2026-11-22T09:50:00.000Z', flagged: true });
    const clock = await server.db.selectFrom('device_clocks').selectAll().where('device_id', '=', c.deviceId).executeTakeFirstOrThrow();
    expect(clock.jumped_at).toBe('2026-11-22T10:00:00.000Z');
  });

  it('marks a boot jumped when its offset moves between two pushes, and keeps older kiosks (no clock) working', async () => {
    const d = await door('北门', 0, '2026-11-21T23:00:00Z');
    const [p, q] = [cardNumbers[5]!, cardNumbers[6]!];
    await d.push([d.tap(p, '2026-11-22T00:05:00Z')], '2026-11-22T00:06:00Z');
    const later = d.tap(p, '2026-11-22T09:50:00Z');
    await d.push([later], '2026-11-22T09:51:00Z', { wallTime: '2026-11-22T10:51:00.000Z', monoTime: later.monoTime + 60_000, bootId: later.bootId });
    const clock = await server.db.selectFrom('device_clocks').selectAll().where('device_id', '=', d.deviceId).executeTakeFirstOrThrow();
    expect(clock).toMatchObject({ offset_ms: 3_600_000, samples: 2, jumped_at: '2026-11-22T09:51:00.000Z' });

    // A kiosk of before this change sends no clock: the wall times of a boot never estimated are taken as they are.
    const old = { ...d.tap(q, '2026-11-22T00:05:00Z'), bootId: 'a-boot-never-seen' };
    expect((await d.push([old], '2026-11-22T09:52:00Z', null)).results[0]).toMatchObject({ status: 'stored' });
    expect(await attendanceOf(q)).toMatchObject({ signInAt: '2026-11-22T00:05:00.000Z' });
  });
});

describe('the province’s attendance rules', () => {
  it('decide on the server and reach the kiosk with its sessions', async () => {
    const e = await door('会议室门', 0, '2026-11-21T23:00:00Z');
    const p = cardNumbers[7]!;
    // 08:25 is late by the default 15 minutes of grace.
    await e.push([e.tap(p, '2026-11-22T00:25:00Z'), e.tap(p, '2026-11-22T09:55:00Z')], '2026-11-22T10:00:00Z');
    expect(await attendanceOf(p)).toMatchObject({ status: 'incomplete', shortfalls: ['late-sign-in'] });

    const province = await server.db.selectFrom('organisations').select('id').where('kind', '=', 'province').executeTakeFirstOrThrow();
    const rules = { ...DEFAULT_ATTENDANCE_RULES, lateSignInMinutes: 30 };
    await saveSettings(server.db, province.id, { projectLeadDays: 14, reportDays: 14, attendanceRules: rules }, server.clock.now);
    const kiosk = server.client({ authorization: `Bearer ${e.token}` });
    expect((await kiosk.sync.pull.query({ cursor: null })).sessions[0]!.rules).toEqual(rules);
    // The next tap of the person recomputes with the province's grace of 30 minutes.
    await e.push([e.tap(p, '2026-11-22T09:56:00Z')], '2026-11-22T10:01:00Z');
    expect(await attendanceOf(p)).toMatchObject({ status: 'complete', shortfalls: [] });
  });
});

describe('corrections', () => {
  it('refuse a sign-out before the sign-in, or no time at all, and change nothing', async () => {
    const person = await server.db.selectFrom('persons').select('id').where('cme_number', '=', cardNumbers[8]!).executeTakeFirstOrThrow();
    const correct = (signInAt: string | null, signOutAt: string | null) =>
      admin.sessions.correctAttendance.mutate({ sessionId, personId: person.id, signInAt, signOutAt, reason: '测试' });
    await expect(correct('2026-11-22T10:00:00+08:00', '2026-11-22T09:00:00+08:00')).rejects.toThrow('attendance.sign-out-come-after-sign');
    await expect(correct(null, null)).rejects.toThrow('attendance.give-corrected-sign-in-sign');
    expect(await server.db.selectFrom('attendance').select('person_id').where('person_id', '=', person.id).execute()).toEqual([]);
    expect(await server.db.selectFrom('audit_log').select('id').where('action', '=', 'attendance.correct').execute()).toEqual([]);
  });
});

describe('attendance kept as taps arrive', () => {
  it('gives exactly what a full recomputation from every tap gives, whatever the order and batches the taps came in', async () => {
    const doors = [await door('一号门', 0, '2026-11-21T21:00:00Z'), await door('二号门', 5 * 60_000, '2026-11-21T21:00:00Z')];
    let seed = 7;
    const random = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
    // Around the session (08:00–18:00 Beijing, 00:00–10:00Z): before the doors open, inside the
    // sign-out gap, late, early, and after the doors close; in any order, in batches of any size.
    const start = Date.parse('2026-11-21T22:00:00Z');
    const taps = Array.from({ length: 160 }, () => {
      const d = doors[Math.floor(random() * doors.length)]!;
      return { door: d, tap: d.tap(cardNumbers[Math.floor(random() * cardNumbers.length)]!, new Date(start + random() * 14 * 3_600_000).toISOString()) };
    }).sort(() => random() - 0.5);
    for (let i = 0; i < taps.length;) {
      const size = 1 + Math.floor(random() * 20);
      const batch = taps.slice(i, i + size);
      i += size;
      for (const d of doors) {
        const own = batch.filter((t) => t.door === d).map((t) => t.tap);
        if (own.length > 0) await d.push(own, '2026-11-22T10:30:00Z');
      }
    }
    const kept = () =>
      server.db
        .selectFrom('attendance')
        .select(['person_id', 'sign_in_at', 'sign_out_at', 'tap_count', 'status', 'presence_minutes', 'shortfalls', 'flagged'])
        .where('session_id', '=', sessionId)
        .orderBy('person_id')
        .execute();
    const folded = await kept();
    const pairs = folded.map((r) => ({ sessionId, personId: r.person_id }));
    await recomputeAttendance(server.db, pairs, '2026-11-22T11:00:00.000Z');
    expect(folded.length).toBeGreaterThan(5);
    expect(await kept()).toEqual(folded);
  });
});
