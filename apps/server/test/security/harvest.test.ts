// Security (issue 9): a newly registered unit's admin must not harvest another unit's staff through
// a kiosk. Guessed CME card numbers (they are sequential) pushed to a draft project's session, to
// sessions the kiosk is not assigned to, or to the unit's own approved project name no one, build
// no attendance and no roster, and get the same answer whether the card exists or not. Over HTTP,
// on the real app and SQLite file.
import ExcelJS from 'exceljs';
import { formatCmeNumber, newId, type Tap } from '@opencme/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrations } from '../../src/db/migrations.ts';
import { DEMO_ADMIN, DEMO_CITY } from '../../src/seed.ts';
import { commit, preview } from '../exchange/files.ts';
import { cardTap, type Client, startServer, type TestServer } from '../harness.ts';

let server: TestServer;
let victimUnitId: string;
let demoSessionId: string;
let attackerUnitId: string;
let attackerLogin: string;
let attacker: Client;
let attackerCookie: string;
let door: { deviceId: string; client: Client };
let seq = 0;
/** The demo unit's own kiosk pairs once: its code works once. */
let demoDoor: Awaited<ReturnType<TestServer['demoKiosk']>> | undefined;
const demoKiosk = async () => (demoDoor ??= await server.demoKiosk());
let demoSeq = 0;

const START = new Date('2026-11-22T01:30:00Z');
/** What the attacker types: the demo unit's first card numbers, which exist, and numbers no one holds. */
const guessed = [1, 2, 3, 4].map((serial) => formatCmeNumber({ provinceCode: '34', year: 2026, serial }));
const madeUp = [9_000_001, 9_000_002, 9_000_003, 9_000_004].map((serial) => formatCmeNumber({ provinceCode: '34', year: 2026, serial }));

const taps = (sessionId: string, cards: readonly string[], at: string): Tap[] =>
  cards.map((card, i) =>
    cardTap({
      deviceId: door.deviceId,
      sessionId,
      card,
      seq: ++seq,
      wallTime: new Date(Date.parse(at) + i * 1000).toISOString(),
      monoTime: seq * 1000,
      bootId: 'harvest',
    }),
  );

const push = (batch: Tap[]) => door.client.sync.push.mutate({ taps: batch });

/** Every attendance row of the demo unit's people, in any session. */
const victimsAttendance = () =>
  server.db
    .selectFrom('attendance')
    .innerJoin('persons', 'persons.id', 'attendance.person_id')
    .select(['attendance.session_id', 'persons.id'])
    .where('persons.institution_id', '=', victimUnitId)
    .execute();

async function exportedRows(cookie: string, sessionId: string): Promise<unknown[][]> {
  const exported = await server.download(`/api/files/sessions/${sessionId}/roster`, cookie);
  const book = new ExcelJS.Workbook();
  await book.xlsx.load(Uint8Array.from(exported.bytes).buffer);
  return (book.worksheets[0]!.getSheetValues().filter(Boolean) as unknown[][]).slice(1);
}

async function personOf(cmeNumber: string): Promise<{ id: string; idNumber: string }> {
  const p = await server.db.selectFrom('persons').select(['id', 'id_number_enc']).where('cme_number', '=', cmeNumber).executeTakeFirstOrThrow();
  return { id: p.id, idNumber: server.vault.decrypt(p.id_number_enc) };
}

/** A unit-level project of one day, declared as a draft. */
const declare = (client: Client, day: string) =>
  client.projects.declare.mutate({
    number: `H-${newId().slice(-8)}`,
    name: '学术交流',
    level: 'unit',
    creditClass: 'II',
    credits: 1,
    venue: '会议室',
    startsOn: day,
    endsOn: day,
    mode: 'onsite',
    courses: [{ name: '讲座', startsAt: `${day}T08:00:00+08:00`, endsAt: `${day}T18:00:00+08:00`, credits: 1 }],
  });

