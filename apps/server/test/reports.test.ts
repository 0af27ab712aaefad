// The unit's reports as the admin pages use them: compliance counts only approved staff, pages
// and filters the list and exports it as .xlsx; the unit's seal is uploaded as a PNG and printed
// in the seal area of its proofs (seen in the pixels of the rendered page).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { addPerson, credit } from './fixtures.ts';
import { redInSealArea, redStamp, sheetRows } from './pdf.ts';
import { type Client, startServer, type TestServer } from './harness.ts';

vi.setConfig({ testTimeout: 60_000 });

let server: TestServer;
let admin: Client;
let cookie: string;
let hospital: string;
let department: string;
let dir: string;
const YEAR = 2025;

beforeAll(async () => {
  server = await startServer();
  cookie = await server.login({ login: 'admin', password: 'opencme-demo' });
  admin = server.client({ cookie });
  const me = await admin.auth.me.query();
  hospital = me!.organisationId;
  department = (await server.db.selectFrom('persons').select('department_id').where('department_id', 'is not', null).executeTakeFirstOrThrow()).department_id!;
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'opencme-reports-'));
});
afterAll(async () => {
  await server.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const approvedStaff = async () =>
  Number(
    (
      await server.db
        .selectFrom('persons')
        .select((eb) => eb.fn.countAll().as('n'))
        .where('institution_id', '=', hospital)
        .where('registration_status', '=', 'approved')
        .executeTakeFirstOrThrow()
    ).n,
  );

describe('compliance', () => {
  it('counts approved staff only: a registrant under review is in neither the rate nor the list', async () => {
    const before = await admin.verification.compliance.query({ organisationId: hospital, cmeYear: YEAR });
    const counted = (rows: typeof before) => rows.reduce((s, r) => s + r.counted, 0);
    // A registrant at intermediate title (counted in 达标率 once approved), with enough credits.
    const pending = await addPerson(server, { name: '待审核者', title: '主治医师', institutionId: hospital, departmentId: department, region: '340102' });
    await server.db.updateTable('persons').set({ registration_status: 'pending' }).where('id', '=', pending.id).execute();
    await credit(server, pending.id, YEAR, [
      { creditClass: 'I', level: 'national', credits: 10 },
      { creditClass: 'II', credits: 20 },
    ]);

    const after = await admin.verification.compliance.query({ organisationId: hospital, cmeYear: YEAR });
    expect(counted(after)).toBe(counted(before));
    const list = await admin.verification.people.query({ organisationId: hospital, cmeYear: YEAR, page: 1 });
    expect(list.total).toBe(await approvedStaff());
    const everyone = await server.db
      .selectFrom('persons')
      .select((eb) => eb.fn.countAll().as('n'))
      .where('institution_id', '=', hospital)
      .executeTakeFirstOrThrow();
    expect(Number(everyone.n)).toBeGreaterThan(list.total);

    // Once approved, they count.
    await server.db.updateTable('persons').set({ registration_status: 'approved' }).where('id', '=', pending.id).execute();
    expect(counted(await admin.verification.compliance.query({ organisationId: hospital, cmeYear: YEAR }))).toBe(counted(before) + 1);
  });

  it('pages the list with a department column and filters by department and result', async () => {
    const all = await admin.verification.people.query({ organisationId: hospital, cmeYear: YEAR, page: 1 });
    expect(all.rows).toHaveLength(50);
    expect(all.pages).toBe(Math.ceil(all.total / 50));
    const second = await admin.verification.people.query({ organisationId: hospital, cmeYear: YEAR, page: 2 });
    expect(second.rows[0]!.personId).not.toBe(all.rows[0]!.personId);
    expect(all.rows.every((r) => r.department.length > 0)).toBe(true);

    const name = (await server.db.selectFrom('organisations').select('name').where('id', '=', department).executeTakeFirstOrThrow()).name;
    const one = await admin.verification.people.query({ organisationId: hospital, cmeYear: YEAR, departmentId: department, compliant: false, page: 1 });
    expect(one.total).toBeGreaterThan(0);
    expect(one.rows.every((r) => r.department === name && !r.compliant)).toBe(true);
    const compliant = await admin.verification.people.query({ organisationId: hospital, cmeYear: YEAR, departmentId: department, compliant: true, page: 1 });
    expect(compliant.rows.every((r) => r.compliant)).toBe(true);
    const inDepartment = await admin.verification.people.query({ organisationId: hospital, cmeYear: YEAR, departmentId: department, page: 1 });
    expect(one.total + compliant.total).toBe(inDepartment.total);
  });

  it('exports the filtered list as .xlsx', async () => {
    const file = await server.download(`/api/files/organisations/${hospital}/compliance/${YEAR}?departmentId=${department}&compliant=false`, cookie);
    expect(file.res.headers.get('content-disposition')).toContain(`filename*=UTF-8''${encodeURIComponent(`达标情况-${YEAR}.xlsx`)}`);
    const rows = await sheetRows(file.bytes);
    expect(rows[0]).toEqual(['姓名', '科室', '职称', 'Ⅰ类学分', 'Ⅱ类学分', '合计', '是否达标', '计入达标率']);
    const listed = await admin.verification.people.query({ organisationId: hospital, cmeYear: YEAR, departmentId: department, compliant: false, page: 1 });
    expect(rows).toHaveLength(listed.total + 1);
    expect(rows.slice(1).every((r) => r[6] === '未达标')).toBe(true);
  });

  it('gives the rate at the end of each month of a past year', async () => {
    const trend = await admin.verification.trend.query({ organisationId: hospital, cmeYear: YEAR });
    expect(trend.map((m) => m.month)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
  });
});

describe('the unit seal', () => {
  const saved = (pdf: Buffer) => {
    const file = path.join(dir, `proof-${Date.now()}.pdf`);
    fs.writeFileSync(file, pdf);
    return file;
  };

  async function printed(): Promise<Buffer> {
    const person = (
      await server.db
        .selectFrom('persons')
        .select('id')
        .where('institution_id', '=', hospital)
        .where('registration_status', '=', 'approved')
        .executeTakeFirstOrThrow()
    ).id;
    const job = await admin.proofs.printPerson.mutate({ personId: person, fromYear: YEAR, toYear: YEAR });
    for (let i = 0; i < 300; i++) {
      const status = await admin.proofs.job.query({ jobId: job.jobId });
      if (status.downloadUrl) return Buffer.from(await (await fetch(`${server.url}${status.downloadUrl}`, { headers: { cookie } })).arrayBuffer());
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error('print job did not finish');
  }

  it('refuses a seal that is not a PNG, and one from an account other than the unit admin', async () => {
    await expect(
      server.upload(
        'seal',
        [
          {
            name: 'seal.jpg',
            bytes: await sharp(await redStamp())
              .jpeg()
              .toBuffer(),
            type: 'image/jpeg',
          },
        ],
        cookie,
      ),
    ).rejects.toMatchObject({ status: 415 });
    const reviewer = await server.login({ login: 'reviewer', password: 'opencme-demo' });
    await expect(server.upload('seal', [{ name: 'seal.png', bytes: await redStamp(), type: 'image/png' }], reviewer)).rejects.toMatchObject({ status: 403 });
    await expect(server.upload('seal', [{ name: 'seal.png', bytes: Buffer.alloc(600 * 1024, 1), type: 'image/png' }], cookie)).rejects.toMatchObject({
      status: 413,
    });
    expect(await admin.proofs.seal.query()).toBeNull();
  });

  it("prints the unit's uploaded seal in the seal area of its proofs", async () => {
    const blank = await printed();
    expect(await redInSealArea(saved(blank))).toBe(0);
    const [fileId] = await server.upload('seal', [{ name: '公章.png', bytes: await redStamp(), type: 'image/png' }], cookie);
    await admin.proofs.setSeal.mutate({ fileId: fileId! });
    expect(await admin.proofs.seal.query()).toEqual({ uploadedAt: server.clock.now.toISOString() });
    const shown = await server.download('/api/files/unit-seal', cookie);
    expect(shown.res.headers.get('content-type')).toBe('image/png');
    expect(shown.bytes.equals(await redStamp())).toBe(true);
    const sealed = await printed();
    expect(await redInSealArea(saved(sealed))).toBeGreaterThan(0.05);
    const logged = await server.db.selectFrom('audit_log').select('action').where('action', '=', 'unit.seal').execute();
    expect(logged).toHaveLength(1);
  });
});
