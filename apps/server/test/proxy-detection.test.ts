// Proxy-tap (代刷) detection through the real `sync.push`: each rule raises its alert from taps as
// a kiosk sends them, once however often they are pushed, and not below its threshold; a
// reviewer's confirmation voids the attendance and takes back the credits, with the reason.
import { DEFAULT_PROXY_RULES, newId, type Tap } from '@opencme/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assignSession, claimPairingCode, createDevice } from '../src/repositories/devices.ts';
import { provinceOf } from '../src/repositories/organisations.ts';
import { saveProxyRules } from '../src/repositories/settings.ts';
import { credit } from './fixtures.ts';
import { cardTap, startServer, type TestServer } from './harness.ts';

let server: TestServer;
let kiosk: Awaited<ReturnType<TestServer['demoKiosk']>>;
let sessionId: string;
let people: { id: string; card: string }[];
let seq = 1;
/** A fresh slice of the demo's people for each test, so that no test sees another's. */
let nextPerson = 0;
const take = (n: number) => people.slice(nextPerson, (nextPerson += n));

beforeAll(async () => {
  server = await startServer();
  kiosk = await server.demoKiosk();
  const pulled = await kiosk.client.sync.pull.query({ cursor: null });
  sessionId = pulled.sessions[0]!.id;
  people = pulled.people.filter((p) => p.cmeNumber).map((p) => ({ id: p.id, card: p.cmeNumber! }));
});
afterAll(() => server.close());

/** Taps of one door, one every `gapSeconds` from `start`, with the door's next sequence numbers. */
function tapsAt(start: string, cards: readonly string[], gapSeconds: number, over: Partial<Tap> = {}): Tap[] {
  return cards.map((card, i) => ({
    ...cardTap({
      deviceId: kiosk.deviceId,
      sessionId,
      card,
      seq: seq++,
      wallTime: new Date(Date.parse(start) + i * gapSeconds * 1000).toISOString(),
      monoTime: 1000 + i,
      bootId: 'detect-boot',
    }),
    ...over,
  }));
}

/** The alerts that hold any of these taps, with their rule and how many taps each holds. */
async function alertsOf(taps: readonly Tap[]) {
  const rows = await server.db
    .selectFrom('proxy_alerts')
    .innerJoin('proxy_alert_taps', 'proxy_alert_taps.alert_id', 'proxy_alerts.id')
    .select(['proxy_alerts.id', 'proxy_alerts.rule', 'proxy_alerts.status'])
    .where(
      'proxy_alerts.id',
      'in',
      server.db
        .selectFrom('proxy_alert_taps')
        .select('alert_id')
        .where(
          'tap_id',
          'in',
          taps.map((t) => t.tapId),
        ),
    )
    .execute();
  const found = new Map<string, { id: string; rule: string; status: string; taps: number }>();
  for (const r of rows) found.set(r.id, { ...r, taps: (found.get(r.id)?.taps ?? 0) + 1 });
  return [...found.values()];
}

/** A second session of the demo's project, at another venue, on the demo kiosk. */
async function anotherSession(venue: string, startsAt: string, endsAt: string) {
  const demo = await server.db.selectFrom('sessions').select(['project_id', 'course_id']).where('id', '=', sessionId).executeTakeFirstOrThrow();
  const id = newId();
  await server.db
    .insertInto('sessions')
    .values({
      id,
      project_id: demo.project_id,
      course_id: null,
      title: venue,
      venue,
      starts_at: startsAt,
      ends_at: endsAt,
      created_at: server.clock.now.toISOString(),
    })
    .execute();
  await assignSession(server.db, kiosk.deviceId, id, server.clock.now);
  return id;
}

