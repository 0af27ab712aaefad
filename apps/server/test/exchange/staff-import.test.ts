// The staff import end to end over HTTP, with files made as offices make them: every acceptance
// line of issue 11's framework (reordered, missing, duplicated and shifted columns, a bad check
// digit, a duplicate ID number, GBK and BOM CSV, .xls, a text file named .xlsx, an empty sheet, a
// 20 MB file), the preview, the commit, the second import of the same file, and undo.
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_ADMIN } from '../../src/seed.ts';
import { credit } from '../fixtures.ts';
import { startServer, type TestServer } from '../harness.ts';
import { commit, csv, idNumberFor, nameFor, preview, STAFF_HEADER, staffRow, xlsx } from './files.ts';

let server: TestServer;
let cookie: string;
let hospital: string;

const personsCount = async () =>
  Number(
    (
      await server.db
        .selectFrom('persons')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow()
    ).n,
  );
const personByIdNumber = (id: string) => server.db.selectFrom('persons').selectAll().where('id_number_index', '=', server.vault.index(id)).executeTakeFirst();

beforeAll(async () => {
  server = await startServer();
  cookie = await server.login(DEMO_ADMIN);
  hospital = (await server.db.selectFrom('users').select('organisation_id').where('login', '=', DEMO_ADMIN.login).executeTakeFirstOrThrow()).organisation_id;
}, 60_000);
afterAll(() => server.close());

/** Previews a file that must be refused, and checks that nothing changed and nothing can be committed. */
async function refused(name: string, bytes: Uint8Array) {
  const before = await personsCount();
  const answer = await preview(server, cookie, { name, bytes });
  if (answer.body.previewId) expect((await commit(server, cookie, answer.body.previewId)).status).toBe(422);
  expect(await personsCount()).toBe(before);
  return answer;
}

