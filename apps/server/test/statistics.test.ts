// 统计报表 (issue 13): what a province office prints per city and per unit for a CME year — staff,
// credits by class, 达标率, projects held — on screen and as an xlsx with Chinese headers and a
// frozen header row; the same numbers as the compliance pages. On a real server and SQLite.
import ExcelJS from 'exceljs';
import { newId } from '@opencme/core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { appendLedgerEntries } from '../src/repositories/ledger.ts';
import { DEMO_ADMIN, DEMO_CITY, DEMO_PROVINCE } from '../src/seed.ts';
import { type Client, startServer, type TestServer } from './harness.ts';

vi.setConfig({ hookTimeout: 60_000, testTimeout: 60_000 });

let server: TestServer;
let province: Client;
let provinceCookie: string;
let city: Client;
let organiser: Client;
let provinceId: string;
let hospitalId: string;
const YEAR = 2026;

beforeAll(async () => {
  server = await startServer();
  provinceCookie = await server.login(DEMO_PROVINCE);
  province = server.client({ cookie: provinceCookie });
  city = server.client({ cookie: await server.login(DEMO_CITY) });
  organiser = server.client({ cookie: await server.login(DEMO_ADMIN) });
  const hospital = await server.db
    .selectFrom('organisations')
    .select(['id', 'parent_id'])
    .where('name', '=', '合肥市第一人民医院（演示）')
    .executeTakeFirstOrThrow();
  hospitalId = hospital.id;
  provinceId = (await server.db.selectFrom('organisations').select('parent_id').where('id', '=', hospital.parent_id!).executeTakeFirstOrThrow()).parent_id!;
  // Credits of both classes for two of the hospital's people.
  const people = await server.db
    .selectFrom('persons')
    .select('id')
    .where('institution_id', '=', hospitalId)
    .where('registration_status', '=', 'approved')
    .limit(2)
    .execute();
  const admin = await server.db.selectFrom('users').select('id').where('login', '=', 'province').executeTakeFirstOrThrow();
  await appendLedgerEntries(
    server.db,
    people.flatMap((p, i) => [
      {
        personId: p.id,
        cmeYear: YEAR,
        creditClass: 'I' as const,
        level: 'provincial' as const,
        credits: 5 + i,
        sourceKind: 'adjustment' as const,
        sourceId: newId(),
        sourceLabel: '测试',
        approvedBy: admin.id,
        at: server.clock.now,
      },
      {
        personId: p.id,
        cmeYear: YEAR,
        creditClass: 'II' as const,
        level: 'unit' as const,
        credits: 2.5,
        sourceKind: 'adjustment' as const,
        sourceId: newId(),
        sourceLabel: '测试',
        approvedBy: admin.id,
        at: server.clock.now,
      },
    ]),
  );
});
afterAll(() => server.close());

