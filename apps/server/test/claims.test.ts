// Claims through the API against a real SQLite file: evidence checked by content, nothing stored
// when a file is refused, the review chain climbed stage by stage, bulk decisions all or none,
// the same file claimed twice flagged, and credits in the ledger only after the last approval.
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_CITY, DEMO_REVIEWER, DEMO_STAFF } from '../src/seed.ts';
import { createUser } from '../src/repositories/users.ts';
import { addPerson } from './fixtures.ts';
import { type Client, startServer, type TestServer } from './harness.ts';

let server: TestServer;
let staff: Client;
let colleague: Client;
const cookies: { staff?: string; colleague?: string; reviewer?: string } = {};
let reviewer: Client;
let unit: Client;
let city: Client;
let jpeg: string;
const pdf = Buffer.from('%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n').toString('base64');

const paper = { activity: 'paper' as const, occurredOn: '2026-03-15', credits: 3, months: 0, description: '论文：基层胸痛中心建设的实践' };

async function counts() {
  const claims = await server.db
    .selectFrom('claims')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  const files = await server.db
    .selectFrom('evidence_files')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  return { claims: Number(claims.n), files: Number(files.n) };
}

beforeAll(async () => {
  server = await startServer();
  cookies.staff = await server.login(DEMO_STAFF);
  staff = server.client({ cookie: cookies.staff });
  cookies.reviewer = await server.login(DEMO_REVIEWER);
  reviewer = server.client({ cookie: cookies.reviewer });
  unit = await server.admin();
  city = server.client({ cookie: await server.login(DEMO_CITY) });
  jpeg = (
    await sharp({ create: { width: 40, height: 30, channels: 3, background: '#dde' } })
      .jpeg()
      .toBuffer()
  ).toString('base64');
  // A second staff member of the same department, to claim the same file.
  const staffPerson = await server.db
    .selectFrom('staff_accounts')
    .innerJoin('persons', 'persons.id', 'staff_accounts.person_id')
    .select(['persons.institution_id', 'persons.department_id'])
    .executeTakeFirstOrThrow();
  const other = await addPerson(server, {
    name: '同科室',
    title: '护师',
    institutionId: staffPerson.institution_id,
    departmentId: staffPerson.department_id,
    region: '340102',
  });
  const userId = await createUser(server.db, {
    login: 'colleague',
    displayName: '同科室',
    password: 'pw-colleague',
    role: 'staff',
    organisationId: staffPerson.department_id!,
    now: server.clock.now,
  });
  await server.db.insertInto('staff_accounts').values({ user_id: userId, person_id: other.id, created_at: server.clock.now.toISOString() }).execute();
  cookies.colleague = await server.login({ login: 'colleague', password: 'pw-colleague' });
  colleague = server.client({ cookie: cookies.colleague });
});
afterAll(() => server.close());

/** Evidence goes first to the upload route, as the claims page sends it; the claim names the ids. */
const upload = (who: keyof typeof cookies, files: { fileName: string; base64: string }[]) =>
  server.upload(
    'evidence',
    files.map((f) => ({ name: f.fileName, bytes: Buffer.from(f.base64, 'base64') })),
    cookies[who],
  );

describe('evidence', () => {
  it('refuses a 20 MB file with a clear message, while it arrives, storing nothing', async () => {
    const before = await counts();
    const big = Buffer.alloc(20 * 1024 * 1024, 0);
    Buffer.from(jpeg, 'base64').copy(big);
    const attempt = upload('staff', [
      { fileName: '扫描件.jpg', base64: jpeg },
      { fileName: '论文全文.jpg', base64: big.toString('base64') },
    ]);
    await expect(attempt).rejects.toMatchObject({
      status: 413,
      messageKey: 'uploads.file-too-large',
      params: { fileName: '论文全文.jpg', amount: 10, unit: 'MB' },
    });
    expect(await counts()).toEqual(before);
    expect(await server.db.selectFrom('uploads').selectAll().execute()).toEqual([]);
  });

  it('refuses a program named .pdf, by its content', async () => {
    const before = await counts();
    const exe = Buffer.concat([Buffer.from('MZ\x90\x00\x03\x00\x00\x00', 'binary'), Buffer.alloc(500)]).toString('base64');
    await expect(staff.claims.submit.mutate({ ...paper, evidence: await upload('staff', [{ fileName: '录用通知.pdf', base64: exe }]) })).rejects.toMatchObject({
      message: 'claims.file-not-jpg-png-pdf',
      data: { params: { fileName: '录用通知.pdf' } },
    });
    expect(await counts()).toEqual(before);
  });
});