beforeAll(async () => {
  server = await startServer();
  const hospital = await server.db.selectFrom('organisations').select(['id', 'parent_id']).where('kind', '=', 'institution').executeTakeFirstOrThrow();
  victimUnitId = hospital.id;
  demoSessionId = (await server.db.selectFrom('sessions').select('id').executeTakeFirstOrThrow()).id;
  // The guesses are right: these numbers are the demo unit's staff; the made-up ones are no one's.
  expect(
    await server.db.selectFrom('persons').select('id').where('cme_number', 'in', guessed).where('institution_id', '=', victimUnitId).execute(),
  ).toHaveLength(guessed.length);
  expect(await server.db.selectFrom('credentials').select('id').where('value', 'in', madeUp).execute()).toEqual([]);

  // A second unit registers in the same city, the city verifies it, its admin signs in.
  const registered = await server.client().units.register.mutate({
    cityId: hospital.parent_id!,
    creditCode: '12100000400000624D',
    name: '合肥市第二人民医院',
    admin: { displayName: '医教科', password: 'a-long-password' },
  });
  const { unitId } = registered;
  attackerLogin = registered.login;
  attackerUnitId = unitId;
  const city = server.client({ cookie: await server.login(DEMO_CITY) });
  await city.units.verify.mutate({ unitId, approve: true });
  attackerCookie = await server.login({ login: attackerLogin, password: 'a-long-password' });
  attacker = server.client({ cookie: attackerCookie });
  const kiosk = await attacker.devices.create.mutate({ name: '二院签到机' });
  const paired = await server.client().devices.pair.mutate({ code: kiosk.pairingCode });
  door = { deviceId: paired.deviceId, client: server.client({ authorization: `Bearer ${paired.token}` }) };
}, 60_000); // seeding the demo's 200 portraits is slow on a busy machine
afterAll(() => server.close());

