// The exports of the exchange (issue 11): GET /api/exchange/:kind/export streams a workbook a
// hospital's office hands on (roster, 学分汇总 for HR, 审验结果, 学员通讯录, 学分账本). Read back
// as the recipient does, with exceljs: Chinese headers, a frozen header row, dates as real dates,
// ID numbers in full only for whoever may reveal them (each on the person's unit's log) and masked
// for the offices above; and refused outside the caller's scope, to staff, to a kiosk and to nobody.
import { newId } from '@opencme/core';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { appendLedgerEntries, reverseLedgerEntry } from '../../src/repositories/ledger.ts';
import { createUser } from '../../src/repositories/users.ts';
import { DEMO_ADMIN, DEMO_CITY, DEMO_REVIEWER, DEMO_STAFF } from '../../src/seed.ts';
import { runVerification } from '../../src/services/verification.ts';
import { startServer, type TestServer } from '../harness.ts';

vi.setConfig({ hookTimeout: 180_000, testTimeout: 60_000 });

let server: TestServer;
let admin: string;
let city: string;
let hospitalId: string;
let otherHospital: string;
let cardiology: string;
let projectId: string;
let sessionDay: string;

async function workbook(bytes: Buffer): Promise<ExcelJS.Workbook> {
  const book = new ExcelJS.Workbook();
  await book.xlsx.load(bytes as unknown as ArrayBuffer);
  return book;
}

const headers = (sheet: ExcelJS.Worksheet) => (sheet.getRow(1).values as unknown[]).slice(1);
/** The data rows as objects keyed by header. */
function records(sheet: ExcelJS.Worksheet): Record<string, unknown>[] {
  const names = headers(sheet) as string[];
  const out: Record<string, unknown>[] = [];
  sheet.eachRow((row, n) => {
    if (n === 1) return;
    out.push(Object.fromEntries(names.map((h, i) => [h, row.getCell(i + 1).value])));
  });
  return out;
}

async function exported(kind: string, query: Record<string, string | number>, cookie?: string, extra: Record<string, string> = {}) {
  const qs = new URLSearchParams(Object.fromEntries(Object.entries(query).map(([k, v]) => [k, String(v)]))).toString();
  const res = await fetch(`${server.url}/api/exchange/${kind}/export?${qs}`, { headers: { ...(cookie ? { cookie } : {}), ...extra } });
  return { res, bytes: Buffer.from(await res.arrayBuffer()) };
}

async function exportAudit(action: string) {
  return server.db.selectFrom('audit_log').selectAll().where('action', '=', action).execute();
}

beforeAll(async () => {
  server = await startServer();
  const db = server.db;
  const now = server.clock.now;
  admin = await server.login(DEMO_ADMIN);
  city = await server.login(DEMO_CITY);
  const hospital = await db.selectFrom('organisations').select(['id', 'parent_id']).where('kind', '=', 'institution').executeTakeFirstOrThrow();
  hospitalId = hospital.id;
  cardiology = (await db.selectFrom('organisations').select('id').where('name', '=', '心血管内科').executeTakeFirstOrThrow()).id;
  otherHospital = newId();
  await db
    .insertInto('organisations')
    .values({
      id: otherHospital,
      kind: 'institution',
      name: '另一家医院',
      parent_id: hospital.parent_id,
      credit_code: null,
      region_code: null,
      created_at: now.toISOString(),
    })
    .execute();
  await createUser(db, { login: 'other-admin', displayName: '另院医教科', password: 'pw-other-admin', role: 'unit-admin', organisationId: otherHospital, now });

  // Attendance at the demo project's session: three of the hospital's staff came.
  const session = await db.selectFrom('sessions').select(['id', 'project_id', 'starts_at']).executeTakeFirstOrThrow();
  projectId = session.project_id;
  sessionDay = session.starts_at.slice(0, 10);
  const came = await db.selectFrom('persons').select('id').where('institution_id', '=', hospitalId).orderBy('id').limit(3).execute();
  await db
    .insertInto('attendance')
    .values(
      came.map((p) => ({
        session_id: session.id,
        person_id: p.id,
        sign_in_at: session.starts_at,
        sign_out_at: null,
        tap_count: 1,
        status: 'complete' as const,
        updated_at: now.toISOString(),
      })),
    )
    .execute();
});