describe('a burst of distinct cards at one door (more than 5 in 10 s)', () => {
  it('raises one alert with the six taps, and no second one when the batch is pushed again', async () => {
    const taps = tapsAt(
      '2026-11-22T00:30:00Z',
      take(6).map((p) => p.card),
      1.5,
    );
    await kiosk.client.sync.push.mutate({ taps });
    await kiosk.client.sync.push.mutate({ taps });
    expect(await alertsOf(taps)).toEqual([expect.objectContaining({ rule: 'burst', status: 'open', taps: 6 })]);
  });

  it('finds a burst pushed in two batches as one alert', async () => {
    const taps = tapsAt(
      '2026-11-22T01:00:00Z',
      take(7).map((p) => p.card),
      1,
    );
    await kiosk.client.sync.push.mutate({ taps: taps.slice(0, 3) });
    expect(await alertsOf(taps)).toEqual([]);
    await kiosk.client.sync.push.mutate({ taps: taps.slice(3) });
    await kiosk.client.sync.push.mutate({ taps: taps.slice(2, 5) });
    expect(await alertsOf(taps)).toEqual([expect.objectContaining({ rule: 'burst', taps: 7 })]);
  });

  it('finds a burst whose first taps came in an earlier push almost a window before, and leaves out a tap just outside it', async () => {
    const [early, ...cards] = take(7).map((p) => p.card);
    const before = tapsAt('2026-11-22T01:14:48Z', [early!], 1);
    const first = tapsAt('2026-11-22T01:15:00Z', cards.slice(0, 3), 1);
    const second = tapsAt('2026-11-22T01:15:08Z', cards.slice(3), 0.9);
    for (const taps of [before, first, second]) await kiosk.client.sync.push.mutate({ taps });
    expect(await alertsOf([...first, ...second])).toEqual([expect.objectContaining({ rule: 'burst', taps: 6 })]);
    expect(await alertsOf(before)).toEqual([]);
  });

  it('raises nothing for five cards, or six over 10 s', async () => {
    const five = tapsAt(
      '2026-11-22T01:30:00Z',
      take(5).map((p) => p.card),
      1,
    );
    const slow = tapsAt(
      '2026-11-22T02:00:00Z',
      take(6).map((p) => p.card),
      2,
    );
    await kiosk.client.sync.push.mutate({ taps: [...five, ...slow] });
    expect(await alertsOf([...five, ...slow])).toEqual([]);
  });
});

describe('manual entries in a row at one door (more than 5)', () => {
  it('raises an alert for six typed numbers in a row, not for five', async () => {
    const six = tapsAt(
      '2026-11-22T02:30:00Z',
      take(6).map((p) => p.card),
      60,
      { source: 'manual' },
    );
    const five = tapsAt(
      '2026-11-22T04:00:00Z',
      take(5).map((p) => p.card),
      60,
      { source: 'manual' },
    );
    await kiosk.client.sync.push.mutate({ taps: six });
    await kiosk.client.sync.push.mutate({ taps: five });
    expect(await alertsOf(six)).toEqual([expect.objectContaining({ rule: 'manual-run', taps: 6 })]);
    expect(await alertsOf(five)).toEqual([]);
  });
});

describe('one person at two venues within an impossible travel time (30 min)', () => {
  it('raises an alert 20 minutes apart, not 40', async () => {
    const elsewhere = await anotherSession('二院会议中心', '2026-11-23T08:00:00+08:00', '2026-11-23T18:00:00+08:00');
    const later = await anotherSession('三院礼堂', '2026-11-24T08:00:00+08:00', '2026-11-24T18:00:00+08:00');
    const [a, b] = take(2);
    const here = tapsAt('2026-11-22T06:00:00Z', [a!.card], 1);
    const there = tapsAt('2026-11-22T06:20:00Z', [a!.card], 1, { sessionId: elsewhere });
    const calm = [
      ...tapsAt('2026-11-24T01:00:00Z', [b!.card], 1, { sessionId: elsewhere }),
      ...tapsAt('2026-11-24T01:40:00Z', [b!.card], 1, { sessionId: later }),
    ];
    await kiosk.client.sync.push.mutate({ taps: [...here, ...there, ...calm] });
    expect(await alertsOf([...here, ...there])).toEqual([expect.objectContaining({ rule: 'impossible-travel', taps: 2 })]);
    expect(await alertsOf(calm)).toEqual([]);
  });
});

describe('taps of a lost card (挂失)', () => {
  it('raises an alert for a card reported lost, and none for an active one', async () => {
    const [lost, active] = take(2);
    await server.db.updateTable('credentials').set({ status: 'lost' }).where('value', '=', lost!.card).execute();
    const taps = tapsAt('2026-11-22T07:00:00Z', [lost!.card], 1);
    const fine = tapsAt('2026-11-22T07:01:00Z', [active!.card], 1);
    await kiosk.client.sync.push.mutate({ taps: [...taps, ...fine] });
    expect(await alertsOf(taps)).toEqual([expect.objectContaining({ rule: 'lost-card', taps: 1 })]);
    expect(await alertsOf(fine)).toEqual([]);
  });
});

