// Projects' rest of life (issue 13): files at declaration (办班通知, 日程安排) as the province
// requires them, the specialty (专业), cancellation (项目废止) with its reason, the deadlines of the
// organiser and the reviewing offices shown as overdue (逾期 N 天), and the execution report
// (执行情况) reviewed level by level like the declaration. On a real server and SQLite.
import { DEFAULT_ATTENDANCE_RULES, newId } from '@opencme/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_ADMIN, DEMO_CITY, DEMO_DIRECTOR, DEMO_PROVINCE } from '../src/seed.ts';
import { type Client, startServer, type TestServer } from './harness.ts';

let server: TestServer;
let organiser: Client;
let organiserCookie: string;
let director: Client;
let city: Client;
let province: Client;
let provinceId: string;

async function at(iso: string) {
  server.clock.now = new Date(iso);
  organiserCookie = await server.login(DEMO_ADMIN);
  organiser = server.client({ cookie: organiserCookie });
  director = server.client({ cookie: await server.login(DEMO_DIRECTOR) });
  city = server.client({ cookie: await server.login(DEMO_CITY) });
  province = server.client({ cookie: await server.login(DEMO_PROVINCE) });
}

const settings = (extra: Record<string, unknown> = {}) => ({
  provinceId,
  projectLeadDays: 14,
  reportDays: 14,
  attendanceRules: DEFAULT_ATTENDANCE_RULES,
  ...extra,
});

const project = (overrides: Record<string, unknown> = {}) => ({
  number: `2026-${newId().slice(-6)}`,
  name: '急诊急救新进展',
  level: 'provincial' as const,
  creditClass: 'I' as const,
  credits: 1,
  venue: '学术报告厅',
  startsOn: '2026-12-10',
  endsOn: '2026-12-10',
  mode: 'onsite' as const,
  specialty: '急诊医学',
  courses: [{ name: '心肺复苏', startsAt: '2026-12-10T09:00:00+08:00', endsAt: '2026-12-10T12:00:00+08:00', credits: 1 }],
  ...overrides,
});

const PDF = { name: '办班通知.pdf', bytes: '%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n', type: 'application/pdf' };
const DOCX = { name: '日程安排.docx', bytes: new Uint8Array([0x50, 0x4b, 0x03, 0x04, 1, 2, 3, 4, 5, 6]) };

async function approved(overrides: Record<string, unknown> = {}) {
  const { projectId } = await organiser.projects.declare.mutate(project(overrides));
  await organiser.projects.submit.mutate({ projectId });
  await city.projects.review.mutate({ projectId, decision: 'approve', reason: null });
  await province.projects.review.mutate({ projectId, decision: 'approve', reason: null });
  return projectId;
}

beforeAll(async () => {
  server = await startServer();
  const hospital = await server.db.selectFrom('organisations').select(['id', 'parent_id']).where('kind', '=', 'institution').executeTakeFirstOrThrow();
  provinceId = (await server.db.selectFrom('organisations').select('parent_id').where('id', '=', hospital.parent_id!).executeTakeFirstOrThrow()).parent_id!;
  await at('2026-11-22T02:00:00Z');
});
afterAll(() => server.close());