afterAll(async () => {
  await server?.close();
});

describe('the staff roster', () => {
  it('has Chinese headers, a frozen header row, real dates and the full ID numbers for the unit admin, each on the log', async () => {
    const { res, bytes } = await exported('staff', { organisationId: hospitalId }, admin);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-disposition')).toContain(encodeURIComponent('人员名册'));
    const sheet = (await workbook(bytes)).getWorksheet('人员名册')!;
    expect(headers(sheet)).toEqual(['姓名', '性别', '身份证号', '手机号', '单位', '科室', '职称', '聘任职称', '学历', '人员类别', '继教卡号', '登记日期']);
    expect(sheet.views[0]).toMatchObject({ state: 'frozen', ySplit: 1 });
    expect(sheet.getColumn(3).width).toBeGreaterThanOrEqual(20);

    const staff = await server.db
      .selectFrom('persons')
      .select(['id', 'id_number_enc'])
      .where('institution_id', '=', hospitalId)
      .where('registration_status', '=', 'approved')
      .execute();
    const rows = records(sheet);
    expect(rows).toHaveLength(staff.length);
    const full = new Set(staff.map((p) => server.vault.decrypt(p.id_number_enc)));
    for (const row of rows) {
      expect(full.has(row['身份证号'] as string)).toBe(true);
      expect(row['登记日期']).toBeInstanceOf(Date);
    }
    // 2026-11-22T01:30Z is 09:30 in Beijing: the cell holds the Beijing wall clock.
    expect((rows[0]!['登记日期'] as Date).toISOString()).toBe('2026-11-22T09:30:00.000Z');

    const seen = await exportAudit('exchange.export-staff');
    expect(new Set(seen.filter((a) => a.entity === 'person').map((a) => a.entity_id))).toEqual(new Set(staff.map((p) => p.id)));
    expect(seen.find((a) => a.entity === 'organisation')?.after).toContain('"idNumbers":"full"');
  });

  it('shows the city office masked ID numbers, and puts no person on the log as seen in full', async () => {
    const before = (await exportAudit('exchange.export-staff')).length;
    const { res, bytes } = await exported('staff', { organisationId: hospitalId }, city);
    expect(res.status).toBe(200);
    const rows = records((await workbook(bytes)).getWorksheet('人员名册')!);
    expect(rows.length).toBeGreaterThan(0);
    for (const row of rows) expect(row['身份证号']).toMatch(/\*{4,}/);
    const lines = (await exportAudit('exchange.export-staff')).slice(before);
    expect(lines.map((l) => l.entity)).toEqual(['organisation']);
    expect(lines[0]!.after).toContain('"idNumbers":"masked"');
  });

  it('is refused for another unit, for staff, for a kiosk token and for nobody', async () => {
    const other = await server.login({ login: 'other-admin', password: 'pw-other-admin' });
    expect((await exported('staff', { organisationId: hospitalId }, other)).res.status).toBe(403);
    expect((await exported('staff', { organisationId: hospitalId }, await server.login(DEMO_STAFF))).res.status).toBe(403);
    const kiosk = await server.demoKiosk();
    expect((await exported('staff', { organisationId: hospitalId }, undefined, { authorization: `Bearer ${kiosk.token}` })).res.status).toBe(401);
    expect((await exported('staff', { organisationId: hospitalId })).res.status).toBe(401);
    // A department reviewer reads their own department, not the unit.
    const reviewer = await server.login(DEMO_REVIEWER);
    expect((await exported('staff', { organisationId: hospitalId }, reviewer)).res.status).toBe(403);
    expect((await exported('staff', { organisationId: cardiology }, reviewer)).res.status).toBe(200);
  });
});