describe('another unit’s admin with a kiosk of its own', () => {
  it('draws no one into a draft session, another unit’s session or an unknown one with guessed card numbers', async () => {
    const { projectId } = await declare(attacker, '2026-11-22');
    const draftSessionId = (await attacker.projects.get.query({ projectId })).sessions[0]!.id;
    // The kiosk cannot be put on either session, so it pushes to them unassigned.
    await expect(attacker.devices.assignSession.mutate({ deviceId: door.deviceId, sessionId: draftSessionId })).rejects.toThrow(
      'devices.project-not-approved-yet-no',
    );
    await expect(attacker.devices.assignSession.mutate({ deviceId: door.deviceId, sessionId: demoSessionId })).rejects.toThrow(
      'access.record-outside-part-organisation',
    );
    expect((await door.client.sync.pull.query({ cursor: null })).sessions).toEqual([]);

    const batch = [
      ...taps(draftSessionId, guessed, '2026-11-22T01:00:00Z'),
      ...taps(demoSessionId, guessed, '2026-11-22T01:05:00Z'),
      ...taps('no-such-session', guessed, '2026-11-22T01:10:00Z'),
    ];
    const res = await push(batch);
    expect(res.results).toEqual(batch.map((t) => ({ tapId: t.tapId, status: 'stored' })));

    // Every tap is kept (a fact is never thrown away), flagged, naming no one.
    const stored = await server.db
      .selectFrom('taps')
      .select(['person_id', 'status'])
      .where(
        'tap_id',
        'in',
        batch.map((t) => t.tapId),
      )
      .execute();
    expect(stored).toHaveLength(batch.length);
    expect(stored.every((t) => t.person_id === null && t.status === 'flagged')).toBe(true);

    expect(await victimsAttendance()).toEqual([]);
    const view = await attacker.sessions.attendance.query({ sessionId: draftSessionId });
    expect(view.people).toEqual([]);
    expect(view.taps.map((t) => t.personName)).toEqual(Array(guessed.length).fill(null));
    expect(await exportedRows(attackerCookie, draftSessionId)).toEqual([]);
  });

  it('finds only its own staff at its own approved project: another unit’s card numbers stay nameless', async () => {
    // A unit-level project is approved by the unit's own office: the attacker makes itself a
    // second account (one account may not approve its own declaration) and approves its own.
    const { projectId } = await declare(attacker, '2026-12-10');
    await attacker.projects.submit.mutate({ projectId });
    const second = await attacker.auth.createAccount.mutate({
      organisationId: attackerUnitId,
      role: 'unit-admin',
      login: 'h2director',
      displayName: '医教科主任',
    });
    const accomplice = server.client({ cookie: await server.login({ login: 'h2director', password: second.initialPassword }) });
    await accomplice.auth.changePassword.mutate({ current: second.initialPassword, next: 'another-long-password' });
    expect(await accomplice.projects.review.mutate({ projectId, decision: 'approve', reason: null })).toEqual({ status: 'approved' });
    const sessionId = (await attacker.projects.get.query({ projectId })).sessions[0]!.id;
    await attacker.devices.assignSession.mutate({ deviceId: door.deviceId, sessionId });

    server.clock.now = new Date('2026-12-10T10:30:00Z');
    try {
      const batch = [
        ...taps(sessionId, guessed, '2026-12-10T00:55:00Z'),
        ...taps(sessionId, madeUp, '2026-12-10T00:56:00Z'),
        ...taps(sessionId, guessed, '2026-12-10T09:55:00Z'),
      ];
      const res = await push(batch);
      // The reply cannot tell a card of the demo unit's staff from a number no one holds…
      expect(res.results).toEqual(batch.map((t) => ({ tapId: t.tapId, status: 'stored' })));
      const stored = await server.db
        .selectFrom('taps')
        .select(['person_id', 'flag_reasons'])
        .where(
          'tap_id',
          'in',
          batch.map((t) => t.tapId),
        )
        .execute();
      expect(stored.every((t) => t.person_id === null && t.flag_reasons === 'unknown-credential')).toBe(true);
      // …nor can the attacker's own review of the session's taps.
      const adminCookie = await server.login({ login: attackerLogin, password: 'a-long-password' });
      const admin = server.client({ cookie: adminCookie });
      const view = await admin.sessions.attendance.query({ sessionId });
      expect(new Set(view.taps.map((t) => JSON.stringify([t.personName, t.status, t.flagReasons])))).toEqual(
        new Set([JSON.stringify([null, 'flagged', 'unknown-credential'])]),
      );
      expect(view.people).toEqual([]);
      expect(await victimsAttendance()).toEqual([]);
      expect(await exportedRows(adminCookie, sessionId)).toEqual([]);

      // Nor does a correction or an assessment result put them on the roster, and the assessment
      // form answers a real number as it answers a made-up one.
      const victim = await personOf(guessed[0]!);
      await expect(
        admin.sessions.correctAttendance.mutate({
          sessionId,
          personId: victim.id,
          signInAt: '2026-12-10T08:55:00+08:00',
          signOutAt: '2026-12-10T17:55:00+08:00',
          reason: '补录',
        }),
      ).rejects.toThrow('attendance.person-no-attendance-any-session');
      const refusal = async (cmeNumber: string) => {
        const error = await admin.projects.recordAssessments.mutate({ projectId, results: [{ cmeNumber, passed: true, score: 90 }] }).catch((e: Error) => e);
        expect(error).toBeInstanceOf(Error);
        return (error as Error).message.replace(cmeNumber, '#');
      };
      expect(await refusal(guessed[0]!)).toBe(await refusal(madeUp[0]!));
      expect(await victimsAttendance()).toEqual([]);
      expect(await server.db.selectFrom('assessment_results').select('person_id').where('project_id', '=', projectId).execute()).toEqual([]);
    } finally {
      server.clock.now = START;
      // Signing in at the later date purged the sessions that had expired by then, the attacker's too.
      attackerCookie = await server.login({ login: attackerLogin, password: 'a-long-password' });
      attacker = server.client({ cookie: attackerCookie });
    }
  });
});

