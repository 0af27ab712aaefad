// The audit log as the admin console reads it: who did what to whom, when, with filters by action
// and by calendar day in China.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_REVIEWER } from '../src/seed.ts';
import { type Client, startServer, type TestServer } from './harness.ts';

let server: TestServer;
let admin: Client;
let hospital: { id: string; name: string };
beforeAll(async () => {
  server = await startServer();
  admin = await server.admin();
  hospital = await server.db.selectFrom('organisations').select(['id', 'name']).where('kind', '=', 'institution').executeTakeFirstOrThrow();
});
afterAll(() => server.close());

describe('registry.auditLog', () => {
  it('names the actor, the actor’s organisation and the person viewed, and never carries the ID number', async () => {
    const reviewer = server.client({ cookie: await server.login(DEMO_REVIEWER) });
    const { organisation_id } = await server.db
      .selectFrom('users')
      .select('organisation_id')
      .where('login', '=', DEMO_REVIEWER.login)
      .executeTakeFirstOrThrow();
    const department = await server.db.selectFrom('organisations').select('name').where('id', '=', organisation_id).executeTakeFirstOrThrow();
    const person = await server.db
      .selectFrom('persons')
      .select(['id', 'name'])
      .where('department_id', '=', organisation_id)
      .orderBy('name')
      .executeTakeFirstOrThrow();
    const { idNumber } = await reviewer.persons.revealIdNumber.mutate({ personId: person.id });

    const log = await admin.registry.auditLog.query({ organisationId: hospital.id, action: 'person.reveal-id-number' });
    expect(log).toHaveLength(1);
    expect(log[0]).toMatchObject({
      action: 'person.reveal-id-number',
      actor: '心血管内科审核员',
      actorOrganisation: department.name,
      target: person.name,
      entityId: person.id,
    });
    expect(JSON.stringify(log)).not.toContain(idNumber);
  });

  it('names the departments, accounts and people that other actions were about', async () => {
    await admin.units.addDepartment.mutate({ unitId: hospital.id, name: '皮肤科' });
    const department = await server.db.selectFrom('organisations').select('id').where('name', '=', '皮肤科').executeTakeFirstOrThrow();
    await admin.auth.createAccount.mutate({ organisationId: department.id, role: 'department-reviewer', login: 'skin-reviewer', displayName: '皮肤科审核员' });
    const log = await admin.registry.auditLog.query({ organisationId: hospital.id });
    expect(log.find((e) => e.action === 'department.add')).toMatchObject({ actor: '医教科管理员', actorOrganisation: hospital.name, target: '皮肤科' });
    expect(log.find((e) => e.action === 'account.create')).toMatchObject({ target: '皮肤科审核员' });
  });

  it('keeps the entries of the days asked for, counted in China time, and of the action asked for', async () => {
    const before = server.clock.now;
    try {
      // 01:00 on 21 November in China is still 20 November in UTC.
      server.clock.now = new Date('2026-11-20T17:00:00Z');
      await admin.units.addDepartment.mutate({ unitId: hospital.id, name: '夜间门诊' });
      server.clock.now = new Date('2026-11-21T16:30:00Z'); // 00:30 on the 22nd in China
      await admin.units.addDepartment.mutate({ unitId: hospital.id, name: '凌晨门诊' });
    } finally {
      server.clock.now = before;
    }
    const targets = async (range: { fromDate?: string; toDate?: string }) =>
      (await admin.registry.auditLog.query({ organisationId: hospital.id, action: 'department.add', ...range })).map((e) => e.target);

    expect(await targets({ fromDate: '2026-11-21', toDate: '2026-11-21' })).toEqual(['夜间门诊']);
    expect(await targets({ fromDate: '2026-11-20', toDate: '2026-11-20' })).toEqual([]);
    expect(await targets({ fromDate: '2026-11-22' })).toEqual(expect.arrayContaining(['凌晨门诊']));
    expect(await targets({ fromDate: '2026-11-22' })).not.toContain('夜间门诊');
    expect(await targets({ toDate: '2026-11-21' })).toEqual(['夜间门诊']);
    const all = await admin.registry.auditLog.query({ organisationId: hospital.id, action: 'department.add' });
    expect(new Set(all.map((e) => e.action))).toEqual(new Set(['department.add']));
  });
});
