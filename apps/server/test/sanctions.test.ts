// Sanctions and corrections as the offices use them, on a real server: a ledger entry reversed
// with a reason; a person's year voided for cheating (作废年度学分), which leaves every entry and
// its reversal in the ledger, the year at nothing and the audit log saying who and why; and an
// organiser barred from declaring projects (取消办班资格) until the bar ends.
import { newId } from '@opencme/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appendLedgerEntries } from '../src/repositories/ledger.ts';
import { DEMO_ADMIN, DEMO_PROVINCE } from '../src/seed.ts';
import { addPerson, credit } from './fixtures.ts';
import { type Client, startServer, type TestServer } from './harness.ts';

let server: TestServer;
let admin: Client;
let province: Client;
let adminId: string;
let hospital: string;

async function signIn() {
  admin = server.client({ cookie: await server.login(DEMO_ADMIN) });
  province = server.client({ cookie: await server.login(DEMO_PROVINCE) });
}

beforeAll(async () => {
  server = await startServer();
  await signIn();
  const user = await server.db.selectFrom('users').select(['id', 'organisation_id']).where('login', '=', DEMO_ADMIN.login).executeTakeFirstOrThrow();
  adminId = user.id;
  hospital = user.organisation_id;
});
afterAll(() => server.close());

const ledgerOf = (personId: string, cmeYear: number) =>
  server.db
    .selectFrom('ledger_entries')
    .select(['id', 'credits', 'source_kind', 'reverses_id', 'source_label', 'approved_by'])
    .where('person_id', '=', personId)
    .where('cme_year', '=', cmeYear)
    .execute();

describe('reversing one entry from the console', () => {
  it('reverses with the reason, audited, and refuses a second reversal or reversing a reversal', async () => {
    const person = await addPerson(server, { name: '覃思远', title: '住院医师', institutionId: hospital, departmentId: null, region: '340102' });
    const [kept, mistaken] = await credit(server, person.id, 2025, [{ credits: 20 }, { credits: 5, sourceLabel: '重复录入的讲座' }]);
    const { reversalId } = await admin.sanctions.reverseEntry.mutate({ ledgerEntryId: mistaken!, reason: '重复录入' });

    const standing = await admin.standing.person.query({ personId: person.id, cmeYear: 2025 });
    expect(standing.standing.totals.total).toBe(20);
    const reversal = (await ledgerOf(person.id, 2025)).find((e) => e.id === reversalId)!;
    expect(reversal).toMatchObject({ credits: -5, source_kind: 'reversal', reverses_id: mistaken, approved_by: adminId });
    expect(reversal.source_label).toContain('重复录入');

    const logged = await server.db.selectFrom('audit_log').selectAll().where('action', '=', 'ledger.reverse').where('entity_id', '=', mistaken!).execute();
    expect(logged).toHaveLength(1);
    expect(logged[0]).toMatchObject({ actor_user_id: adminId, organisation_id: hospital });
    expect(JSON.parse(logged[0]!.after!)).toMatchObject({ reason: '重复录入', reversalId });

    await expect(admin.sanctions.reverseEntry.mutate({ ledgerEntryId: mistaken!, reason: '再冲一次' })).rejects.toMatchObject({
      data: { messageKey: 'ledger.entry-already-reversed' },
    });
    await expect(admin.sanctions.reverseEntry.mutate({ ledgerEntryId: reversalId, reason: '冲销冲销' })).rejects.toMatchObject({
      data: { messageKey: 'ledger.reversal-cannot-be-reversed' },
    });
    expect(await ledgerOf(person.id, 2025)).toHaveLength(3);
    expect(kept).toBeDefined();
  });
});