describe('reading the file', () => {
  it('finds reordered columns by their names and synonyms under a merged title row, and lands each value in its field', async () => {
    const header = ['所在科室', '联系电话', '身份证号码', '人员类别', '学历', '聘任时间', '聘任职称', '职称', '性别', '姓名', '备注'];
    const rows = [0, 1, 2].map((i) => {
      const [name, gender, id, phone, department, title, employed, since, degree, category] = staffRow(1000 + i, '新设康复科');
      return [department, phone, id, category, degree, since, employed, i === 0 ? '副主任医师' : title, gender, name, '无'].map((c) => c ?? null);
    });
    const bytes = await xlsx([header, ...rows], { before: [['某某医院2026年人员信息表'], ['填表日期：2026年11月']] });
    const { status, body } = await preview(server, cookie, { name: '人员.xlsx', bytes });
    expect(status).toBe(200);
    expect(body.summary).toEqual({ create: 3, update: 0, unchanged: 0, rejected: 0 });
    expect(body.header.unknown).toEqual(['备注']);
    expect(body.header.missing).toEqual([]);
    expect(body.notices.map((n) => n.message)).toEqual(['将新建科室“新设康复科”']);

    const done = await commit(server, cookie, body.previewId!);
    expect(done.status).toBe(200);
    expect(done.body.summary).toEqual(body.summary);
    const person = await personByIdNumber(idNumberFor(1000));
    expect(person).toMatchObject({
      name: nameFor(1000),
      phone: '13900001000',
      title: '副主任医师',
      employed_title: '主治医师',
      employed_title_since: '2021-01-01',
      degree: 'bachelor',
      category: 'doctor',
      registration_status: 'approved',
      institution_id: hospital,
    });
    expect(person!.cme_number).toMatch(/^\d{11}[\dX]$/);
    const department = await server.db
      .selectFrom('organisations')
      .select(['name', 'parent_id'])
      .where('id', '=', person!.department_id!)
      .executeTakeFirstOrThrow();
    expect(department).toEqual({ name: '新设康复科', parent_id: hospital });
    const kinds = await server.db.selectFrom('credentials').select('kind').where('person_id', '=', person!.id).orderBy('kind').execute();
    expect(kinds.map((k) => k.kind)).toEqual(['card-number', 'id-card']);
    const titles = await server.db
      .selectFrom('title_history')
      .select(['kind', 'title', 'from_date'])
      .where('person_id', '=', person!.id)
      .orderBy('kind')
      .execute();
    expect(titles).toEqual([
      { kind: 'employed', title: '主治医师', from_date: '2021-01-01' },
      { kind: 'held', title: '副主任医师', from_date: '2026-11-22' },
    ]);
  });

  it('names a missing required column', async () => {
    const rows = [0, 1].map((i) => staffRow(2000 + i).filter((_, c) => c !== 2));
    const { status, body } = await refused('缺列.xlsx', await xlsx([STAFF_HEADER.filter((h) => h !== '身份证号'), ...rows]));
    expect(status).toBe(422);
    expect(body.previewId).toBeNull();
    expect(body.header.missing).toEqual(['身份证号']);
    expect(body.errors).toEqual([expect.objectContaining({ row: 1, column: '身份证号', code: 'missing-column', message: '缺少必填列“身份证号”' })]);
  });

  it('names a duplicated column', async () => {
    const rows = [0, 1].map((i) => [...staffRow(2100 + i), idNumberFor(2100 + i)]);
    const { status, body } = await refused('重复列.xlsx', await xlsx([[...STAFF_HEADER, '证件号码'], ...rows]));
    expect(status).toBe(422);
    expect(body.errors).toEqual([
      expect.objectContaining({ column: '身份证号', code: 'duplicate-column', message: '“身份证号”列出现了不止一次（身份证号、证件号码）' }),
    ]);
  });

  it('reports a shifted column once, as looking like its neighbour, instead of an error per row', async () => {
    // The Shanghai case: the values moved one column, so ID numbers sit under 手机号 and phones under 科室.
    const rows = Array.from({ length: 40 }, (_, i) => {
      const [name, gender, id, phone] = staffRow(2200 + i);
      return [name, gender, null, id, phone, '主治医师', '主治医师', '2021-01-01', '本科', '医'].map((c) => c ?? null);
    });
    const { body } = await refused('错位.xlsx', await xlsx([STAFF_HEADER, ...rows]));
    expect(body.summary.rejected).toBe(40);
    expect(body.errors.map((e) => [e.column, e.code])).toEqual([
      ['身份证号', 'column-empty'],
      ['手机号', 'column-shifted'],
      ['科室', 'column-shifted'],
    ]);
    expect(body.errors[1]!.message).toBe('“手机号”列的内容看起来是“身份证号”（各列是否错位了？）');
    expect(body.errors[2]!.message).toBe('“科室”列的内容看起来是“手机号”（各列是否错位了？）');
  });

  it('rejects a bad check digit in row 7 by row, column and message, and the preview cannot be committed', async () => {
    const rows = Array.from({ length: 8 }, (_, i) => staffRow(2300 + i));
    const id = rows[5]![2] as string;
    rows[5]![2] = id.slice(0, 17) + (id[17] === '0' ? '1' : '0');
    const { status, body } = await refused('校验位.xlsx', await xlsx([STAFF_HEADER, ...rows]));
    expect(status).toBe(200);
    expect(body.summary).toEqual({ create: 7, update: 0, unchanged: 0, rejected: 1 });
    expect(body.errors).toEqual([
      expect.objectContaining({ row: 7, column: '身份证号', code: 'id-number-check-digit', message: '身份证号校验位不正确，请核对' }),
    ]);
    const refusal = await commit(server, cookie, body.previewId!);
    expect(refusal.body.message).toBe('还有1行有错误：请修改文件后重新上传');
    expect(refusal.body.errors).toHaveLength(1);
  });

  it('rejects both rows of an ID number given twice', async () => {
    const rows = [staffRow(2400), staffRow(2401), staffRow(2400)];
    const { body } = await refused('重复.xlsx', await xlsx([STAFF_HEADER, ...rows]));
    expect(body.errors.map((e) => [e.row, e.column, e.code, e.message])).toEqual([
      [2, '身份证号', 'duplicate-in-file', '“身份证号”在文件中重复（第2、4行）'],
      [4, '身份证号', 'duplicate-in-file', '“身份证号”在文件中重复（第2、4行）'],
    ]);
  });

  it('reads a CSV saved in GBK, and one in UTF-8 with a BOM', async () => {
    for (const [encoding, first] of [
      ['gbk', 2500],
      ['utf8-bom', 2510],
    ] as const) {
      const rows = [0, 1, 2].map((i) => staffRow(first + i, '中医科'));
      const { status, body } = await preview(server, cookie, { name: `人员-${encoding}.csv`, bytes: csv([STAFF_HEADER, ...rows], encoding) });
      expect(status, encoding).toBe(200);
      expect(body.summary, encoding).toMatchObject({ create: 3, rejected: 0 });
      expect((await commit(server, cookie, body.previewId!)).status).toBe(200);
      expect((await personByIdNumber(idNumberFor(first)))?.name, encoding).toBe(nameFor(first));
    }
  });

  it('refuses an .xls, a text file named .xlsx, an empty sheet and a 20 MB file, each saying what to do', async () => {
    const xls = Buffer.concat([Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]), Buffer.alloc(2048)]);
    const cases = [
      ['人员.xls', xls, 415, 'exchange.xls-not-accepted'],
      ['改名.xlsx', xls, 415, 'exchange.xls-not-accepted'],
      ['文本.xlsx', Buffer.from(['姓名,身份证号', '张三,340104198001010019'].join('\n')), 415, 'exchange.not-really-xlsx'],
      ['空表.xlsx', await xlsx([]), 400, 'exchange.empty-sheet'],
      ['大文件.csv', Buffer.alloc(20 * 1024 * 1024, 0x41), 413, 'exchange.file-too-large'],
    ] as const;
    for (const [name, bytes, status, key] of cases) {
      const answer = await refused(name, bytes);
      expect([name, answer.status, answer.body.messageKey], name).toEqual([name, status, key]);
      expect(answer.body.message, name).toMatch(/[\u4e00-\u9fa5]/);
    }
    expect((await refused('x.xls', xls)).body.message).toContain('另存为');
    expect((await refused('x.xlsx', Buffer.from('hello'))).body.message).toContain('另存为 .xlsx');
  });

  it('reads dates in the forms Excel produces', async () => {
    const forms: (string | number | Date)[] = [new Date(Date.UTC(2025, 2, 1)), '2025/3/1', '2025-03-01', '20250301', 45717, '2025年3月1日'];
    const rows = forms.map((since, i) => {
      const row = staffRow(2600 + i);
      row[7] = since;
      return row;
    });
    const { body } = await preview(server, cookie, { name: '日期.xlsx', bytes: await xlsx([STAFF_HEADER, ...rows]) });
    expect(body.errors).toEqual([]);
    await commit(server, cookie, body.previewId!);
    for (const i of forms.keys()) expect((await personByIdNumber(idNumberFor(2600 + i)))?.employed_title_since).toBe('2025-03-01');
  });
});

