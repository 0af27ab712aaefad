// The whole path of a CME project on a real server and SQLite: declare → review by the offices
// its level requires → kiosk taps → correction → assessment → roster export → execution report →
// credits submitted → approved → the ledger holds the expected entries and nothing else.
import ExcelJS from 'exceljs';
import { DEFAULT_ATTENDANCE_RULES, formatCmeNumber, newId, type Tap } from '@opencme/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_ADMIN, DEMO_ADMIN_B, DEMO_DIRECTOR } from '../src/seed.ts';
import { commit, preview } from './exchange/files.ts';
import { cardTap, type Client, startServer, type TestServer } from './harness.ts';

let server: TestServer;
let organiser: Client;
/** The unit's second CME-office account, which reviews the unit's own projects. */
let director: Client;
let organiserCookie: string;
let city: Client;
let province: Client;
let provinceId: string;
let cards: string[];

/** Moves the server's clock, and signs everyone in again (sign-ins expire as time passes). */
async function at(iso: string) {
  server.clock.now = new Date(iso);
  organiserCookie = await server.login(DEMO_ADMIN);
  organiser = server.client({ cookie: organiserCookie });
  director = server.client({ cookie: await server.login(DEMO_DIRECTOR) });
  // The seed's city and province offices (合肥市卫健委, 省继教办).
  city = server.client({ cookie: await server.login({ login: 'city', password: DEMO_ADMIN.password }) });
  province = server.client({ cookie: await server.login({ login: 'province', password: DEMO_ADMIN.password }) });
}

beforeAll(async () => {
  server = await startServer();
  const hospital = await server.db.selectFrom('organisations').select(['id', 'parent_id']).where('kind', '=', 'institution').executeTakeFirstOrThrow();
  const cityId = hospital.parent_id!;
  provinceId = (await server.db.selectFrom('organisations').select('parent_id').where('id', '=', cityId).executeTakeFirstOrThrow()).parent_id!;
  await at('2026-11-22T02:00:00Z');
  cards = (await server.db.selectFrom('persons').select('cme_number').where('cme_number', 'is not', null).orderBy('cme_number').limit(6).execute()).map(
    (p) => p.cme_number!,
  );
});
afterAll(() => server.close());

const project = (overrides: Record<string, unknown> = {}) => ({
  number: `2026-${newId().slice(-6)}`,
  name: '心血管疾病诊疗进展',
  level: 'provincial' as const,
  creditClass: 'I' as const,
  credits: 2,
  venue: '学术报告厅',
  startsOn: '2026-12-31',
  endsOn: '2027-01-01',
  mode: 'onsite' as const,
  // The second course is on 1 January Beijing time, still 31 December in UTC: its credits count for 2027.
  courses: [
    { name: '高血压新指南', startsAt: '2026-12-31T09:00:00+08:00', endsAt: '2026-12-31T12:00:00+08:00', credits: 1 },
    { name: '心衰管理', startsAt: '2027-01-01T09:00:00+08:00', endsAt: '2027-01-01T12:00:00+08:00', credits: 1 },
  ],
  ...overrides,
});