describe('full ID numbers', () => {
  it('leave the server only for people within the caller’s scope, and each export is in the audit log of each person’s unit and the caller’s', async () => {
    // The rows the code before this fix wrote for a harvest: the demo unit's staff on the attacker's session.
    const { projectId } = await declare(attacker, '2026-11-22');
    const sessionId = (await attacker.projects.get.query({ projectId })).sessions[0]!.id;
    const victims = await Promise.all(guessed.slice(0, 2).map(personOf));
    await server.db
      .insertInto('attendance')
      .values(
        victims.map((v) => ({
          session_id: sessionId,
          person_id: v.id,
          sign_in_at: '2026-11-22T00:55:00.000Z',
          sign_out_at: null,
          tap_count: 1,
          updated_at: START.toISOString(),
        })),
      )
      .execute();

    const rows = await exportedRows(attackerCookie, sessionId);
    expect(rows).toHaveLength(2);
    for (const row of rows) expect(row[2]).toMatch(/^\d{3}\*{11}\d{3}[\dX]$/);
    const sheet = JSON.stringify(rows);
    for (const v of victims) expect(sheet).not.toContain(v.idNumber);

    // The demo unit's admin sees who exported its staff, and so does the exporter's own unit.
    const victimAdmin = await server.admin();
    const victimLog = await victimAdmin.registry.auditLog.query({ organisationId: victimUnitId });
    const exportsOf = (log: typeof victimLog) =>
      log
        .filter((l) => l.action === 'session.export-roster')
        .map((l) => l.entityId)
        .sort();
    expect(exportsOf(victimLog)).toEqual(victims.map((v) => v.id).sort());
    expect(exportsOf(await attacker.registry.auditLog.query({ organisationId: attackerUnitId }))).toEqual(victims.map((v) => v.id).sort());
    const lines = await server.db
      .selectFrom('audit_log')
      .select(['organisation_id', 'actor_organisation_id'])
      .where('action', '=', 'session.export-roster')
      .execute();
    expect(lines).toEqual(victims.map(() => ({ organisation_id: victimUnitId, actor_organisation_id: attackerUnitId })));
  });

  it('reach the unit’s own admin in full, with a line per person in its audit log', async () => {
    const kiosk = await demoKiosk();
    const people = await Promise.all(guessed.slice(2, 4).map(personOf));
    await kiosk.client.sync.push.mutate({
      taps: guessed.slice(2, 4).map((card) =>
        cardTap({
          deviceId: kiosk.deviceId,
          sessionId: demoSessionId,
          card,
          seq: ++demoSeq,
          wallTime: '2026-11-22T00:58:00Z',
          monoTime: demoSeq,
          bootId: 'demo',
        }),
      ),
    });
    const adminCookie = await server.login(DEMO_ADMIN);
    const admin = server.client({ cookie: adminCookie });
    const rows = await exportedRows(adminCookie, demoSessionId);
    expect(rows.map((r) => r[2]).sort()).toEqual(people.map((p) => p.idNumber).sort());
    const log = await admin.registry.auditLog.query({ organisationId: victimUnitId });
    const mine = log.filter((l) => l.action === 'session.export-roster' && l.actor === '医教科管理员');
    expect(mine.map((l) => l.entityId).sort()).toEqual(people.map((p) => p.id).sort());
  });
});