describe('the credit summary for HR (学分汇总)', () => {
  it("gives a department's totals by class with the verdict, and every entry with its date", async () => {
    const year = 2026;
    const { res, bytes } = await exported('credits', { organisationId: cardiology, cmeYear: year }, admin);
    expect(res.status).toBe(200);
    const book = await workbook(bytes);
    const totals = book.getWorksheet(`${year}年度学分汇总`)!;
    const entries = book.getWorksheet('学分明细')!;
    expect(headers(totals)).toEqual(['姓名', '身份证号', '单位', '科室', '职称', 'Ⅰ类学分', '其中国家级Ⅰ类', 'Ⅱ类学分', '合计', '是否达标', '说明']);
    expect(headers(entries)).toEqual(['姓名', '身份证号', '记入日期', '学分类别', '级别', '学分', '来源', '项目或活动']);
    expect(totals.views[0]).toMatchObject({ state: 'frozen', ySplit: 1 });
    expect(entries.views[0]).toMatchObject({ state: 'frozen', ySplit: 1 });

    const people = records(totals);
    const lines = records(entries);
    expect(people.length).toBeGreaterThan(0);
    expect(lines.length).toBeGreaterThan(0);
    for (const p of people) {
      const own = lines.filter((l) => l['身份证号'] === p['身份证号']);
      const sum = (cls: string) => own.filter((l) => l['学分类别'] === cls).reduce((s, l) => s + (l['学分'] as number), 0);
      expect(p['Ⅰ类学分']).toBe(sum('Ⅰ类'));
      expect(p['Ⅱ类学分']).toBe(sum('Ⅱ类'));
      expect(p['合计']).toBe(sum('Ⅰ类') + sum('Ⅱ类'));
      expect(['达标', '未达标']).toContain(p['是否达标']);
    }
    for (const l of lines) expect(l['记入日期']).toBeInstanceOf(Date);
  });

  it("gives one person's summary, and refuses a person of another unit, a smuggled organisation and staff", async () => {
    const person = await server.db.selectFrom('persons').select(['id', 'name']).where('department_id', '=', cardiology).executeTakeFirstOrThrow();
    const { res, bytes } = await exported('credits', { personId: person.id, cmeYear: 2026 }, admin);
    expect(res.status).toBe(200);
    const people = records((await workbook(bytes)).getWorksheet('2026年度学分汇总')!);
    expect(people.map((p) => p['姓名'])).toEqual([person.name]);

    const other = await server.login({ login: 'other-admin', password: 'pw-other-admin' });
    expect((await exported('credits', { personId: person.id, cmeYear: 2026 }, other)).res.status).toBe(403);
    // A person in scope sent beside an organisation out of scope is still refused.
    expect((await exported('credits', { personId: person.id, organisationId: otherHospital, cmeYear: 2026 }, admin)).res.status).not.toBe(200);
    expect((await exported('credits', { organisationId: hospitalId, cmeYear: 2026 }, await server.login(DEMO_STAFF))).res.status).toBe(403);
  });
});

