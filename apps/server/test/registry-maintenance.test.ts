// Registry maintenance (issue 12): a unit's office adds and edits a person, moves her between
// departments and (调动) to another unit that accepts her, records her leaving, replaces and
// cancels her card; compliance (达标率) counts her where she was on the day it asks about, and by
// the title she is employed at (聘任), not the one she holds.
import { creditCodeCheckChar, idNumberCheckChar } from '@opencme/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUser } from '../src/repositories/users.ts';
import { DEMO_PROVINCE } from '../src/seed.ts';
import { addOrganisation, addPerson, credit } from './fixtures.ts';
import { type Client, startServer, type TestServer } from './harness.ts';

let server: TestServer;
let admin: Client;
let adminB: Client;
let hospitalA: string;
let departmentsA: { id: string; name: string }[];
let hospitalB: string;
let departmentB: string;
let kiosk: Awaited<ReturnType<TestServer['demoKiosk']>>;

const idNumber = (order: number) => {
  const first17 = `34010419850612${String(order).padStart(3, '0')}`;
  return first17 + idNumberCheckChar(first17);
};
const person = (overrides: Record<string, unknown> = {}) => ({
  departmentId: departmentsA[0]!.id,
  name: '沈佳宁',
  idNumber: idNumber(402),
  phone: '13955512345',
  title: '主治医师',
  employedTitle: '主治医师',
  category: 'doctor' as const,
  specialty: '心血管',
  degree: 'master' as const,
  ...overrides,
});
/** Moves the clock; the sessions of both offices would have expired, so they sign in again. */
async function at(iso: string) {
  server.clock.now = new Date(iso);
  admin = await server.admin();
  adminB = server.client({ cookie: await server.login({ login: 'admin-sichuan', password: 'admin-sichuan-password' }) });
}

beforeAll(async () => {
  server = await startServer();
  admin = await server.admin();
  hospitalA = (await server.db.selectFrom('organisations').select('id').where('kind', '=', 'institution').executeTakeFirstOrThrow()).id;
  departmentsA = await admin.units.departments.query({ unitId: hospitalA });
  const city = (await server.db.selectFrom('organisations').select('parent_id').where('id', '=', hospitalA).executeTakeFirstOrThrow()).parent_id!;
  hospitalB = await addOrganisation(server, 'institution', '合肥市第二人民医院', city);
  departmentB = await addOrganisation(server, 'department', '心内科', hospitalB);
  await createUser(server.db, {
    login: 'admin-sichuan',
    displayName: '二院医教科',
    password: 'admin-sichuan-password',
    role: 'unit-admin',
    organisationId: hospitalB,
    now: server.clock.now,
  });
  adminB = server.client({ cookie: await server.login({ login: 'admin-sichuan', password: 'admin-sichuan-password' }) });
  kiosk = await server.demoKiosk();
}, 180_000);
afterAll(() => server.close());

/** Everything the demo kiosk holds after pulling from the start. */
async function roster() {
  const people = new Map<string, { credentials: { key: string; status: string }[] }>();
  let cursor: string | null = null;
  for (;;) {
    const page = await kiosk.client.sync.pull.query({ cursor });
    for (const p of page.people) people.set(p.id, p);
    for (const id of page.removed ?? []) people.delete(id);
    cursor = page.cursor;
    if (!page.hasMore) return people;
  }
}

/** How many a unit counts in 达标率 for a year, and whether this person is among them. */
async function counted(client: Client, organisationId: string, cmeYear: number, personId: string) {
  const rows = await client.verification.compliance.query({ organisationId, cmeYear });
  const people = await client.verification.people.query({ organisationId, cmeYear, page: 1 });
  return { total: rows.reduce((s, r) => s + r.counted, 0), listed: people.rows.some((r) => r.personId === personId) };
}