describe('files at declaration (办班通知, 日程安排) and the specialty (专业)', () => {
  it('refuses a submission without the files the province requires, takes PDF/Word/images only, and serves them back as sent', async () => {
    await at('2026-11-22T02:00:00Z');
    await province.projects.saveSettings.mutate(settings({ declarationFiles: ['notice', 'schedule'] }));
    const { projectId } = await organiser.projects.declare.mutate(project());
    await expect(organiser.projects.submit.mutate({ projectId })).rejects.toThrow('projects.declaration-needs-notice');

    const [text] = await server.upload('attachment', [{ name: '通知.txt', bytes: 'not a pdf' }], organiserCookie);
    await expect(organiser.projects.attachFiles.mutate({ projectId, kind: 'notice', uploads: [text!] })).rejects.toMatchObject({
      data: { messageKey: 'projects.file-not-pdf-word-image', params: { fileName: '通知.txt' } },
    });
    await organiser.projects.attachFiles.mutate({ projectId, kind: 'notice', uploads: await server.upload('attachment', [PDF], organiserCookie) });
    await expect(organiser.projects.submit.mutate({ projectId })).rejects.toThrow('projects.declaration-needs-schedule');
    await organiser.projects.attachFiles.mutate({ projectId, kind: 'schedule', uploads: await server.upload('attachment', [DOCX], organiserCookie) });

    const detail = await organiser.projects.get.query({ projectId });
    expect(detail.project.specialty).toBe('急诊医学');
    expect(detail.declarationFiles).toEqual(['notice', 'schedule']);
    expect(detail.attachments.map((a) => [a.kind, a.name, a.contentType])).toEqual([
      ['notice', '办班通知.pdf', 'application/pdf'],
      ['schedule', '日程安排.docx', 'application/vnd.openxmlformats-officedocument.wordprocessingml.document'],
    ]);
    const notice = detail.attachments[0]!;
    const got = await server.download(`/api/files/projects/${projectId}/files/${notice.id}`, organiserCookie);
    expect(got.res.status).toBe(200);
    expect(got.res.headers.get('content-type')).toBe('application/pdf');
    expect(got.bytes.toString()).toBe(PDF.bytes);

    await organiser.projects.submit.mutate({ projectId });
    // Under review, the declaration's files are what the offices read: they no longer change.
    await expect(organiser.projects.removeFile.mutate({ projectId, fileId: notice.id })).rejects.toThrow('projects.only-draft-amended');
    expect((await organiser.projects.list.query()).find((p) => p.id === projectId)?.specialty).toBe('急诊医学');
    await province.projects.saveSettings.mutate(settings({ declarationFiles: [] }));
  });

  it('lets the organiser remove a file of a draft, and only a declaration file', async () => {
    const { projectId } = await organiser.projects.declare.mutate(project({ specialty: null }));
    await organiser.projects.attachFiles.mutate({ projectId, kind: 'notice', uploads: await server.upload('attachment', [PDF], organiserCookie) });
    const [file] = (await organiser.projects.get.query({ projectId })).attachments;
    await organiser.projects.removeFile.mutate({ projectId, fileId: file!.id });
    expect((await organiser.projects.get.query({ projectId })).attachments).toEqual([]);
    await expect(organiser.projects.removeFile.mutate({ projectId, fileId: file!.id })).rejects.toThrow('projects.no-such-file');
  });
});

describe('cancellation (项目废止)', () => {
  it('keeps the record and its reason, frees the kiosks, takes no more assignments, is audited, and happens once', async () => {
    await at('2026-11-22T02:00:00Z');
    const projectId = await approved();
    const { sessions } = await organiser.projects.get.query({ projectId });
    const kiosk = await organiser.devices.create.mutate({ name: '废止项目签到机' });
    await organiser.devices.assignSession.mutate({ deviceId: kiosk.id, sessionId: sessions[0]!.id });
    const paired = await server.client().devices.pair.mutate({ code: kiosk.pairingCode });
    const door = server.client({ authorization: `Bearer ${paired.token}` });
    expect((await door.sync.pull.query({ cursor: null })).sessions.map((s) => s.id)).toEqual([sessions[0]!.id]);

    await expect(organiser.projects.cancel.mutate({ projectId, reason: '  ' })).rejects.toThrow();
    // The city, above the organiser, may cancel it too; here the organiser does.
    expect(await organiser.projects.cancel.mutate({ projectId, reason: '主讲专家无法到场' })).toEqual({ devicesFreed: 1 });

    const detail = await organiser.projects.get.query({ projectId });
    expect(detail.project).toMatchObject({ status: 'cancelled', cancel_reason: '主讲专家无法到场' });
    expect(detail.sessions).toHaveLength(1);
    expect(detail.events.at(-1)).toMatchObject({ action: 'cancel', from: 'approved', to: 'cancelled', reason: '主讲专家无法到场' });
    expect(detail.deadline).toBeNull();
    expect((await door.sync.pull.query({ cursor: null })).sessions).toEqual([]);
    await expect(organiser.devices.assignSession.mutate({ deviceId: kiosk.id, sessionId: sessions[0]!.id })).rejects.toThrow(
      'devices.project-not-approved-yet-no',
    );
    await expect(organiser.projects.cancel.mutate({ projectId, reason: '再次' })).rejects.toThrow('projects.cannot-be-cancelled');
    const logged = await server.db.selectFrom('audit_log').selectAll().where('action', '=', 'project.cancel').where('entity_id', '=', projectId).execute();
    expect(logged).toHaveLength(1);
  });

  it('lets the reviewing city cancel a project under review; a draft is deleted, not cancelled', async () => {
    const { projectId } = await organiser.projects.declare.mutate(project());
    await expect(city.projects.cancel.mutate({ projectId, reason: '不符合要求' })).rejects.toThrow('projects.cannot-be-cancelled');
    await organiser.projects.submit.mutate({ projectId });
    await city.projects.cancel.mutate({ projectId, reason: '不符合要求' });
    expect((await organiser.projects.list.query()).find((p) => p.id === projectId)?.status).toBe('cancelled');
  });
});

