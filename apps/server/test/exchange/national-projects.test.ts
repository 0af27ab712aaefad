// The national project list (国家级继续医学教育项目导入模版), imported by the province office over
// HTTP with files made here as the lists come: columns in the list's order under a title row, the
// dates as the national lists write them. The projects become approved national projects of their
// organising unit with a session a day, whose admin can then give a session a kiosk; the same list
// again changes nothing; an organiser the province does not know is an error; undo takes the
// projects back until a kiosk has recorded a tap.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { DEMO_ADMIN, DEMO_PROVINCE } from '../../src/seed.ts';
import { startServer, type TestServer } from '../harness.ts';
import { type Cells, commit, preview, xlsx } from './files.ts';

vi.setConfig({ hookTimeout: 60_000, testTimeout: 60_000 });

let server: TestServer;
let province: string;
let hospitalName: string;
let provinceId: string;

const HEADER = ['序号', '项目编号', '项目名称', '负责人', '主办单位', '举办起止日期', '举办地点', '学分', '学员人数'];
const listOf = (rows: Cells[]) => xlsx([HEADER, ...rows], { before: [['2026年第一批国家级继续医学教育项目表（安徽省）']] });

beforeAll(async () => {
  server = await startServer();
  province = await server.login(DEMO_PROVINCE);
  const db = server.db;
  provinceId = (await db.selectFrom('organisations').select('id').where('kind', '=', 'province').executeTakeFirstOrThrow()).id;
  hospitalName = (await db.selectFrom('organisations').select('name').where('kind', '=', 'institution').executeTakeFirstOrThrow()).name;
});
afterAll(() => server?.close());

describe('the national project list', () => {
  it('becomes approved national projects of their organiser, a session a day, and the organiser gives a session a kiosk', async () => {
    const rows: Cells[] = [
      [1, '2026-04-01-001(国)', '心血管疾病诊治新进展学习班', '张三', hospitalName, '2026年12月7日-9日', '合肥市', 10, 200],
      [2, '2026-04-02-002(国)', '急危重症护理技术培训班', '李四', hospitalName, '2026/12/14', '合肥市', 5, null],
      [3, '2026-04-03-003(国)', '外省主办的项目', '王五', '不存在的医院', '2026-12-01至2026-12-02', '芜湖市', 6, 100],
    ];
    const first = await preview(server, province, { name: '国家级项目.xlsx', bytes: await listOf(rows) }, { kind: 'national-projects', scope: provinceId });
    expect(first.status).toBe(200);
    expect(first.body.summary).toEqual({ create: 2, update: 0, unchanged: 0, rejected: 1 });
    expect(first.body.header.unknown).toEqual(['序号']);
    expect(first.body.errors).toEqual([expect.objectContaining({ row: 5, column: '主办单位', message: expect.stringContaining('不存在的医院') })]);
    expect((await commit(server, province, first.body.previewId!)).status).toBe(422);
    expect(await server.db.selectFrom('projects').select('id').where('level', '=', 'national').execute()).toHaveLength(0);

    const fixed = await listOf(rows.slice(0, 2));
    const second = await preview(server, province, { name: '国家级项目.xlsx', bytes: fixed }, { kind: 'national-projects', scope: provinceId });
    const done = await commit(server, province, second.body.previewId!);
    expect(done.status).toBe(200);
    expect(done.body.batchId).toEqual(expect.any(String));

    const project = await server.db.selectFrom('projects').selectAll().where('number', '=', '2026-04-01-001(国)').executeTakeFirstOrThrow();
    expect(project).toMatchObject({
      level: 'national',
      credit_class: 'I',
      status: 'approved',
      starts_on: '2026-12-07',
      ends_on: '2026-12-09',
      credits: 10,
      leader: '张三',
      planned_attendees: 200,
    });
    const sessions = await server.db.selectFrom('sessions').selectAll().where('project_id', '=', project.id).orderBy('starts_at').execute();
    expect(sessions.map((s) => s.starts_at)).toEqual(['2026-12-07T08:00:00+08:00', '2026-12-08T08:00:00+08:00', '2026-12-09T08:00:00+08:00']);
    const courses = await server.db.selectFrom('courses').select('credits').where('project_id', '=', project.id).execute();
    expect(courses.reduce((s, c) => s + c.credits, 0)).toBeCloseTo(10);

    // The organising unit's admin sees it and gives its first day a kiosk.
    const admin = await server.admin();
    expect((await admin.projects.list.query()).map((p) => p.number)).toContain('2026-04-01-001(国)');
    const device = (await admin.devices.list.query())[0]!;
    await admin.devices.assignSession.mutate({ deviceId: device.id, sessionId: sessions[0]!.id });
    expect((await admin.devices.list.query()).find((d) => d.id === device.id)!.sessionIds).toContain(sessions[0]!.id);

    // The same list again: nothing to change, no batch.
    const again = await preview(server, province, { name: '国家级项目.xlsx', bytes: fixed }, { kind: 'national-projects', scope: provinceId });
    expect(again.body.summary).toEqual({ create: 0, update: 0, unchanged: 2, rejected: 0 });
    expect((await commit(server, province, again.body.previewId!)).body.batchId).toBeNull();

    // A corrected venue is an update, shown old → new; moved dates are refused.
    const corrected = await listOf([
      [1, '2026-04-01-001(国)', '心血管疾病诊治新进展学习班', '张三', hospitalName, '2026-12-07至2026-12-09', '合肥市滨湖国际会展中心', 10, 200],
      [2, '2026-04-02-002(国)', '急危重症护理技术培训班', '李四', hospitalName, '2026-12-15', '合肥市', 5, null],
    ]);
    const changed = await preview(server, province, { name: '更正.xlsx', bytes: corrected }, { kind: 'national-projects', scope: provinceId });
    expect(changed.body.summary).toEqual({ create: 0, update: 1, unchanged: 0, rejected: 1 });
    expect(changed.body.changes[0]!.changes).toEqual([{ column: '举办地点', from: '合肥市', to: '合肥市滨湖国际会展中心' }]);
    expect(changed.body.errors[0]).toMatchObject({ row: 4, column: '举办起止日期' });
  });

  it('is the province office’s: a unit admin may not import it', async () => {
    const bytes = await listOf([[1, '2026-04-09-009(国)', '某项目', '张三', hospitalName, '2026-12-20', '合肥市', 2, 50]]);
    const answer = await preview(server, await server.login(DEMO_ADMIN), { name: 'x.xlsx', bytes }, { kind: 'national-projects', scope: provinceId });
    expect(answer.status).toBe(403);
  });

  it('is undone as a whole while no kiosk has recorded a tap in it', async () => {
    const bytes = await listOf([[1, '2026-05-01-001(国)', '可撤销的项目', '赵六', hospitalName, '20261221', '合肥市', 4, 80]]);
    const answer = await preview(server, province, { name: 'undo.xlsx', bytes }, { kind: 'national-projects', scope: provinceId });
    const done = await commit(server, province, answer.body.previewId!);
    const office = server.client({ cookie: province });
    await office.exchange.undo.mutate({ batchId: done.body.batchId! });
    expect(await server.db.selectFrom('projects').select('id').where('number', '=', '2026-05-01-001(国)').execute()).toHaveLength(0);
  });
});