describe('declaration and review', () => {
  it('refuses a project declared later than the province’s lead time, and the lead time is the province’s setting', async () => {
    await at('2026-11-22T02:00:00Z');
    const late = project({
      startsOn: '2026-12-01',
      endsOn: '2026-12-01',
      courses: [{ name: '讲座', startsAt: '2026-12-01T09:00:00+08:00', endsAt: '2026-12-01T11:00:00+08:00', credits: 1 }],
    });
    const { projectId } = await organiser.projects.declare.mutate(late);
    await expect(organiser.projects.submit.mutate({ projectId })).rejects.toMatchObject({
      data: { messageKey: 'projects.project-declared-least-days-before', params: { projectLeadDays: 14, lead: 9 }, field: 'startsOn' },
    });
    await province.projects.saveSettings.mutate({ provinceId, projectLeadDays: 7, reportDays: 14, attendanceRules: DEFAULT_ATTENDANCE_RULES });
    await organiser.projects.submit.mutate({ projectId });
    expect((await organiser.projects.get.query({ projectId })).project.status).toBe('submitted');
    await province.projects.saveSettings.mutate({ provinceId, projectLeadDays: 14, reportDays: 14, attendanceRules: DEFAULT_ATTENDANCE_RULES });
  });

  it('refuses courses outside the project’s dates and a duplicate number, storing nothing', async () => {
    const bad = project({ courses: [{ name: '讲座', startsAt: '2027-01-02T09:00:00+08:00', endsAt: '2027-01-02T11:00:00+08:00', credits: 1 }] });
    await expect(organiser.projects.declare.mutate(bad)).rejects.toThrow('projects.course-outside-project-dates');
    const ok = project();
    await organiser.projects.declare.mutate(ok);
    await expect(organiser.projects.declare.mutate(ok)).rejects.toMatchObject({
      data: { messageKey: 'projects.project-number-taken', params: { number: ok.number }, field: 'number' },
    });
    expect(await server.db.selectFrom('projects').select('id').where('number', '=', ok.number).execute()).toHaveLength(1);
  });

  it('gives the class the level decides: a provincial project of Class II credits or a unit one of Class I is refused', async () => {
    await expect(organiser.projects.declare.mutate(project({ level: 'provincial', creditClass: 'II' }))).rejects.toThrow('projects.level-awards-class-i');
    await expect(organiser.projects.declare.mutate(project({ level: 'unit', creditClass: 'I' }))).rejects.toThrow('projects.level-awards-class-ii');
  });

  it('goes through the city, then the province; the wrong office cannot act; a rejection needs a reason; each step is recorded', async () => {
    await at('2026-11-22T02:00:00Z');
    const { projectId } = await organiser.projects.declare.mutate(project());
    await organiser.projects.submit.mutate({ projectId });
    await expect(province.projects.review.mutate({ projectId, decision: 'approve', reason: null })).rejects.toThrow('projects.waits-for-city');
    await expect(city.projects.review.mutate({ projectId, decision: 'reject', reason: null })).rejects.toThrow('projects.rejection-needs-reason');
    expect(await city.projects.review.mutate({ projectId, decision: 'reject', reason: '课程安排不完整' })).toEqual({ status: 'rejected' });
    await organiser.projects.submit.mutate({ projectId });
    expect(await city.projects.review.mutate({ projectId, decision: 'approve', reason: null })).toEqual({ status: 'submitted' });
    expect(await province.projects.review.mutate({ projectId, decision: 'approve', reason: '同意' })).toEqual({ status: 'approved' });
    const { events } = await organiser.projects.get.query({ projectId });
    expect(events.map((e) => [e.action, e.to, e.actor, e.reason])).toEqual([
      ['declare', 'draft', '医教科管理员', null],
      ['submit', 'submitted', '医教科管理员', null],
      ['reject', 'rejected', '合肥市卫健委', '课程安排不完整'],
      ['submit', 'submitted', '医教科管理员', null],
      ['approve:city', 'submitted', '合肥市卫健委', null],
      ['approve:province', 'approved', '安徽省继教办', '同意'],
    ]);
  });
});