describe('the province’s statistics', () => {
  it('gives per-unit rows that agree with the standings and the compliance page, and per-city rows that add them up', async () => {
    const report = await province.standing.statistics.query({ organisationId: provinceId, cmeYear: YEAR });
    const standings = await province.standing.organisation.query({ organisationId: provinceId, cmeYear: YEAR });
    const hospital = report.units.find((u) => u.id === hospitalId)!;
    const mine = standings.filter((s) => s.institutionId === hospitalId);
    expect(hospital).toMatchObject({
      name: '合肥市第一人民医院（演示）',
      city: '合肥市',
      staff: mine.length,
      classI: mine.reduce((s, p) => s + p.standing.totals.classI, 0),
      classII: mine.reduce((s, p) => s + p.standing.totals.classII, 0),
    });
    expect(hospital.classI).toBeGreaterThanOrEqual(11);
    const departments = await organiser.verification.compliance.query({ organisationId: hospitalId, cmeYear: YEAR });
    expect([hospital.counted, hospital.compliant]).toEqual([departments.reduce((s, d) => s + d.counted, 0), departments.reduce((s, d) => s + d.compliant, 0)]);
    expect(hospital.rate).toBe(hospital.counted ? Math.round((hospital.compliant / hospital.counted) * 1000) / 1000 : null);

    expect(report.cities.map((c) => c.name)).toEqual(expect.arrayContaining(['合肥市', '芜湖市']));
    for (const c of report.cities) {
      const units = report.units.filter((u) => u.city === (c.id ? c.name : null));
      expect(c.staff, c.name).toBe(units.reduce((s, u) => s + u.staff, 0));
      expect(c.projects, c.name).toBe(units.reduce((s, u) => s + u.projects, 0));
    }
    expect(report.total.staff).toBe(standings.length);
  });

  it('counts the projects a unit held in the year: an approved one, not a cancelled one', async () => {
    const before = (await city.standing.statistics.query({ organisationId: await cityId(), cmeYear: YEAR })).units.find((u) => u.id === hospitalId)!.projects;
    const declare = async () => {
      const { projectId } = await organiser.projects.declare.mutate({
        number: `T-${newId().slice(-8)}`,
        name: '统计测试项目',
        level: 'city',
        creditClass: 'II',
        credits: 1,
        venue: '报告厅',
        startsOn: '2026-12-20',
        endsOn: '2026-12-20',
        mode: 'onsite',
        courses: [{ name: '讲座', startsAt: '2026-12-20T09:00:00+08:00', endsAt: '2026-12-20T11:00:00+08:00', credits: 1 }],
      });
      await organiser.projects.submit.mutate({ projectId });
      await city.projects.review.mutate({ projectId, decision: 'approve', reason: null });
      return projectId;
    };
    await declare();
    await city.projects.cancel.mutate({ projectId: await declare(), reason: '场地取消' });
    const after = (await city.standing.statistics.query({ organisationId: await cityId(), cmeYear: YEAR })).units.find((u) => u.id === hospitalId)!.projects;
    expect(after).toBe(before + 1);
    // A unit's office sees its own row, and no city to compare.
    const own = await organiser.standing.statistics.query({ organisationId: hospitalId, cmeYear: YEAR });
    expect(own.units.map((u) => u.id)).toEqual([hospitalId]);
    expect(own.cities).toEqual([]);
  });

  it('exports the same rows as an xlsx with Chinese headers and a frozen header row', async () => {
    const report = await province.standing.statistics.query({ organisationId: provinceId, cmeYear: YEAR });
    const { res, bytes } = await server.download(`/api/files/organisations/${provinceId}/statistics/${YEAR}`, provinceCookie);
    expect(res.status).toBe(200);
    expect(decodeURIComponent(res.headers.get('content-disposition')!)).toContain('统计报表-2026.xlsx');
    const book = new ExcelJS.Workbook();
    await book.xlsx.load(bytes as unknown as ArrayBuffer);
    expect(book.worksheets.map((w) => w.name)).toEqual(['各市州', '各单位']);
    const units = book.getWorksheet('各单位')!;
    expect(units.views[0]).toMatchObject({ state: 'frozen', ySplit: 1 });
    expect((units.getRow(1).values as unknown[]).slice(1)).toEqual([
      '市州',
      '单位',
      '人员数',
      'Ⅰ类学分',
      'Ⅱ类学分',
      '计入达标率人数',
      '达标人数',
      '达标率',
      '举办项目数',
    ]);
    const row = units.getRows(2, report.units.length)!.find((r) => r.getCell(2).value === '合肥市第一人民医院（演示）')!;
    const hospital = report.units.find((u) => u.id === hospitalId)!;
    expect([row.getCell(1).value, row.getCell(3).value, row.getCell(4).value, row.getCell(8).value]).toEqual([
      '合肥市',
      hospital.staff,
      hospital.classI,
      hospital.rate,
    ]);
    expect(units.getRow(report.units.length + 2).getCell(2).value).toBe('合计');
  });
});

async function cityId() {
  return (await server.db.selectFrom('organisations').select('id').where('name', '=', '合肥市').executeTakeFirstOrThrow()).id;
}