describe('the ledger of a scope for a period (学分账本)', () => {
  it('lists the entries approved in the period, reversals as negative entries, with their Beijing time', async () => {
    const db = server.db;
    const person = await db.selectFrom('persons').select('id').where('department_id', '=', cardiology).executeTakeFirstOrThrow();
    const at = new Date('2026-03-01T16:30:00Z'); // 2026-03-02 00:30 in Beijing
    const [entry] = await appendLedgerEntries(db, [
      {
        personId: person.id,
        cmeYear: 2026,
        creditClass: 'I',
        level: 'national',
        credits: 5,
        sourceKind: 'import',
        sourceId: 'ledger-test',
        sourceLabel: '国家级项目（外省）',
        approvedBy: null,
        at,
      },
    ]);
    await reverseLedgerEntry(db, { entryId: entry!, reason: '重复', approvedBy: null as unknown as string, at: new Date('2026-03-05T02:00:00Z') });

    const { res, bytes } = await exported('ledger', { organisationId: hospitalId, from: '2026-03-02', to: '2026-03-05' }, admin);
    expect(res.status).toBe(200);
    const rows = records((await workbook(bytes)).getWorksheet('学分账本')!);
    expect(rows.map((r) => r['学分'])).toEqual([5, -5]);
    expect((rows[0]!['记账时间'] as Date).toISOString()).toBe('2026-03-02T00:30:00.000Z');
    expect(rows[1]!['来源']).toBe('冲销');

    // The day before the period holds nothing of it.
    const before = await exported('ledger', { organisationId: hospitalId, from: '2026-03-01', to: '2026-03-01' }, admin);
    expect(records((await workbook(before.bytes)).getWorksheet('学分账本')!)).toHaveLength(0);
    expect((await exported('ledger', { organisationId: hospitalId, from: '2026-03-05', to: '2026-03-01' }, admin)).res.status).toBe(400);
    expect((await exported('ledger', { organisationId: hospitalId, from: '2026-03-02', to: '2026-03-05' }, await server.login(DEMO_REVIEWER))).res.status).toBe(
      403,
    );
  });
});

describe("a project's attendee list (学员通讯录)", () => {
  it('lists who came, numbered, with the day they came as a date', async () => {
    const { res, bytes } = await exported('attendees', { projectId }, admin);
    expect(res.status).toBe(200);
    const sheet = (await workbook(bytes)).getWorksheet('学员通讯录')!;
    expect(headers(sheet)).toEqual(['序号', '姓名', '性别', '身份证号', '工作单位', '科室', '职称', '手机号', '继教卡号', '参加日期', '授予学分']);
    const rows = records(sheet);
    expect(rows.map((r) => r['序号'])).toEqual([1, 2, 3]);
    for (const r of rows) {
      expect((r['参加日期'] as Date).toISOString().slice(0, 10)).toBe(sessionDay);
      expect(r['身份证号']).toMatch(/^\d{17}[\dX]$/);
    }
    const other = await server.login({ login: 'other-admin', password: 'pw-other-admin' });
    expect((await exported('attendees', { projectId }, other)).res.status).toBe(403);
    expect((await exported('attendees', { projectId }, city)).res.status).toBe(403);
  });
});

describe('verification results (审验结果)', () => {
  it("gives the unit's and each department's rate, and each verified person, masked for the city", async () => {
    const by = await server.db.selectFrom('users').select('id').where('login', '=', DEMO_ADMIN.login).executeTakeFirstOrThrow();
    await runVerification(server.db, { organisationId: hospitalId, cmeYear: 2026, round: 'year-end', by: by.id, at: server.clock.now });
    const { res, bytes } = await exported('verification', { organisationId: hospitalId, cmeYear: 2026 }, city);
    expect(res.status).toBe(200);
    const book = await workbook(bytes);
    expect(book.worksheets.map((w) => w.name)).toEqual(['各单位达标率', '各科室达标率', '审验结果']);
    const [unit] = records(book.getWorksheet('各单位达标率')!);
    expect(unit).toMatchObject({ 单位: '合肥市第一人民医院（演示）', 审验情况: '年终审验：未上报' });
    expect(unit!['达标率']).toBeCloseTo((unit!['达标人数'] as number) / (unit!['计入人数'] as number));
    const departments = records(book.getWorksheet('各科室达标率')!);
    expect(departments.reduce((s, d) => s + (d['计入人数'] as number), 0)).toBe(unit!['计入人数']);
    const people = records(book.getWorksheet('审验结果')!);
    expect(people.length).toBeGreaterThan(0);
    for (const p of people) expect(p['身份证号']).toMatch(/\*{4,}/);
    const other = await server.login({ login: 'other-admin', password: 'pw-other-admin' });
    expect((await exported('verification', { organisationId: hospitalId, cmeYear: 2026 }, other)).res.status).toBe(403);
  });
});