describe('preview, commit and undo', () => {
  const file = async (first: number, count: number, edit?: (row: (string | number | Date | null)[], i: number) => void) =>
    xlsx([
      STAFF_HEADER,
      ...Array.from({ length: count }, (_, i) => {
        const row = staffRow(first + i);
        edit?.(row, i);
        return row;
      }),
    ]);

  it('commits a preview once; the same file again changes nothing; an update shows old → new', async () => {
    const bytes = await file(3000, 5);
    const first = await preview(server, cookie, { name: '批次.xlsx', bytes });
    expect(first.body.summary).toEqual({ create: 5, update: 0, unchanged: 0, rejected: 0 });
    const before = await personsCount();
    const done = await commit(server, cookie, first.body.previewId!);
    expect(done.body.batchId).toEqual(expect.any(String));
    expect(await personsCount()).toBe(before + 5);

    const twice = await commit(server, cookie, first.body.previewId!);
    expect([twice.status, twice.body.messageKey]).toEqual([409, 'exchange.preview-already-committed']);
    expect(await personsCount()).toBe(before + 5);

    const again = await preview(server, cookie, { name: '批次.xlsx', bytes });
    expect(again.body.summary).toEqual({ create: 0, update: 0, unchanged: 5, rejected: 0 });
    expect((await commit(server, cookie, again.body.previewId!)).body).toMatchObject({ batchId: null, summary: { create: 0, update: 0, unchanged: 5 } });

    const changed = await preview(server, cookie, {
      name: '更新.xlsx',
      bytes: await file(3000, 5, (row, i) => {
        if (i === 1) [row[3], row[5]] = ['13800000000', '副主任医师'];
      }),
    });
    expect(changed.body.summary).toEqual({ create: 0, update: 1, unchanged: 4, rejected: 0 });
    expect(changed.body.changes).toEqual([
      {
        row: 3,
        label: nameFor(3001),
        changes: [
          { column: '手机号', from: '139****3001', to: '138****0000' },
          { column: '职称', from: '主治医师', to: '副主任医师' },
        ],
      },
    ]);
    await commit(server, cookie, changed.body.previewId!);
    expect(await personByIdNumber(idNumberFor(3001))).toMatchObject({ phone: '13800000000', title: '副主任医师' });
  });

  it('refuses a commit when the data changed after the preview', async () => {
    const shown = await preview(server, cookie, { name: '变化.xlsx', bytes: await file(3100, 2) });
    const meanwhile = await preview(server, cookie, { name: '先导入.xlsx', bytes: await file(3100, 1) });
    await commit(server, cookie, meanwhile.body.previewId!);
    const before = await personsCount();
    const late = await commit(server, cookie, shown.body.previewId!);
    expect([late.status, late.body.messageKey]).toEqual([409, 'exchange.data-changed']);
    expect(await personsCount()).toBe(before);
  });

  it('reports a person of another unit instead of moving them', async () => {
    const other = await server.db.selectFrom('persons').select(['id', 'institution_id']).where('institution_id', '!=', hospital).executeTakeFirst();
    const elsewhere = await server.db.selectFrom('organisations').select('id').where('kind', '=', 'institution').where('id', '!=', hospital).executeTakeFirst();
    // A person registered at another unit, with an ID number the file names.
    const id = idNumberFor(3200);
    const unit = other?.institution_id ?? elsewhere?.id;
    if (!unit) {
      const { addOrganisation } = await import('../fixtures.ts');
      const city = (await server.db.selectFrom('organisations').select('parent_id').where('id', '=', hospital).executeTakeFirstOrThrow()).parent_id;
      await addOrganisation(server, 'institution', '另一家医院', city);
    }
    const unitId = unit ?? (await server.db.selectFrom('organisations').select('id').where('name', '=', '另一家医院').executeTakeFirstOrThrow()).id;
    await server.db
      .insertInto('persons')
      .values({
        id: 'person-elsewhere',
        name: '外院人员',
        gender: 'male',
        ...server.vault.seal(id),
        phone: null,
        institution_id: unitId,
        department_id: null,
        title: null,
        category: null,
        cme_number: null,
        photo_hash: null,
        version: 0,
        created_at: server.clock.now.toISOString(),
        updated_at: server.clock.now.toISOString(),
        registration_status: 'approved',
      })
      .execute();
    const { body } = await preview(server, cookie, { name: '外院.xlsx', bytes: await file(3200, 1) });
    expect(body.summary).toMatchObject({ create: 0, rejected: 1 });
    expect(body.errors[0]).toMatchObject({ row: 2, column: '身份证号', code: 'staff-in-other-unit' });
    expect((await personByIdNumber(id))?.institution_id).toBe(unitId);
  });

  it('undoes a batch as a whole, once; refuses while an imported person has a ledger entry', async () => {
    const admin = server.client({ cookie });
    const made = await preview(server, cookie, { name: '撤销.xlsx', bytes: await file(3300, 3) });
    const { body } = await commit(server, cookie, made.body.previewId!);
    const blocked = await preview(server, cookie, { name: '有学分.xlsx', bytes: await file(3400, 2) });
    const kept = await commit(server, cookie, blocked.body.previewId!);

    const batches = await admin.exchange.batches.query({ organisationId: hospital });
    expect(batches.find((b) => b.id === body.batchId)).toMatchObject({ kind: 'staff', fileName: '撤销.xlsx', created: 3, undoable: true, by: '医教科管理员' });

    const before = await personsCount();
    await admin.exchange.undo.mutate({ batchId: body.batchId! });
    expect(await personsCount()).toBe(before - 3);
    expect(await personByIdNumber(idNumberFor(3300))).toBeUndefined();
    await expect(admin.exchange.undo.mutate({ batchId: body.batchId! })).rejects.toMatchObject({ data: { messageKey: 'exchange.batch-already-undone' } });
    expect((await admin.exchange.batches.query({ organisationId: hospital })).find((b) => b.id === body.batchId)).toMatchObject({ undoable: false });

    const person = await personByIdNumber(idNumberFor(3401));
    await credit(server, person!.id, 2026, [{ credits: 2 }]);
    await expect(admin.exchange.undo.mutate({ batchId: kept.body.batchId! })).rejects.toMatchObject({
      data: { messageKey: 'exchange.undo-blocked', params: { count: 1, name: nameFor(3401) } },
    });
    expect(await personByIdNumber(idNumberFor(3400))).toBeDefined();
  });

  it('serves a template with the exact headers, an example row and notes, which imports as it is filled', async () => {
    const res = await fetch(`${server.url}/api/exchange/templates/staff`, { headers: { cookie } });
    expect(res.status).toBe(200);
    const book = new ExcelJS.Workbook();
    await book.xlsx.load(await res.arrayBuffer());
    const [sheet, notes] = book.worksheets;
    expect((sheet!.getRow(1).values as string[]).slice(1)).toEqual([
      '姓名*',
      '性别',
      '身份证号*',
      '手机号',
      '科室*',
      '职称',
      '职称取得时间',
      '聘任职称',
      '聘任时间',
      '学历',
      '人员类别',
      '继教卡号',
      'IC卡号',
    ]);
    expect(sheet!.getRow(2).getCell(1).value).toBe('张三');
    expect(notes!.name).toBe('填写说明');
    // The example row left in is no one to import.
    sheet!.getRow(3).values = ['模板人员', '女', idNumberFor(3500), '13912345678', '内科'];
    const filled = await preview(server, cookie, { name: '模板.xlsx', bytes: Buffer.from(await book.xlsx.writeBuffer()) });
    expect(filled.body.summary).toEqual({ create: 1, update: 0, unchanged: 0, rejected: 0 });
  });
});