describe('a sign-out far from the sign-in, at a different door', () => {
  it('raises an alert when the other door stands elsewhere, not when both stand at the venue', async () => {
    const west = await createDevice(server.db, {
      name: '住院楼签到机',
      institutionId: (await server.db.selectFrom('devices').select('institution_id').where('id', '=', kiosk.deviceId).executeTakeFirstOrThrow()).institution_id,
      now: server.clock.now,
    });
    await assignSession(server.db, west.id, sessionId, server.clock.now);
    const token = (await claimPairingCode(server.db, west.pairingCode, server.clock.now))!.token;
    const westClient = server.client({ authorization: `Bearer ${token}` });
    const [far, near] = take(2);
    const signIns = tapsAt('2026-11-22T00:10:00Z', [far!.card, near!.card], 120);
    await kiosk.client.sync.push.mutate({ taps: signIns });
    // The far door says where it stands only after the near person left by it.
    const nearOut = { ...cardTap({ deviceId: west.id, sessionId, card: near!.card, seq: 1, wallTime: '2026-11-22T09:00:00Z', monoTime: 1, bootId: 'west' }) };
    await westClient.sync.push.mutate({ taps: [nearOut] });
    await server.db.updateTable('devices').set({ place: '住院楼大厅' }).where('id', '=', west.id).execute();
    await server.db.updateTable('devices').set({ place: '门诊楼六楼' }).where('id', '=', kiosk.deviceId).execute();
    const farOut = { ...cardTap({ deviceId: west.id, sessionId, card: far!.card, seq: 2, wallTime: '2026-11-22T09:01:00Z', monoTime: 2, bootId: 'west' }) };
    await westClient.sync.push.mutate({ taps: [farOut] });
    expect(await alertsOf([signIns[0]!, farOut])).toEqual([expect.objectContaining({ rule: 'far-sign-out', taps: 2 })]);
    expect(await alertsOf([signIns[1]!, nearOut])).toEqual([]);
    await server.db.updateTable('devices').set({ place: null }).where('id', '=', kiosk.deviceId).execute();
  });
});

describe('a card whose holder attends exactly as another does (3 sessions, within 10 s)', () => {
  it('raises an alert at the third shared session, not before, and not for a partner 10 s apart', async () => {
    const [a, b, c] = take(3);
    const days = ['2026-11-25', '2026-11-26', '2026-11-27'];
    const sessions = [];
    for (const day of days) sessions.push(await anotherSession(`进修楼${day}`, `${day}T08:00:00+08:00`, `${day}T18:00:00+08:00`));
    /** a and b sign in 3 s apart and out 4 s apart; c signs in 11 s and out 10 s after b. */
    const sitting = (day: string, session: string) => [
      ...tapsAt(`${day}T01:00:00Z`, [a!.card, b!.card], 3, { sessionId: session }),
      ...tapsAt(`${day}T01:00:14Z`, [c!.card], 1, { sessionId: session }),
      ...tapsAt(`${day}T08:00:00Z`, [a!.card, b!.card], 4, { sessionId: session }),
      ...tapsAt(`${day}T08:00:14Z`, [c!.card], 1, { sessionId: session }),
    ];
    const first = [...sitting(days[0]!, sessions[0]!), ...sitting(days[1]!, sessions[1]!)];
    await kiosk.client.sync.push.mutate({ taps: first });
    expect((await alertsOf(first)).filter((x) => x.rule === 'twin-pattern')).toEqual([]);
    const third = sitting(days[2]!, sessions[2]!);
    await kiosk.client.sync.push.mutate({ taps: third });
    const twins = (await alertsOf([...first, ...third])).filter((x) => x.rule === 'twin-pattern');
    expect(twins).toEqual([expect.objectContaining({ taps: 12 })]);
    const ofC = new Set([...first, ...third].filter((t) => t.credential.value === c!.card).map((t) => t.tapId));
    const twinTaps = await server.db.selectFrom('proxy_alert_taps').select('tap_id').where('alert_id', '=', twins[0]!.id).execute();
    expect(twinTaps.filter((t) => ofC.has(t.tap_id))).toEqual([]);
  });
});