describe('the review chain', () => {
  it('goes department → unit, and credits reach the ledger and the standing only at the end', async () => {
    const before = await staff.claims.mine.query();
    const { id } = await staff.claims.submit.mutate({
      ...paper,
      evidence: await upload('staff', [
        { fileName: '论文首页.jpg', base64: jpeg },
        { fileName: '期刊目录.pdf', base64: pdf },
      ]),
    });
    const mine = await staff.claims.mine.query();
    expect(mine.claims[0]).toMatchObject({ id, status: 'submitted', stage: 0, chain: ['department', 'unit'], cmeYear: 2026, credits: 3 });
    expect(mine.claims[0]!.evidence.map((e) => e.mime)).toEqual(expect.arrayContaining(['image/jpeg', 'application/pdf']));

    // The unit cannot skip the department.
    expect((await unit.claims.queue.query()).map((c) => c.id)).not.toContain(id);
    await expect(unit.claims.review.mutate({ claimIds: [id], decision: 'approved' })).rejects.toMatchObject({ data: { code: 'CONFLICT' } });

    expect((await reviewer.claims.queue.query()).map((c) => c.id)).toContain(id);
    await reviewer.claims.review.mutate({ claimIds: [id], decision: 'approved', reason: '材料齐全' });
    expect((await staff.claims.mine.query()).standing.totals.total).toBe(before.standing.totals.total);

    await unit.claims.review.mutate({ claimIds: [id], decision: 'approved' });
    const after = await staff.claims.mine.query();
    expect(after.claims.find((c) => c.id === id)).toMatchObject({
      status: 'approved',
      reviews: [
        { stage: 'department', decision: 'approved', reason: '材料齐全' },
        { stage: 'unit', decision: 'approved' },
      ],
    });
    expect(after.standing.totals.classII).toBe(before.standing.totals.classII + 3);
    const entry = await server.db
      .selectFrom('ledger_entries')
      .selectAll()
      .where('source_kind', '=', 'claim')
      .where('source_id', '=', id)
      .executeTakeFirstOrThrow();
    expect(entry).toMatchObject({ credits: 3, credit_class: 'II', cme_year: 2026, source_label: '发表论文：论文：基层胸痛中心建设的实践' });
  });

  it('decides in bulk all or none, and needs a reason to reject', async () => {
    const a = await staff.claims.submit.mutate({
      ...paper,
      description: '授课一',
      activity: 'teaching',
      evidence: await upload('staff', [{ fileName: 'a.pdf', base64: pdf.replace('AAA', 'AAB') }]),
    });
    const b = await staff.claims.submit.mutate({
      ...paper,
      description: '授课二',
      activity: 'teaching',
      evidence: await upload('staff', [{ fileName: 'b.jpg', base64: jpeg }]),
    });
    await reviewer.claims.review.mutate({ claimIds: [a.id], decision: 'approved' });
    // b is at the department stage, a is not any more: the batch is refused as a whole.
    await expect(reviewer.claims.review.mutate({ claimIds: [b.id, a.id], decision: 'approved' })).rejects.toMatchObject({ data: { code: 'CONFLICT' } });
    expect((await staff.claims.mine.query()).claims.find((c) => c.id === b.id)?.stage).toBe(0);

    await expect(reviewer.claims.review.mutate({ claimIds: [b.id], decision: 'rejected' })).rejects.toMatchObject({ message: 'claims.rejection-needs-reason' });
    await unit.claims.review.mutate({ claimIds: [a.id], decision: 'rejected', reason: '授课记录缺少盖章' });
    await reviewer.claims.review.mutate({ claimIds: [b.id], decision: 'rejected', reason: '与论文申报重复' });
    const mine = (await staff.claims.mine.query()).claims;
    expect(mine.filter((c) => [a.id, b.id].includes(c.id)).map((c) => c.status)).toEqual(['rejected', 'rejected']);
  });

  it('takes further study up to the city, and counts it as compliant', async () => {
    const { id } = await staff.claims.submit.mutate({
      activity: 'further-study',
      occurredOn: '2026-08-31',
      credits: 0,
      months: 6,
      description: '安徽医科大学第一附属医院心内科进修',
      evidence: await upload('staff', [{ fileName: '进修结业证.jpg', base64: jpeg }]),
    });
    await reviewer.claims.review.mutate({ claimIds: [id], decision: 'approved' });
    await unit.claims.review.mutate({ claimIds: [id], decision: 'approved' });
    expect((await staff.claims.mine.query()).claims.find((c) => c.id === id)?.status).toBe('submitted');
    await city.claims.review.mutate({ claimIds: [id], decision: 'approved', reason: '进修证明属实' });
    const mine = await staff.claims.mine.query();
    expect(mine.standing).toMatchObject({ compliant: true, totals: { furtherStudyMonths: 6 } });
  });
});