describe('adding and editing a person', () => {
  it('checks every field as registration does and refuses a number already registered', async () => {
    await expect(admin.registry.addPerson.mutate(person({ idNumber: '340104198506124021' }))).rejects.toThrow(/id-number\./);
    await expect(admin.registry.addPerson.mutate(person({ phone: '12345' }))).rejects.toThrow(/phone/);
    await expect(admin.registry.addPerson.mutate(person({ departmentId: departmentB }))).rejects.toThrow();
    const added = await admin.registry.addPerson.mutate(person({ idNumber: idNumber(404) }));
    expect(added.cmeNumber).toMatch(/^\d{11}[\dX]$/);
    await expect(admin.registry.addPerson.mutate(person({ idNumber: idNumber(404), name: '又一人' }))).rejects.toThrow('registry.id-number-registered');
  });

  it('changes the ID number only with a reason, and the audit keeps digests, never the number', async () => {
    const { personId } = await admin.registry.addPerson.mutate(person({ idNumber: idNumber(406), name: '许文静' }));
    const fields = { personId, name: '许文静', phone: '13955512346', category: 'doctor' as const, specialty: '', degree: 'master' as const };
    await expect(admin.registry.editPerson.mutate({ ...fields, idNumber: idNumber(408) })).rejects.toThrow('registry.id-number-change-needs-reason');
    await admin.registry.editPerson.mutate({ ...fields, name: '许文婧', idNumber: idNumber(408), idNumberReason: '身份证号录入错误' });
    const detail = await admin.registry.person.query({ personId });
    expect(detail).toMatchObject({ name: '许文婧', maskedIdNumber: `340***********${idNumber(408).slice(-4)}` });
    const lines = await server.db.selectFrom('audit_log').select(['action', 'before', 'after']).where('entity_id', '=', personId).execute();
    const change = lines.find((l) => l.action === 'person.change-id-number')!;
    expect(JSON.parse(change.after!)).toMatchObject({ reason: '身份证号录入错误', idNumberDigest: server.vault.index(idNumber(408)) });
    expect(JSON.parse(change.before!)).toEqual({ idNumberDigest: server.vault.index(idNumber(406)) });
    const everything = JSON.stringify(lines);
    for (const n of [idNumber(406), idNumber(408)]) expect(everything).not.toContain(n);
    // Found by the new number, and the kiosk's ID card for her is the new one.
    expect((await admin.registry.staff.query({ organisationId: hospitalA, query: idNumber(408) })).rows.map((r) => r.id)).toEqual([personId]);
    expect((await admin.registry.staff.query({ organisationId: hospitalA, query: idNumber(406) })).rows).toEqual([]);
  });
});

describe('a person through the years: added, moved, transferred, leaving', () => {
  it('counts her in the right unit on the right dates, keeps her ledger and history, and drops her from the kiosk', async () => {
    await at('2026-11-22T02:00:00Z');
    const { personId } = await admin.registry.addPerson.mutate(person({ idNumber: idNumber(410), name: '陆思源' }));
    await credit(server, personId, 2026, [{ credits: 5 }]);
    expect((await roster()).has(personId)).toBe(true);
    expect(await counted(admin, hospitalA, 2026, personId)).toMatchObject({ listed: true });

    await at('2027-01-15T02:00:00Z');
    await admin.registry.moveDepartment.mutate({ personId, departmentId: departmentsA[1]!.id });
    await expect(admin.registry.moveDepartment.mutate({ personId, departmentId: departmentB })).rejects.toThrow();

    await at('2027-03-10T02:00:00Z');
    const { transferId } = await admin.registry.requestTransfer.mutate({ personId, toUnitId: hospitalB, reason: '工作调动' });
    await expect(admin.registry.requestTransfer.mutate({ personId, toUnitId: hospitalB, reason: '工作调动' })).rejects.toThrow(
      'registry.transfer-already-pending',
    );
    // Nothing moves until the receiving unit accepts.
    expect((await adminB.registry.transfers.query()).incoming.map((t) => t.id)).toEqual([transferId]);
    expect((await admin.registry.transfers.query()).outgoing.map((t) => t.id)).toEqual([transferId]);
    expect((await admin.registry.person.query({ personId })).unitId).toBe(hospitalA);
    await expect(adminB.registry.decideTransfer.mutate({ transferId, accept: true, departmentId: departmentsA[0]!.id })).rejects.toThrow(
      'registry.transfer-choose-department',
    );
    await adminB.registry.decideTransfer.mutate({ transferId, accept: true, departmentId: departmentB });
    await expect(adminB.registry.decideTransfer.mutate({ transferId, accept: false })).rejects.toThrow('registry.transfer-not-pending');

    const history = await adminB.registry.history.query({ personId });
    expect(history).toEqual([
      { unit: '合肥市第一人民医院（演示）', department: departmentsA[0]!.name, from: '2026-11-22', to: '2027-01-14' },
      { unit: '合肥市第一人民医院（演示）', department: departmentsA[1]!.name, from: '2027-01-15', to: '2027-03-09' },
      { unit: '合肥市第二人民医院', department: '心内科', from: '2027-03-10', to: null },
    ]);
    // The ledger stays with her: B sees the credits she earned at A.
    expect((await adminB.standing.person.query({ personId, cmeYear: 2026 })).standing.totals.classII).toBe(5);
    // The kiosk of A forgets her.
    expect((await roster()).has(personId)).toBe(false);

    // 2026 ended with her at A; 2027 ends with her at B.
    expect(await counted(admin, hospitalA, 2026, personId)).toMatchObject({ listed: true });
    expect(await counted(adminB, hospitalB, 2026, personId)).toEqual({ total: 0, listed: false });
    expect(await counted(admin, hospitalA, 2027, personId)).toMatchObject({ listed: false });
    expect(await counted(adminB, hospitalB, 2027, personId)).toEqual({ total: 1, listed: true });
    // Month by month through 2027: counted by A while she was there (one of A's), then by B.
    const trendB = await adminB.verification.trend.query({ organisationId: hospitalB, cmeYear: 2027 });
    expect(trendB.slice(0, 3).map((m) => m.rate)).toEqual([null, null, 0]);

    await at('2028-05-02T02:00:00Z');
    await expect(adminB.registry.recordLeaving.mutate({ personId, reason: 'retired', on: '2028-05-03' })).rejects.toThrow('registry.leaving-date-not-future');
    await adminB.registry.recordLeaving.mutate({ personId, reason: 'retired', on: '2028-04-30' });
    await expect(adminB.registry.moveDepartment.mutate({ personId, departmentId: departmentB })).rejects.toThrow('registry.person-has-left');
    expect(await counted(adminB, hospitalB, 2028, personId)).toEqual({ total: 0, listed: false });
    // Her earlier years stand as they were.
    expect(await counted(adminB, hospitalB, 2027, personId)).toEqual({ total: 1, listed: true });
    expect((await adminB.registry.person.query({ personId })).leftOn).toBe('2028-04-30');
    await at('2026-11-22T01:30:00Z');
  });

  it('a transfer declined leaves her where she is', async () => {
    const { personId } = await admin.registry.addPerson.mutate(person({ idNumber: idNumber(412), name: '钱若曦' }));
    const { transferId } = await admin.registry.requestTransfer.mutate({ personId, toUnitId: hospitalB, reason: '借调' });
    await adminB.registry.decideTransfer.mutate({ transferId, accept: false });
    expect((await admin.registry.person.query({ personId })).unitId).toBe(hospitalA);
    expect((await adminB.registry.transfers.query()).incoming).toEqual([]);
  });
});

