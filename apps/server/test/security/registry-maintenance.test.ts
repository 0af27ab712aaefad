// Registry maintenance as an attacker tries it: the office of another unit, a department
// reviewer, a staff account and a kiosk token each try to change people who are not theirs to
// change, and to take in a transfer addressed to someone else.
import { idNumberCheckChar } from '@opencme/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUser } from '../../src/repositories/users.ts';
import { DEMO_REVIEWER, DEMO_STAFF } from '../../src/seed.ts';
import { addOrganisation } from '../fixtures.ts';
import { type Client, startServer, type TestServer } from '../harness.ts';

let server: TestServer;
let adminA: Client;
let adminB: Client;
let adminC: Client;
let reviewer: Client;
let staff: Client;
let kiosk: Client;
let hospitalB: string;
let departmentB: string;
let departmentC: string;
let personId: string;
let cardId: string;
let transferToB: string;

const idNumber = (order: number) => {
  const first17 = `34010419870203${String(order).padStart(3, '0')}`;
  return first17 + idNumberCheckChar(first17);
};

beforeAll(async () => {
  server = await startServer();
  adminA = await server.admin();
  const hospitalA = await server.db.selectFrom('organisations').select(['id', 'parent_id']).where('kind', '=', 'institution').executeTakeFirstOrThrow();
  hospitalB = await addOrganisation(server, 'institution', '乙医院', hospitalA.parent_id);
  departmentB = await addOrganisation(server, 'department', '内科', hospitalB);
  const hospitalC = await addOrganisation(server, 'institution', '丙医院', hospitalA.parent_id);
  departmentC = await addOrganisation(server, 'department', '外科', hospitalC);
  for (const [login, unit] of [
    ['admin-b', hospitalB],
    ['admin-c', hospitalC],
  ] as const) {
    await createUser(server.db, { login, displayName: login, password: `${login}-password`, role: 'unit-admin', organisationId: unit, now: server.clock.now });
  }
  adminB = server.client({ cookie: await server.login({ login: 'admin-b', password: 'admin-b-password' }) });
  adminC = server.client({ cookie: await server.login({ login: 'admin-c', password: 'admin-c-password' }) });
  reviewer = server.client({ cookie: await server.login(DEMO_REVIEWER) });
  staff = server.client({ cookie: await server.login(DEMO_STAFF) });
  kiosk = (await server.demoKiosk()).client;
  // A's person, in the reviewer's department, with a card and a transfer to B waiting.
  const reviewerDepartment = (await server.db.selectFrom('users').select('organisation_id').where('login', '=', DEMO_REVIEWER.login).executeTakeFirstOrThrow())
    .organisation_id;
  ({ personId } = await adminA.registry.addPerson.mutate({
    departmentId: reviewerDepartment,
    name: '唐悦',
    idNumber: idNumber(22),
    phone: '13955500077',
    title: '主治医师',
    category: 'doctor',
    specialty: '',
    degree: 'bachelor',
  }));
  await adminA.registry.bindCard.mutate({ personId, typed: 'D00D0001', category: 'II' });
  cardId = (await adminA.registry.person.query({ personId })).credentials.find((c) => c.kind === 'ic-card')!.id;
  ({ transferId: transferToB } = await adminA.registry.requestTransfer.mutate({ personId, toUnitId: hospitalB, reason: '调动' }));
}, 60_000);
afterAll(() => server.close());

const fields = { name: '唐悦', phone: '13955500077', category: 'doctor' as const, specialty: '', degree: 'bachelor' as const };
const acts = () => ({
  edit: (c: Client) => c.registry.editPerson.mutate({ personId, ...fields, name: '改名' }),
  changeId: (c: Client) => c.registry.editPerson.mutate({ personId, ...fields, idNumber: idNumber(24), idNumberReason: '冒名修改身份证号' }),
  history: (c: Client) => c.registry.history.query({ personId }),
  move: (c: Client) => c.registry.moveDepartment.mutate({ personId, departmentId: departmentC }),
  transfer: (c: Client) => c.registry.requestTransfer.mutate({ personId, toUnitId: hospitalB, reason: '调走' }),
  leave: (c: Client) => c.registry.recordLeaving.mutate({ personId, reason: 'deceased', on: '2026-11-01' }),
  replace: (c: Client) => c.registry.replaceCard.mutate({ credentialId: cardId, typed: 'D00D0002', category: 'III' }),
  cancel: (c: Client) => c.registry.cancelCard.mutate({ credentialId: cardId }),
  add: (c: Client) => c.registry.addPerson.mutate({ departmentId: departmentB, ...fields, name: '塞进来的人', idNumber: idNumber(26), title: '医师' }),
});

describe('registry maintenance across units', () => {
  it('the office of another unit can neither change nor look into A’s people', async () => {
    for (const [name, act] of Object.entries(acts())) {
      if (name === 'add') continue;
      await expect(act(adminC), name).rejects.toThrow('access.');
    }
    // Not even the unit a transfer is addressed to, before it accepts her.
    for (const name of ['edit', 'changeId', 'leave', 'replace', 'cancel'] as const) await expect(acts()[name](adminB), name).rejects.toThrow('access.');
    // Nor add people to a unit not its own.
    await expect(acts().add(adminC)).rejects.toThrow('access.');
  });

  it('only the unit a transfer is addressed to decides it: not a third unit, not the sending unit', async () => {
    await expect(adminC.registry.decideTransfer.mutate({ transferId: transferToB, accept: true, departmentId: departmentC })).rejects.toThrow('access.');
    await expect(adminA.registry.decideTransfer.mutate({ transferId: transferToB, accept: true, departmentId: departmentB })).rejects.toThrow('access.');
    // A third unit's office does not even see it.
    expect((await adminC.registry.transfers.query()).incoming).toEqual([]);
    // The receiving unit cannot place her in a department of another unit.
    await expect(adminB.registry.decideTransfer.mutate({ transferId: transferToB, accept: true, departmentId: departmentC })).rejects.toThrow(
      'registry.transfer-choose-department',
    );
  });

  it('a department reviewer cannot do what the unit’s office does, even for her own department', async () => {
    for (const [name, act] of Object.entries(acts())) {
      if (name === 'history') continue;
      await expect(act(reviewer), name).rejects.toThrow('access.');
    }
    await expect(reviewer.registry.decideTransfer.mutate({ transferId: transferToB, accept: false })).rejects.toThrow('access.');
  });

  it('staff accounts and kiosk tokens are refused everything', async () => {
    for (const client of [staff, kiosk]) {
      for (const [name, act] of Object.entries(acts())) await expect(act(client), name).rejects.toThrow('access.');
      await expect(client.registry.decideTransfer.mutate({ transferId: transferToB, accept: false })).rejects.toThrow('access.');
      await expect(client.registry.transfers.query()).rejects.toThrow('access.');
    }
    // Nothing of hers changed through all of it.
    const detail = await adminA.registry.person.query({ personId });
    expect(detail).toMatchObject({ name: '唐悦', leftOn: null });
    expect(await adminA.registry.history.query({ personId })).toHaveLength(1);
    expect(detail.credentials.find((c) => c.id === cardId)?.status).toBe('active');
  });
});