describe('the execution report, reviewed level by level (执行情况逐级审核), and the deadlines', () => {
  it('climbs city then province like the declaration; a return needs its reason and the organiser sends it again', async () => {
    await at('2026-11-22T02:00:00Z');
    const projectId = await approved();
    await at('2026-12-12T02:00:00Z');
    await organiser.projects.report.mutate({ projectId, summary: '按计划举办，学员 40 人', attachments: [] });
    await expect(province.projects.reviewReport.mutate({ projectId, decision: 'approve', reason: null })).rejects.toThrow('projects.waits-for-city');
    await expect(city.projects.reviewReport.mutate({ projectId, decision: 'return', reason: null })).rejects.toThrow('projects.rejection-needs-reason');
    expect(await city.projects.reviewReport.mutate({ projectId, decision: 'return', reason: '缺少考试试题' })).toEqual({ reportStatus: 'returned' });
    await expect(city.projects.reviewReport.mutate({ projectId, decision: 'approve', reason: null })).rejects.toThrow('projects.no-report-to-review');

    const [attachment] = await server.upload('attachment', [PDF], organiserCookie);
    await organiser.projects.report.mutate({ projectId, summary: '补充考试试题', attachments: [attachment!] });
    expect(await city.projects.reviewReport.mutate({ projectId, decision: 'approve', reason: null })).toEqual({ reportStatus: 'pending' });
    expect(await province.projects.reviewReport.mutate({ projectId, decision: 'approve', reason: '同意' })).toEqual({ reportStatus: 'approved' });
    const detail = await organiser.projects.get.query({ projectId });
    expect(detail.project).toMatchObject({ status: 'reported', report_status: 'approved', report_summary: '补充考试试题', report_late: 0 });
    expect(detail.attachments.map((a) => a.kind)).toEqual(['report']);
    expect(detail.events.slice(-5).map((e) => [e.action, e.actor, e.reason])).toEqual([
      ['report', '医教科管理员', null],
      ['return-report', '合肥市卫健委', '缺少考试试题'],
      ['report', '医教科管理员', null],
      ['approve-report:city', '合肥市卫健委', null],
      ['approve-report:province', '安徽省继教办', '同意'],
    ]);
  });

  it('refuses the organiser’s own accounts a decision on its report (separation of duties)', async () => {
    await at('2026-11-22T02:00:00Z');
    // A unit's own project is reviewed by its unit office: another of its accounts (the director).
    const { projectId } = await organiser.projects.declare.mutate(project({ level: 'unit', creditClass: 'II' }));
    await organiser.projects.submit.mutate({ projectId });
    await director.projects.review.mutate({ projectId, decision: 'approve', reason: null });
    await at('2026-12-11T02:00:00Z');
    await organiser.projects.report.mutate({ projectId, summary: '总结', attachments: [] });
    await expect(organiser.projects.reviewReport.mutate({ projectId, decision: 'approve', reason: null })).rejects.toThrow(
      'projects.took-part-in-declaring-running',
    );
    expect(await director.projects.reviewReport.mutate({ projectId, decision: 'approve', reason: null })).toEqual({ reportStatus: 'approved' });
  });

  it('tracks each party’s deadline from the province’s settings and shows the days overdue in China time', async () => {
    await at('2026-11-22T02:00:00Z');
    await province.projects.saveSettings.mutate(settings({ reviewDays: 21, creditsDays: 14 }));
    const { projectId: waiting } = await organiser.projects.declare.mutate(project());
    await organiser.projects.submit.mutate({ projectId: waiting });
    const held = await approved();

    // 10 December, 00:30 in Beijing (still 9 December in UTC): the declaration was due the day before the start.
    await at('2026-12-09T16:30:00Z');
    const list = await city.projects.list.query();
    expect(list.find((p) => p.id === waiting)?.deadline).toEqual({ kind: 'review-declaration', party: 'reviewer', dueOn: '2026-12-09', overdueDays: 1 });
    expect(list.find((p) => p.id === held)?.deadline).toBeNull();

    // The report is due 14 days after the end (24 December); on 27 December it is 3 days late.
    await at('2026-12-27T02:00:00Z');
    expect((await organiser.projects.get.query({ projectId: held })).deadline).toEqual({
      kind: 'report',
      party: 'organiser',
      dueOn: '2026-12-24',
      overdueDays: 3,
    });
    await organiser.projects.report.mutate({ projectId: held, summary: '总结', attachments: [] });
    // The offices review within 3 weeks of the end (Henan's notice): 31 December.
    expect((await city.projects.get.query({ projectId: held })).deadline).toEqual({
      kind: 'review-report',
      party: 'reviewer',
      dueOn: '2026-12-31',
      overdueDays: 0,
    });
    await at('2027-01-05T02:00:00Z');
    expect((await city.projects.list.query()).find((p) => p.id === held)?.deadline).toMatchObject({ kind: 'review-report', overdueDays: 5 });
    await province.projects.saveSettings.mutate(settings({ reviewDays: 28 }));
    expect((await city.projects.list.query()).find((p) => p.id === held)?.deadline).toMatchObject({
      kind: 'review-report',
      dueOn: '2027-01-07',
      overdueDays: 0,
    });
  });
});