describe('cards', () => {
  it('replaces a card (改卡): the old one goes on the deny list, the fee of the province is recorded', async () => {
    const { personId } = await admin.registry.addPerson.mutate(person({ idNumber: idNumber(414), name: '韩冬' }));
    await admin.registry.bindCard.mutate({ personId, typed: 'C0FFEE01', category: 'II' });
    const card = (await admin.registry.person.query({ personId })).credentials.find((c) => c.kind === 'ic-card')!;
    // Anhui charges nothing of record; its office sets fees like Guangdong's.
    expect(await admin.registry.cardFees.query({ organisationId: hospitalA })).toEqual({});
    const provinceId = (await server.db.selectFrom('organisations').select('id').where('kind', '=', 'province').executeTakeFirstOrThrow()).id;
    const province = server.client({ cookie: await server.login(DEMO_PROVINCE) });
    await province.registry.setCardFees.mutate({ provinceId, fees: { I: 0, II: 70, III: 20 } });
    expect(await admin.registry.cardFees.query({ organisationId: hospitalA })).toEqual({ I: 0, II: 70, III: 20 });
    const replaced = await admin.registry.replaceCard.mutate({ credentialId: card.id, typed: 'C0FFEE02', category: 'III' });
    expect(replaced).toEqual({ uid: 'C0FFEE02', feeYuan: 20 });
    const cards = (await admin.registry.person.query({ personId })).credentials.filter((c) => c.kind === 'ic-card');
    expect(cards.map((c) => [c.value, c.status, c.feeYuan])).toEqual([
      ['C0FFEE01', 'replaced', null],
      ['C0FFEE02', 'active', 20],
    ]);
    await expect(admin.registry.replaceCard.mutate({ credentialId: card.id, typed: 'C0FFEE03', category: 'III' })).rejects.toThrow('registry.card-not-in-use');
    const held = (await roster()).get(personId)!;
    expect(held.credentials.filter((c) => c.key.includes('C0FFEE')).map((c) => [c.key.slice(-8), c.status])).toEqual([
      ['C0FFEE01', 'lost'],
      ['C0FFEE02', 'active'],
    ]);

    const second = cards[1]!;
    await admin.registry.cancelCard.mutate({ credentialId: second.id });
    expect((await roster()).get(personId)!.credentials.filter((c) => c.status === 'active' && c.key.includes('C0FFEE'))).toEqual([]);
  });
});