describe('voiding a year (作废年度学分)', () => {
  it("drops the year's standing to 0, keeps every entry beside its reversal, revokes the year's proofs, and logs who and why", async () => {
    const person = await addPerson(server, { name: '龙佳怡', title: '主治医师', institutionId: hospital, departmentId: null, region: '340102' });
    const [, corrected] = await credit(server, person.id, 2025, [
      { creditClass: 'I', level: 'national', credits: 10 },
      { creditClass: 'II', credits: 4 },
      { creditClass: 'II', credits: 12 },
    ]);
    await credit(server, person.id, 2024, [{ credits: 25 }]);
    // One entry was already reversed before: the void reverses the others, not it again.
    await admin.sanctions.reverseEntry.mutate({ ledgerEntryId: corrected!, reason: '录入错误' });
    const printed = await admin.proofs.printPerson.mutate({ personId: person.id, fromYear: 2025, toYear: 2025 });
    expect(printed.total).toBe(1);
    expect((await admin.standing.person.query({ personId: person.id, cmeYear: 2025 })).standing.compliant).toBe(false);
    expect((await admin.standing.person.query({ personId: person.id, cmeYear: 2025 })).standing.totals.total).toBe(22);

    const reason = '代刷：查实由他人持卡代为签到';
    expect(await admin.sanctions.voidYear.mutate({ personId: person.id, cmeYear: 2025, reason })).toEqual({ reversed: 2 });

    const after = await admin.standing.person.query({ personId: person.id, cmeYear: 2025 });
    expect(after.standing.totals).toMatchObject({ classI: 0, classII: 0, national: 0, total: 0 });
    expect(after.voided).toMatchObject({ reason });
    // Another year is untouched.
    expect((await admin.standing.person.query({ personId: person.id, cmeYear: 2024 })).standing.totals.total).toBe(25);

    // The ledger keeps every entry, and each one that counted has exactly one reversal.
    const ledger = await ledgerOf(person.id, 2025);
    const originals = ledger.filter((e) => e.source_kind !== 'reversal');
    const reversals = ledger.filter((e) => e.source_kind === 'reversal');
    expect(originals).toHaveLength(3);
    expect(reversals).toHaveLength(3);
    for (const o of originals) expect(reversals.filter((r) => r.reverses_id === o.id).map((r) => r.credits)).toEqual([-o.credits]);
    expect(reversals.filter((r) => r.source_label.includes(reason))).toHaveLength(2);

    const [logged, ...more] = await server.db
      .selectFrom('audit_log')
      .selectAll()
      .where('action', '=', 'ledger.void-year')
      .where('entity_id', '=', person.id)
      .execute();
    expect(more).toHaveLength(0);
    expect(logged).toMatchObject({ actor_user_id: adminId, organisation_id: hospital, entity: 'person' });
    expect(JSON.parse(logged!.after!)).toMatchObject({ cmeYear: 2025, reason, reversed: expect.any(Array) as unknown });
    // The audit page words it, with the reason.
    const page = await admin.registry.auditLog.query({ organisationId: hospital });
    expect(page.find((e) => e.action === 'ledger.void-year')).toMatchObject({ target: '龙佳怡', actor: expect.any(String) as unknown });

    // The proof that stated the year no longer stands.
    const proof = await server.db.selectFrom('proofs').select(['revoked_at', 'revoke_reason']).where('person_id', '=', person.id).executeTakeFirstOrThrow();
    expect(proof).toMatchObject({ revoke_reason: reason });

    // While the void stands, no credits enter the year; other years take them.
    const approved = (year: number) => ({
      personId: person.id,
      cmeYear: year,
      creditClass: 'II' as const,
      level: null,
      credits: 3,
      sourceKind: 'adjustment' as const,
      sourceId: newId(),
      sourceLabel: '补录',
      approvedBy: adminId,
      at: server.clock.now,
    });
    expect(await appendLedgerEntries(server.db, [approved(2025)])).toEqual([]);
    expect(await appendLedgerEntries(server.db, [approved(2026)])).toHaveLength(1);
    expect((await admin.standing.person.query({ personId: person.id, cmeYear: 2025 })).standing.totals.total).toBe(0);

    await expect(province.sanctions.voidYear.mutate({ personId: person.id, cmeYear: 2025, reason })).rejects.toMatchObject({
      data: { messageKey: 'sanctions.year-already-voided', params: { year: 2025 } },
    });
  });
});

describe('barring an organiser (取消办班资格)', () => {
  const project = () => ({
    number: `2027-${newId().slice(-6)}`,
    name: '急诊急救技能培训',
    level: 'unit' as const,
    creditClass: 'II' as const,
    credits: 1,
    venue: '学术报告厅',
    startsOn: '2028-06-01',
    endsOn: '2028-06-01',
    mode: 'onsite' as const,
    courses: [{ name: '心肺复苏', startsAt: '2028-06-01T09:00:00+08:00', endsAt: '2028-06-01T11:00:00+08:00', credits: 1 }],
  });

  it('refuses declaring and submitting projects, with the end date and reason, until the bar ends', async () => {
    const { projectId: drafted } = await admin.projects.declare.mutate(project());
    const reason = '举办项目弄虚作假，虚报学员';
    expect(await province.sanctions.barOrganiser.mutate({ organisationId: hospital, years: 1, reason })).toEqual({ untilDate: '2027-11-21' });
    expect(await province.sanctions.bars.query()).toEqual([expect.objectContaining({ organisation_id: hospital, until_date: '2027-11-21', reason })]);
    const refusal = { data: { messageKey: 'sanctions.organiser-barred-until', params: { until: '2027-11-21', reason } } };
    await expect(admin.projects.declare.mutate(project())).rejects.toMatchObject(refusal);
    await expect(admin.projects.submit.mutate({ projectId: drafted })).rejects.toMatchObject(refusal);
    const [logged] = await server.db.selectFrom('audit_log').selectAll().where('action', '=', 'organiser.bar').execute();
    expect(logged).toMatchObject({ entity_id: hospital });
    expect(JSON.parse(logged!.after!)).toMatchObject({ reason, years: 1, untilDate: '2027-11-21' });

    // The last day of the bar still refuses; the day after, the unit declares again.
    server.clock.now = new Date('2027-11-21T15:00:00Z');
    await signIn();
    await expect(admin.projects.declare.mutate(project())).rejects.toMatchObject(refusal);
    server.clock.now = new Date('2027-11-21T16:00:00Z');
    await signIn();
    expect(await admin.projects.declare.mutate(project())).toMatchObject({ projectId: expect.any(String) as unknown });
    expect(await province.sanctions.bars.query()).toEqual([]);
  });

  it('bars units only, for one to three years', async () => {
    const city = (await server.db.selectFrom('organisations').select('parent_id').where('id', '=', hospital).executeTakeFirstOrThrow()).parent_id!;
    await expect(province.sanctions.barOrganiser.mutate({ organisationId: city, years: 1, reason: '测试' })).rejects.toMatchObject({
      data: { messageKey: 'sanctions.only-units-barred' },
    });
    await expect(province.sanctions.barOrganiser.mutate({ organisationId: hospital, years: 4, reason: '测试' })).rejects.toMatchObject({
      data: { code: 'BAD_REQUEST' },
    });
  });
});