describe('the whole path', () => {
  it('ends with one ledger entry per approved attendee and course, in the course’s CME year, and nothing else', async () => {
    await at('2026-11-22T02:00:00Z');
    const declared = project();
    const { projectId } = await organiser.projects.declare.mutate(declared);
    const { sessions, courses } = await organiser.projects.get.query({ projectId });
    const kiosk = await organiser.devices.create.mutate({ name: '项目签到机' });
    // Only approved projects are held: no kiosk before approval.
    await expect(organiser.devices.assignSession.mutate({ deviceId: kiosk.id, sessionId: sessions[0]!.id })).rejects.toThrow(
      'devices.project-not-approved-yet-no',
    );
    await organiser.projects.submit.mutate({ projectId });
    await city.projects.review.mutate({ projectId, decision: 'approve', reason: null });
    await province.projects.review.mutate({ projectId, decision: 'approve', reason: null });
    for (const s of sessions) await organiser.devices.assignSession.mutate({ deviceId: kiosk.id, sessionId: s.id });
    const paired = await server.client().devices.pair.mutate({ code: kiosk.pairingCode });
    const door = server.client({ authorization: `Bearer ${paired.token}` });
    const pulled = await door.sync.pull.query({ cursor: null });
    expect(pulled.sessions.map((s) => s.title)).toEqual(['高血压新指南', '心衰管理']);
    expect(pulled.sessions[0]!.rules).toEqual(DEFAULT_ATTENDANCE_RULES);

    const [p1, p2, p3, p4, p5, p6] = cards as [string, string, string, string, string, string];
    let seq = 0;
    const tap = (sessionId: string, card: string, iso: string): Tap =>
      cardTap({ deviceId: paired.deviceId, sessionId, card, seq: ++seq, wallTime: iso, monoTime: seq * 1000, bootId: 'boot-1' });
    const [a, b] = [sessions[0]!.id, sessions[1]!.id];
    const full = (s: string, card: string, day: string) => [tap(s, card, `${day}T08:55:00+08:00`), tap(s, card, `${day}T12:01:00+08:00`)];
    // The door syncs after the event, as a kiosk back on the network does.
    await at('2027-01-02T02:00:00Z');
    await door.sync.push.mutate({
      taps: [
        ...full(a, p1, '2026-12-31'),
        ...full(b, p1, '2027-01-01'),
        ...full(a, p2, '2026-12-31'),
        ...full(a, p3, '2026-12-31'),
        ...full(b, p3, '2027-01-01'),
        tap(a, p4, '2026-12-31T08:58:00+08:00'), // forgot to sign out
        ...full(a, p5, '2026-12-31'),
        tap(a, p6, '2026-12-31T09:20:00+08:00'), // late by the default grace of 15 minutes
        tap(a, p6, '2026-12-31T12:00:00+08:00'),
      ],
    });

    const before = await organiser.sessions.attendance.query({ sessionId: a });
    const statusOf = (people: typeof before.people, card: string) => people.find((p) => p.cmeNumber === card)?.status;
    expect([p1, p2, p3, p4, p5, p6].map((c) => statusOf(before.people, c))).toEqual([
      'complete',
      'complete',
      'complete',
      'incomplete',
      'complete',
      'incomplete',
    ]);

    // The organiser corrects p4 with a reason; the audit log keeps the record before and after.
    const person4 = before.people.find((p) => p.cmeNumber === p4)!;
    await expect(
      organiser.sessions.correctAttendance.mutate({
        sessionId: a,
        personId: person4.personId,
        signInAt: null,
        signOutAt: '2026-12-31T12:00:00+08:00',
        reason: '',
      }),
    ).rejects.toThrow(/reason/);
    await organiser.sessions.correctAttendance.mutate({
      sessionId: a,
      personId: person4.personId,
      signInAt: '2026-12-31T08:58:00+08:00',
      signOutAt: '2026-12-31T12:00:00+08:00',
      reason: '签到机故障，会务组纸质签退表为证',
    });
    const after = await organiser.sessions.attendance.query({ sessionId: a });
    expect(after.people.find((p) => p.cmeNumber === p4)).toMatchObject({
      status: 'complete',
      signOutAt: null,
      correctionReason: '签到机故障，会务组纸质签退表为证',
    });
    const audited = await server.db.selectFrom('audit_log').selectAll().where('action', '=', 'attendance.correct').execute();
    expect(audited).toHaveLength(1);
    expect(JSON.parse(audited[0]!.before!)).toMatchObject({ status: 'incomplete', corrected_sign_out_at: null });
    expect(JSON.parse(audited[0]!.after!)).toMatchObject({ status: 'complete', correction_reason: '签到机故障，会务组纸质签退表为证' });

    // Assessment: by hand for p1, from an xlsx for the others (p5 has no result, so no credit).
    await organiser.projects.recordAssessments.mutate({ projectId, results: [{ cmeNumber: p1, passed: true, score: 92 }] });
    const book = new ExcelJS.Workbook();
    const sheet = book.addWorksheet('成绩');
    sheet.addRows([
      ['继教卡号', '姓名', '成绩', '是否合格'],
      [p2, '乙', '85', '合格'],
      [p3, '丙', '40', '不合格'],
      [p4, '丁', '77', '合格'],
      [p6, '己', '80', '合格'],
    ]);
    const xlsx = Buffer.from(await book.xlsx.writeBuffer());
    // The file goes to the exchange with the project as its subject, previewed and then committed, as the project page sends it.
    const send = (name: string, bytes: string | Uint8Array) =>
      preview(
        server,
        organiserCookie,
        { name, bytes: typeof bytes === 'string' ? new TextEncoder().encode(bytes) : bytes },
        { kind: 'assessments', project: projectId },
      );
    const unreadable = await send('成绩.csv', '卡号,结果\n1,2');
    expect(unreadable.status).toBe(422);
    expect(unreadable.body.header.missing).toContain('是否合格');
    expect((await send('成绩.xlsx', 'not a zip')).body.messageKey).toBe('exchange.not-really-xlsx');
    // An unknown card number and one of someone who did not come read the same.
    const stranger = formatCmeNumber({ provinceCode: '34', year: 2026, serial: 99_999 });
    const absent = await send('成绩.csv', `继教卡号,是否合格\n${p2},合格\n${stranger},合格`);
    expect(absent.body.summary).toEqual({ create: 1, update: 0, unchanged: 0, rejected: 1 });
    expect(absent.body.errors).toMatchObject([{ row: 3, column: '继教卡号', code: 'assessments-no-attendance' }]);
    expect((await commit(server, organiserCookie, absent.body.previewId!)).status).toBe(422);
    expect((await send('成绩.csv', `继教卡号,是否合格\n${p2},也许`)).body.errors).toMatchObject([
      { row: 2, column: '是否合格', messageKey: 'exchange.cell.passed', params: { word: '也许' } },
    ]);
    expect(await server.db.selectFrom('assessment_results').select('person_id').where('project_id', '=', projectId).execute()).toHaveLength(1);
    const results = await send('成绩.xlsx', xlsx);
    expect(results.body.summary).toEqual({ create: 4, update: 0, unchanged: 0, rejected: 0 });
    expect((await commit(server, organiserCookie, results.body.previewId!)).body.summary).toMatchObject({ create: 4 });
    // Another unit's admin cannot import into this project (nor learn who attended it).
    const elsewhere = await preview(server, await server.login(DEMO_ADMIN_B), { name: '成绩.xlsx', bytes: xlsx }, { kind: 'assessments', project: projectId });
    expect(elsewhere.status).toBe(403);

    // The roster export: ID numbers as text, every digit kept, times in Beijing time.
    const exported = await server.download(`/api/files/sessions/${a}/roster`, organiserCookie);
    const roster = new ExcelJS.Workbook();
    await roster.xlsx.load(Uint8Array.from(exported.bytes).buffer);
    const rows = roster.worksheets[0]!.getSheetValues().filter(Boolean) as unknown[][];
    expect(rows[0]!.slice(1, 9)).toEqual(['姓名', '身份证号', '继教卡号', '科室', '签到时间', '签退时间', '在场分钟', '状态']);
    const row1 = rows.find((r) => r[3] === p1)!;
    expect(row1[2]).toMatch(/^\d{17}[\dX]$/);
    expect(typeof row1[2]).toBe('string');
    expect(row1.slice(5, 9)).toEqual(['2026-12-31 08:55:00', '2026-12-31 12:01:00', 180, '完成']);
    expect(await server.db.selectFrom('audit_log').select('id').where('action', '=', 'session.export-roster').execute()).toHaveLength(rows.length - 1);

    // Report within the deadline, then credits; the province (the approving office) approves them.
    await expect(organiser.projects.submitCredits.mutate({ projectId })).rejects.toThrow('projects.report-before-credits');
    expect(
      await organiser.projects.report.mutate({
        projectId,
        summary: '按计划举办，学员 5 人',
        attachments: await server.upload('attachment', [{ name: '日程.pdf', bytes: '%PDF-1.4', type: 'application/pdf' }], organiserCookie),
      }),
    ).toEqual({ late: false });
    // The province allows 30 minutes of grace from now on: the credits are computed by the rules in force.
    await province.projects.saveSettings.mutate({
      provinceId,
      projectLeadDays: 14,
      reportDays: 14,
      attendanceRules: { ...DEFAULT_ATTENDANCE_RULES, lateSignInMinutes: 30 },
    });
    expect(await organiser.projects.submitCredits.mutate({ projectId })).toEqual({ awards: 5 });
    await expect(city.projects.reviewCredits.mutate({ projectId, decision: 'approve', reason: null })).rejects.toThrow('projects.waits-for-province');
    expect(await province.projects.reviewCredits.mutate({ projectId, decision: 'approve', reason: null })).toEqual({ entries: 5 });
    // Approving again changes nothing.
    await expect(province.projects.reviewCredits.mutate({ projectId, decision: 'approve', reason: null })).rejects.toThrow('projects.no-credits-to-review');

    const personOf = new Map((await server.db.selectFrom('persons').select(['id', 'cme_number']).execute()).map((p) => [p.id, p.cme_number]));
    // Beside the demo's imported credits, which were there before, the ledger holds these and nothing else.
    const ledger = await server.db.selectFrom('ledger_entries').selectAll().where('source_kind', '<>', 'import').execute();
    const [courseA, courseB] = [courses[0]!, courses[1]!];
    expect(ledger.map((e) => [personOf.get(e.person_id), e.source_id, e.cme_year, e.credits, e.credit_class, e.level, e.source_kind]).sort()).toEqual(
      [
        [p1, courseA.id, 2026, 1, 'I', 'provincial', 'attendance'],
        [p1, courseB.id, 2027, 1, 'I', 'provincial', 'attendance'],
        [p2, courseA.id, 2026, 1, 'I', 'provincial', 'attendance'],
        [p4, courseA.id, 2026, 1, 'I', 'provincial', 'attendance'],
        [p6, courseA.id, 2026, 1, 'I', 'provincial', 'attendance'],
      ].sort(),
    );
    expect(ledger[0]!.source_label).toContain(declared.name);
    expect((await organiser.projects.get.query({ projectId })).project.status).toBe('credits-approved');
  });

  it('marks an execution report after the province’s deadline as late, and its credits cannot be submitted', async () => {
    await at('2026-11-22T02:00:00Z');
    const unitProject = project({
      level: 'unit',
      creditClass: 'II',
      startsOn: '2026-12-10',
      endsOn: '2026-12-10',
      courses: [{ name: '病例讨论', startsAt: '2026-12-10T14:00:00+08:00', endsAt: '2026-12-10T16:00:00+08:00', credits: 0.5 }],
    });
    const { projectId } = await organiser.projects.declare.mutate(unitProject);
    await organiser.projects.submit.mutate({ projectId });
    // A unit's own project is reviewed by the unit's CME office, by another account than the organiser's.
    expect(await director.projects.review.mutate({ projectId, decision: 'approve', reason: null })).toEqual({ status: 'approved' });
    await at('2026-12-09T02:00:00Z');
    await expect(organiser.projects.report.mutate({ projectId, summary: '总结', attachments: [] })).rejects.toThrow('projects.project-not-ended-yet-ends');
    await at('2026-12-25T02:00:00Z');
    expect(await organiser.projects.report.mutate({ projectId, summary: '总结', attachments: [] })).toEqual({ late: true });
    expect((await organiser.projects.list.query()).find((p) => p.id === projectId)).toMatchObject({ status: 'reported', reportLate: 1 });
    // Late reports get no credit (DOMAIN.md): nothing can be submitted, nothing reaches the ledger.
    await expect(organiser.projects.submitCredits.mutate({ projectId })).rejects.toThrow('projects.execution-report-late-no-credits');
  });
});