describe('compliance (达标率) counts the title people are employed at (聘任)', () => {
  it('leaves out someone who holds an intermediate title but is employed at a junior one, and counts the reverse', async () => {
    const unit = await addOrganisation(
      server,
      'institution',
      '聘任测试医院',
      (await server.db.selectFrom('organisations').select('id').where('kind', '=', 'city').executeTakeFirstOrThrow()).id,
    );
    const dept = await addOrganisation(server, 'department', '内科', unit);
    const held = await addPerson(server, { name: '持证未聘', title: '主治医师', institutionId: unit, departmentId: dept });
    const employed = await addPerson(server, { name: '低职高聘', title: '住院医师', institutionId: unit, departmentId: dept });
    const plain = await addPerson(server, { name: '同职同聘', title: '主治医师', institutionId: unit, departmentId: dept });
    for (const p of [held, employed, plain]) await server.db.updateTable('persons').set({ registration_status: 'approved' }).where('id', '=', p.id).execute();
    await server.db.updateTable('persons').set({ employed_title: '住院医师', employed_title_since: '2020-01-01' }).where('id', '=', held.id).execute();
    await server.db.updateTable('persons').set({ employed_title: '主治医师', employed_title_since: '2020-01-01' }).where('id', '=', employed.id).execute();
    const province = server.client({ cookie: await server.login(DEMO_PROVINCE) });
    const [row] = await province.verification.compliance.query({ organisationId: unit, cmeYear: 2026 });
    expect(row!.counted).toBe(2);
    const people = await province.verification.people.query({ organisationId: unit, cmeYear: 2026, page: 1 });
    expect(Object.fromEntries(people.rows.map((r) => [r.name, r.counted]))).toEqual({ 持证未聘: false, 低职高聘: true, 同职同聘: true });
  });

  it('keeps the employed title on the record when the office sets it', async () => {
    const { personId } = await admin.registry.addPerson.mutate(person({ idNumber: idNumber(416), name: '蒋一帆', employedTitle: null }));
    await admin.registry.setTitle.mutate({ personId, kind: 'employed', title: '住院医师', fromDate: '2026-11-01' });
    expect((await admin.registry.person.query({ personId })).employedTitle).toBe('住院医师');
    const people = await admin.verification.people.query({ organisationId: hospitalA, cmeYear: 2026, page: 1, departmentId: departmentsA[0]!.id });
    expect(people.rows.find((r) => r.personId === personId)?.counted).toBe(false);
  });
});

describe('province-direct units (省直/委直属)', () => {
  it('register straight under the province, which verifies them and receives their verification with no city between', async () => {
    const provinceEntry = (await server.client().units.cities.query()).find((c) => c.direct)!;
    const first17 = '12340000MB1234567';
    const { unitId, login } = await server.client().units.register.mutate({
      cityId: provinceEntry.id,
      creditCode: first17 + creditCodeCheckChar(first17),
      name: '安徽省立医院（省直）',
      admin: { displayName: '医教处', password: 'a-long-password' },
    });
    const province = server.client({ cookie: await server.login(DEMO_PROVINCE) });
    expect((await province.units.pending.query()).map((u) => u.id)).toContain(unitId);
    await province.units.verify.mutate({ unitId, approve: true });
    const unitAdmin = server.client({ cookie: await server.login({ login, password: 'a-long-password' }) });
    const { id: departmentId } = await unitAdmin.units.addDepartment.mutate({ unitId, name: '神经内科' });
    await unitAdmin.registry.addPerson.mutate(person({ departmentId, idNumber: idNumber(420), name: '宋知远' }));
    const { run: drafted } = await unitAdmin.verification.run.mutate({ organisationId: unitId, cmeYear: 2026, round: 'year-end' });
    await unitAdmin.verification.submit.mutate({ runId: drafted.id });
    const [run] = await province.verification.runs.query({ organisationId: unitId, cmeYear: 2026 });
    expect(run).toMatchObject({ status: 'forwarded', people: 1 });
    // Its projects skip the city too: a provincial project goes to the province alone.
    const { projectId } = await unitAdmin.projects.declare.mutate({
      number: 'SZ-1',
      name: '神经重症学习班',
      level: 'provincial',
      creditClass: 'I',
      credits: 2,
      venue: '报告厅',
      startsOn: '2026-12-20',
      endsOn: '2026-12-20',
      mode: 'onsite',
      courses: [{ name: '讲座', startsAt: '2026-12-20T09:00:00+08:00', endsAt: '2026-12-20T11:00:00+08:00', credits: 2 }],
    });
    expect((await unitAdmin.projects.get.query({ projectId })).project.reviewOffices).toEqual(['province']);
  });
});