describe('a reviewer decides', () => {
  it('confirms a burst: the attendance and the credits of its people are gone, with the reason in the audit log', async () => {
    const burst = take(6);
    const taps = tapsAt(
      '2026-11-22T08:30:00Z',
      burst.map((p) => p.card),
      1,
    );
    await kiosk.client.sync.push.mutate({ taps });
    const course = (await server.db.selectFrom('sessions').select('course_id').where('id', '=', sessionId).executeTakeFirstOrThrow()).course_id!;
    await credit(server, burst[0]!.id, 2026, [{ sourceKind: 'attendance', sourceId: course, credits: 2 }]);
    const admin = await server.admin();
    const queue = await admin.alerts.list.query({ status: 'open' });
    const alert = queue.find((q) => q.rule === 'burst' && q.taps.some((t) => t.tapId === taps[0]!.tapId))!;
    expect(alert.taps.map((t) => t.personId)).toEqual(burst.map((p) => p.id));
    expect(alert.taps[0]).toMatchObject({ personName: expect.any(String), maskedIdNumber: expect.stringMatching(/\*{4}/), doorName: server.demoKioskName });

    await admin.alerts.decide.mutate({ alertId: alert.id, decision: 'confirm', reason: '一人手持六张卡代刷' });
    const attendance = await server.db
      .selectFrom('attendance')
      .select(['person_id', 'status', 'void_reason'])
      .where('session_id', '=', sessionId)
      .where(
        'person_id',
        'in',
        burst.map((p) => p.id),
      )
      .execute();
    expect(attendance).toHaveLength(6);
    expect(attendance.every((a) => a.status === 'absent' && a.void_reason === '一人手持六张卡代刷')).toBe(true);
    const forCourse = await server.db
      .selectFrom('ledger_entries as e')
      .leftJoin('ledger_entries as r', 'r.reverses_id', 'e.id')
      .select(['e.credits', 'r.credits as reversed', 'r.source_label as label'])
      .where('e.person_id', '=', burst[0]!.id)
      .where('e.source_id', '=', course)
      .execute();
    expect(forCourse).toEqual([{ credits: 2, reversed: -2, label: expect.stringContaining('一人手持六张卡代刷') }]);
    const audit = await server.db
      .selectFrom('audit_log')
      .select(['action', 'after'])
      .where('action', 'in', ['attendance.void', 'proxy-alert.confirm'])
      .execute();
    expect(audit.filter((a) => a.action === 'attendance.void')).toHaveLength(6);
    expect(audit.find((a) => a.action === 'proxy-alert.confirm')!.after).toContain('一人手持六张卡代刷');

    // Taps pushed again after the decision change nothing: the attendance stays void.
    await kiosk.client.sync.push.mutate({ taps });
    expect((await admin.alerts.list.query({ status: 'confirmed' })).map((a) => a.id)).toContain(alert.id);
    await expect(admin.alerts.decide.mutate({ alertId: alert.id, decision: 'dismiss', reason: '重复处理' })).rejects.toThrow();
  });

  it('dismisses an alert with the reason, leaving the attendance as it was', async () => {
    const admin = await server.admin();
    const [open] = (await admin.alerts.list.query({ status: 'open' })).filter((a) => a.rule === 'manual-run');
    await admin.alerts.decide.mutate({ alertId: open!.id, decision: 'dismiss', reason: '读卡器故障，手工录入属实' });
    const dismissed = (await admin.alerts.list.query({ status: 'dismissed' })).find((a) => a.id === open!.id)!;
    expect(dismissed).toMatchObject({ decisionReason: '读卡器故障，手工录入属实', decidedBy: expect.any(String) });
    const voided = await server.db
      .selectFrom('attendance')
      .select('voided_at')
      .where(
        'person_id',
        'in',
        open!.taps.map((t) => t.personId!),
      )
      .where('voided_at', 'is not', null)
      .execute();
    expect(voided).toEqual([]);
  });
});

describe('the province’s own thresholds', () => {
  it('raises a burst at three cards in 10 s where the province set more than 2, and none once it switched the rule off', async () => {
    const organiser = (await server.db.selectFrom('devices').select('institution_id').where('id', '=', kiosk.deviceId).executeTakeFirstOrThrow())
      .institution_id;
    const province = (await provinceOf(server.db, organiser))!;
    await saveProxyRules(server.db, province, { ...DEFAULT_PROXY_RULES, burst: { enabled: true, maxCards: 2, windowSeconds: 10 } }, server.clock.now);
    const three = tapsAt(
      '2026-11-22T09:20:00Z',
      take(3).map((p) => p.card),
      1,
    );
    await kiosk.client.sync.push.mutate({ taps: three });
    expect(await alertsOf(three)).toEqual([expect.objectContaining({ rule: 'burst', taps: 3 })]);
    await saveProxyRules(server.db, province, { ...DEFAULT_PROXY_RULES, burst: { enabled: false, maxCards: 2, windowSeconds: 10 } }, server.clock.now);
    const more = tapsAt(
      '2026-11-22T09:40:00Z',
      take(3).map((p) => p.card),
      1,
    );
    await kiosk.client.sync.push.mutate({ taps: more });
    expect(await alertsOf(more)).toEqual([]);
    await saveProxyRules(server.db, province, null, server.clock.now);
  });
});