describe('duplicates and resubmission', () => {
  it("flags a file already claimed by someone else, but not a resubmission of one's own withdrawn claim", async () => {
    const file = (
      await sharp({ create: { width: 41, height: 30, channels: 3, background: '#ecd' } })
        .png()
        .toBuffer()
    ).toString('base64');
    const first = await staff.claims.submit.mutate({
      ...paper,
      description: '病例报告',
      evidence: await upload('staff', [{ fileName: '病例报告.png', base64: file }]),
    });
    await staff.claims.withdraw.mutate({ claimId: first.id });
    await expect(staff.claims.withdraw.mutate({ claimId: first.id })).rejects.toMatchObject({ data: { code: 'CONFLICT' } });
    const again = await staff.claims.submit.mutate({
      ...paper,
      description: '病例报告（补充）',
      evidence: await upload('staff', [{ fileName: '病例报告.png', base64: file }]),
      replacesId: first.id,
    });
    const copied = await colleague.claims.submit.mutate({
      ...paper,
      description: '病例报告',
      evidence: await upload('colleague', [{ fileName: '我的病例报告.png', base64: file }]),
    });

    const queue = await reviewer.claims.queue.query();
    expect(queue.find((c) => c.id === again.id)?.duplicates).toEqual([expect.objectContaining({ claimId: copied.id, samePerson: false, status: 'submitted' })]);
    // Someone else's claims of the file are flagged even when withdrawn: that is for the reviewer to weigh.
    const flagged = queue.find((c) => c.id === copied.id)?.duplicates ?? [];
    expect(flagged.map((d) => [d.claimId, d.status, d.samePerson]).sort()).toEqual(
      [
        [again.id, 'submitted', false],
        [first.id, 'withdrawn', false],
      ].sort(),
    );
    // The file is stored once however many claims name it.
    const hash = queue.find((c) => c.id === copied.id)!.evidence[0]!.hash;
    const stored = await server.download(`/api/files/claims/${copied.id}/evidence/${hash}`, cookies.reviewer);
    expect(stored.res.headers.get('content-type')).toBe('image/png');
    expect(stored.bytes.toString('base64')).toBe(file);
    const viewed = await server.db.selectFrom('audit_log').select(['entity_id', 'after']).where('action', '=', 'claim.view-evidence').execute();
    const claimant = await server.db.selectFrom('claims').select('person_id').where('id', '=', copied.id).executeTakeFirstOrThrow();
    expect(viewed).toEqual([{ entity_id: claimant.person_id, after: JSON.stringify({ claimId: copied.id, hash }) }]);
  });

  it("will not resubmit someone else's claim or one still under review", async () => {
    const open = await staff.claims.submit.mutate({
      ...paper,
      description: '仍在审核',
      evidence: await upload('staff', [{ fileName: 'x.jpg', base64: jpeg }]),
    });
    await expect(
      staff.claims.submit.mutate({ ...paper, evidence: await upload('staff', [{ fileName: 'x.jpg', base64: jpeg }]), replacesId: open.id }),
    ).rejects.toMatchObject({ data: { code: 'CONFLICT' } });
    await expect(
      colleague.claims.submit.mutate({ ...paper, evidence: await upload('colleague', [{ fileName: 'x.jpg', base64: jpeg }]), replacesId: open.id }),
    ).rejects.toMatchObject({ data: { code: 'CONFLICT' } });
  });

  it('keeps a staff member to their own standing', async () => {
    const own = await staff.claims.mine.query();
    expect((await staff.standing.person.query({ personId: own.personId, cmeYear: 2026 })).personId).toBe(own.personId);
    const theirs = await colleague.claims.mine.query();
    await expect(staff.standing.person.query({ personId: theirs.personId, cmeYear: 2026 })).rejects.toMatchObject({ data: { code: 'FORBIDDEN' } });
  });
});