describe('tap times', () => {
  it('flag a tap dated far from any moment a kiosk could have recorded it, and not an offline kiosk’s late push', async () => {
    const kiosk = await demoKiosk();
    const cards = [5, 6, 7].map((serial) => formatCmeNumber({ provinceCode: '34', year: 2026, serial }));
    const tap = (card: string, wallTime: string) =>
      cardTap({ deviceId: kiosk.deviceId, sessionId: demoSessionId, card, seq: ++demoSeq, wallTime, monoTime: demoSeq, bootId: 'old-kiosk' });
    const future = tap(cards[0]!, '2099-01-01T00:00:00Z');
    const early = tap(cards[1]!, '2026-11-10T00:00:00Z');
    const offline = tap(cards[2]!, '2026-11-22T00:59:00Z');
    // Pushed ten days after the session by a kiosk that was offline since (and sends no clock).
    server.clock.now = new Date('2026-12-02T03:00:00Z');
    try {
      const res = await kiosk.client.sync.push.mutate({ taps: [future, early, offline] });
      expect(res.results.map((r) => r.status)).toEqual(['stored', 'stored', 'stored']);
    } finally {
      server.clock.now = START;
    }
    const stored = new Map(
      (
        await server.db
          .selectFrom('taps')
          .select(['tap_id', 'status', 'flag_reasons'])
          .where('tap_id', 'in', [future.tapId, early.tapId, offline.tapId])
          .execute()
      ).map((t) => [t.tap_id, t]),
    );
    expect(stored.get(future.tapId)).toMatchObject({ status: 'flagged', flag_reasons: 'implausible-time' });
    expect(stored.get(early.tapId)).toMatchObject({ status: 'flagged', flag_reasons: 'implausible-time' });
    expect(stored.get(offline.tapId)).toMatchObject({ status: 'accepted', flag_reasons: null });
    // The unit's own staff stay on the record for review, but a flagged tap counts for nothing.
    const admin = await server.admin();
    const { people } = await admin.sessions.attendance.query({ sessionId: demoSessionId });
    expect(people.find((p) => p.cmeNumber === cards[0])).toMatchObject({ tapCount: 0, flagged: true, signInAt: null });
    expect(people.find((p) => p.cmeNumber === cards[2])).toMatchObject({ tapCount: 1, flagged: false, signInAt: '2026-11-22T00:59:00.000Z' });
  });
});

describe('corrections and assessment results', () => {
  it('are refused for someone with no attendance at the project, and taken for someone who came', async () => {
    const admin = await server.admin();
    const projectId = (await server.db.selectFrom('sessions').select('project_id').where('id', '=', demoSessionId).executeTakeFirstOrThrow()).project_id;
    const absent = formatCmeNumber({ provinceCode: '34', year: 2026, serial: 50 });
    const came = guessed[2]!; // tapped at the demo door above
    const [absentee, attendee] = [await personOf(absent), await personOf(came)];
    const correct = (personId: string) =>
      admin.sessions.correctAttendance.mutate({
        sessionId: demoSessionId,
        personId,
        signInAt: '2026-11-22T08:58:00+08:00',
        signOutAt: '2026-11-22T17:58:00+08:00',
        reason: '签退时读卡器故障',
      });
    await expect(correct(absentee.id)).rejects.toThrow('attendance.person-no-attendance-any-session');
    await expect(admin.projects.recordAssessments.mutate({ projectId, results: [{ cmeNumber: absent, passed: true, score: 80 }] })).rejects.toMatchObject({
      data: { messageKey: 'assessments.no-attendance', params: { cmeNumbers: absent } },
    });
    const csv = Buffer.from(`继教卡号,是否合格\n${came},合格\n${absent},合格`);
    const cookie = await server.login(DEMO_ADMIN);
    const previewed = await preview(server, cookie, { name: '成绩.csv', bytes: csv }, { kind: 'assessments', project: projectId });
    expect(previewed.body.errors).toMatchObject([{ row: 3, messageKey: 'exchange.assessments.no-attendance' }]);
    expect((await commit(server, cookie, previewed.body.previewId!)).status).toBe(422);
    expect(await server.db.selectFrom('attendance').select('person_id').where('person_id', '=', absentee.id).execute()).toEqual([]);
    expect(await server.db.selectFrom('assessment_results').select('person_id').where('project_id', '=', projectId).execute()).toEqual([]);

    await correct(attendee.id);
    expect(await admin.projects.recordAssessments.mutate({ projectId, results: [{ cmeNumber: came, passed: true, score: 80 }] })).toEqual({ recorded: 1 });
  });
});

