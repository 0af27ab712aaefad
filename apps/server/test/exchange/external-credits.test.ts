// Credits earned elsewhere (外部学分), imported by the unit over HTTP with files made here (xlsx,
// and a GBK CSV as a platform's export comes): each certificate one ledger entry of its person,
// found by ID number and checked by name; a certificate already in the ledger a duplicate, not a
// second entry; the same file twice changes nothing; undo reverses the entries (the ledger keeps
// both) and is refused once the year's verification has gone up.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { DEMO_ADMIN } from '../../src/seed.ts';
import { runVerification, advanceRuns } from '../../src/services/verification.ts';
import { startServer, type TestServer } from '../harness.ts';
import { type Cells, commit, csv, preview, xlsx } from './files.ts';

vi.setConfig({ hookTimeout: 60_000, testTimeout: 60_000 });

let server: TestServer;
let cookie: string;
let hospital: string;
let people: { id: string; name: string; idNumber: string }[];

const HEADER = ['证书编号', '姓名', '身份证号码', '项目名称', '获得日期', '学分类别', '学分', '来源', '级别'];
const entriesOf = (certificate: string) =>
  server.db
    .selectFrom('ledger_entries')
    .selectAll()
    .where('source_kind', 'in', ['import', 'reversal'])
    .where('source_label', 'like', `%${certificate}%`)
    .execute();

beforeAll(async () => {
  server = await startServer();
  cookie = await server.login(DEMO_ADMIN);
  hospital = (await server.db.selectFrom('users').select('organisation_id').where('login', '=', DEMO_ADMIN.login).executeTakeFirstOrThrow()).organisation_id;
  const rows = await server.db
    .selectFrom('persons')
    .select(['id', 'name', 'id_number_enc'])
    .where('institution_id', '=', hospital)
    .where('registration_status', '=', 'approved')
    .orderBy('id')
    .limit(3)
    .execute();
  people = rows.map((p) => ({ id: p.id, name: p.name, idNumber: server.vault.decrypt(p.id_number_enc) }));
});
afterAll(() => server?.close());

describe('credits earned elsewhere', () => {
  it('go to the ledger of the person the ID number names, once per certificate, and only under the right name', async () => {
    const [a, b, c] = people;
    const rows: Cells[] = [
      HEADER,
      ['YC2026-0001', a!.name, a!.idNumber, '心血管疾病诊治新进展（远程）', '2026/3/1', 'Ⅰ类', 5, '国家级远程医学教育平台', '国家级'],
      ['ZY2026-0002', b!.name, b!.idNumber, '中医适宜技术推广', '20260410', '2', 3, '中医药继续教育平台', null],
      // The Shanghai case: the name of one person beside the ID number of another.
      ['YC2026-0003', a!.name, c!.idNumber, '急救技能（远程）', '2026-05-01', 'I类', 2, '国家级远程医学教育平台', null],
    ];
    const first = await preview(server, cookie, { name: '外部学分.xlsx', bytes: await xlsx(rows) }, { kind: 'external-credits' });
    expect(first.status).toBe(200);
    expect(first.body.summary).toEqual({ create: 2, update: 0, unchanged: 0, rejected: 1 });
    expect(first.body.errors).toEqual([expect.objectContaining({ row: 4, column: '姓名', message: expect.stringContaining('不一致') })]);
    expect((await commit(server, cookie, first.body.previewId!)).status).toBe(422);
    expect(await entriesOf('YC2026-0001')).toHaveLength(0);

    // Fixed, and sent as a platform exports it: CSV in GBK.
    const fixed = csv(rows.slice(0, 3), 'gbk');
    const second = await preview(server, cookie, { name: '外部学分.csv', bytes: fixed }, { kind: 'external-credits' });
    expect(second.body.summary).toEqual({ create: 2, update: 0, unchanged: 0, rejected: 0 });
    const done = await commit(server, cookie, second.body.previewId!);
    expect(done.status).toBe(200);
    const [entry] = await entriesOf('YC2026-0001');
    expect(entry).toMatchObject({
      person_id: a!.id,
      cme_year: 2026,
      credit_class: 'I',
      level: 'national',
      credits: 5,
      source_kind: 'import',
      source_id: 'YC2026-0001',
    });
    expect((await entriesOf('ZY2026-0002'))[0]).toMatchObject({ person_id: b!.id, credit_class: 'II', credits: 3 });

    // The same file again: nothing. The same certificate under another person: refused.
    const again = await preview(server, cookie, { name: '外部学分.csv', bytes: fixed }, { kind: 'external-credits' });
    expect(again.body.summary).toEqual({ create: 0, update: 0, unchanged: 2, rejected: 0 });
    expect((await commit(server, cookie, again.body.previewId!)).body.batchId).toBeNull();
    const stolen = await preview(
      server,
      cookie,
      {
        name: 'x.xlsx',
        bytes: await xlsx([HEADER, ['YC2026-0001', c!.name, c!.idNumber, '心血管疾病诊治新进展（远程）', '2026-03-01', 'Ⅰ类', 5, null, null]]),
      },
      { kind: 'external-credits' },
    );
    expect(stolen.body.errors[0]).toMatchObject({ column: '证书编号' });
    expect(await entriesOf('YC2026-0001')).toHaveLength(1);

    // Undo: reversing entries, the originals kept; the certificates may then come in again.
    await server.client({ cookie }).exchange.undo.mutate({ batchId: done.body.batchId! });
    const after = await entriesOf('YC2026-0001');
    expect(after.map((e) => e.credits).sort()).toEqual([-5, 5]);
    const redo = await preview(server, cookie, { name: '外部学分.csv', bytes: fixed }, { kind: 'external-credits' });
    expect(redo.body.summary).toEqual({ create: 2, update: 0, unchanged: 0, rejected: 0 });
    const redone = await commit(server, cookie, redo.body.previewId!);
    expect(redone.status).toBe(200);

    // Once the year's verification has gone up to the city, the batch stays.
    const by = (await server.db.selectFrom('users').select('id').where('login', '=', DEMO_ADMIN.login).executeTakeFirstOrThrow()).id;
    const runId = await runVerification(server.db, { organisationId: hospital, cmeYear: 2026, round: 'year-end', by, at: server.clock.now });
    await advanceRuns(server.db, { runIds: [runId], from: 'draft', by: { id: by, organisationId: hospital }, at: server.clock.now });
    await expect(server.client({ cookie }).exchange.undo.mutate({ batchId: redone.body.batchId! })).rejects.toMatchObject({
      message: 'exchange.external-credits.undo-blocked',
    });
  });

  it('takes no one of another unit', async () => {
    const bytes = await xlsx([HEADER, ['YC2026-0099', '另院职工', '340104199001010028', '某课程', '2026-03-01', 'Ⅱ类', 1, null, null]]);
    const answer = await preview(server, cookie, { name: 'x.xlsx', bytes }, { kind: 'external-credits' });
    expect(answer.body.errors[0]).toMatchObject({ column: '身份证号' });
  });
});