describe('taps stored before this fix', () => {
  it('lose the person they named outside the rules, and what was built from them goes', async () => {
    const { projectId } = await declare(attacker, '2026-11-22');
    const sessionId = (await attacker.projects.get.query({ projectId })).sessions[0]!.id;
    const [victimCard, ownCard] = [60, 61].map((serial) => formatCmeNumber({ provinceCode: '34', year: 2026, serial })) as [string, string];
    const [victim, own] = [await personOf(victimCard), await personOf(ownCard)];
    // As the old code stored them: a harvested tap naming the victim, and a tap of the demo unit's
    // own staff at its own door, which stays.
    const harvested = taps(sessionId, [victimCard], '2026-11-22T00:55:00Z')[0]!;
    const row = (t: Tap, deviceId: string, personId: string, status: 'accepted' | 'flagged', reasons: string | null) => ({
      tap_id: t.tapId,
      device_id: deviceId,
      claimed_device_id: deviceId,
      seq: t.seq,
      session_id: t.sessionId,
      credential_kind: t.credential.kind,
      credential_value: t.credential.value,
      person_id: personId,
      kiosk_person_id: null,
      wall_time: t.wallTime,
      mono_time: t.monoTime,
      boot_id: t.bootId,
      source: t.source,
      direction: t.direction,
      status,
      flag_reasons: reasons,
      received_at: START.toISOString(),
      at: t.wallTime,
    });
    const demoDevice = (await server.db.selectFrom('device_sessions').select('device_id').where('session_id', '=', demoSessionId).executeTakeFirstOrThrow())
      .device_id;
    const legit = cardTap({
      deviceId: demoDevice,
      sessionId: demoSessionId,
      card: ownCard,
      seq: ++demoSeq,
      wallTime: '2026-11-22T00:57:00Z',
      monoTime: 1,
      bootId: 'old',
    });
    await server.db
      .insertInto('taps')
      .values([row(harvested, door.deviceId, victim.id, 'flagged', 'session-not-assigned'), row(legit, demoDevice, own.id, 'accepted', null)])
      .execute();
    await server.db
      .insertInto('attendance')
      .values([
        { session_id: sessionId, person_id: victim.id, sign_in_at: null, sign_out_at: null, tap_count: 0, updated_at: START.toISOString(), flagged: 1 },
        {
          session_id: demoSessionId,
          person_id: own.id,
          sign_in_at: legit.wallTime,
          sign_out_at: null,
          tap_count: 1,
          updated_at: START.toISOString(),
          flagged: 0,
        },
      ])
      .execute();

    await migrations['2026-11-30-09A1-taps-name-admitted-people-only']!('sqlite').up(server.db);

    const after = new Map(
      (
        await server.db
          .selectFrom('taps')
          .select(['tap_id', 'person_id', 'status', 'flag_reasons'])
          .where('tap_id', 'in', [harvested.tapId, legit.tapId])
          .execute()
      ).map((t) => [t.tap_id, t]),
    );
    expect(after.get(harvested.tapId)).toEqual({
      tap_id: harvested.tapId,
      person_id: null,
      status: 'flagged',
      flag_reasons: 'session-not-assigned,project-not-held,unknown-credential',
    });
    expect(after.get(legit.tapId)).toMatchObject({ person_id: own.id, status: 'accepted' });
    expect(await server.db.selectFrom('attendance').select('session_id').where('person_id', '=', victim.id).execute()).toEqual([]);
    expect(await server.db.selectFrom('attendance').select('session_id').where('person_id', '=', own.id).execute()).toEqual([{ session_id: demoSessionId }]);
    // The rows of the export test above were harvested too: none is left of the demo unit's staff on the attacker's sessions.
    const attackerSessions = server.db
      .selectFrom('sessions')
      .innerJoin('projects', 'projects.id', 'sessions.project_id')
      .select('sessions.id')
      .where('projects.organiser_id', '=', attackerUnitId);
    expect(await server.db.selectFrom('attendance').select('person_id').where('session_id', 'in', attackerSessions).execute()).toEqual([]);
  });
});
