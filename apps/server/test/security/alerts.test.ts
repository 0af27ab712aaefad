// Proxy-tap (代刷) alerts name people and void attendance: only the reviewers of the organising unit
// see or decide them. Another unit's admin, a kiosk's token and a staff member get nothing.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createUser } from '../../src/repositories/users.ts';
import { addOrganisation } from '../fixtures.ts';
import { makeTaps, startServer, type TestServer } from '../harness.ts';

let server: TestServer;
let kiosk: Awaited<ReturnType<TestServer['demoKiosk']>>;
let alertId: string;
/** A person of the demo hospital the alert does not name. */
let bystander: string;

beforeAll(async () => {
  server = await startServer();
  kiosk = await server.demoKiosk();
  const pulled = await kiosk.client.sync.pull.query({ cursor: null });
  // A burst of six cards at the demo hospital's door raises an alert of the demo hospital.
  const cards = pulled.people.slice(0, 6).map((p) => ({ kind: 'card-number' as const, value: p.cmeNumber! }));
  await kiosk.client.sync.push.mutate({ taps: makeTaps({ deviceId: kiosk.deviceId, sessionId: pulled.sessions[0]!.id, cards }) });
  bystander = pulled.people[10]!.id;
  const [alert] = await (await server.admin()).alerts.list.query({ status: 'open' });
  alertId = alert!.id;

  // Another hospital of the same city, with its own administrator.
  const demoUnit = await server.db.selectFrom('devices').select('institution_id').where('id', '=', kiosk.deviceId).executeTakeFirstOrThrow();
  const city = (await server.db.selectFrom('organisations').select('parent_id').where('id', '=', demoUnit.institution_id).executeTakeFirstOrThrow()).parent_id!;
  const other = await addOrganisation(server, 'institution', '另一家医院', city);
  await createUser(server.db, {
    login: 'other-admin',
    displayName: '另一家医院管理员',
    password: 'other-admin-pw',
    role: 'unit-admin',
    organisationId: other,
    now: server.clock.now,
  });
}, 60_000);
afterAll(() => server?.close());

const decision = () => ({ alertId, decision: 'confirm' as const, reason: '越权确认' });

it('shows another unit’s admin none of the alerts, and refuses their decision', async () => {
  const other = server.client({ cookie: await server.login({ login: 'other-admin', password: 'other-admin-pw' }) });
  expect(await other.alerts.list.query({ status: 'open' })).toEqual([]);
  await expect(other.alerts.decide.mutate(decision())).rejects.toMatchObject({ data: { code: 'FORBIDDEN' } });
  await expect(other.alerts.decide.mutate({ ...decision(), decision: 'dismiss' })).rejects.toMatchObject({ data: { code: 'FORBIDDEN' } });
});

it('refuses a kiosk’s token, a staff member and nobody', async () => {
  await expect(kiosk.client.alerts.list.query({ status: 'open' })).rejects.toMatchObject({ data: { code: 'UNAUTHORIZED' } });
  await expect(kiosk.client.alerts.decide.mutate(decision())).rejects.toMatchObject({ data: { code: 'UNAUTHORIZED' } });
  const staff = server.client({ cookie: await server.login({ login: 'staff', password: 'opencme-demo' }) });
  await expect(staff.alerts.list.query({ status: 'open' })).rejects.toMatchObject({ data: { code: 'FORBIDDEN' } });
  await expect(staff.alerts.decide.mutate(decision())).rejects.toMatchObject({ data: { code: 'FORBIDDEN' } });
  await expect(server.client().alerts.list.query({ status: 'open' })).rejects.toMatchObject({ data: { code: 'UNAUTHORIZED' } });
});

it('lets the organising unit’s admin confirm only people the alert names', async () => {
  const admin = await server.admin();
  await expect(admin.alerts.decide.mutate({ ...decision(), personIds: [bystander] })).rejects.toMatchObject({ data: { code: 'BAD_REQUEST' } });
  // Nothing was decided: the alert is still open, and no one's attendance was voided.
  expect((await admin.alerts.list.query({ status: 'open' })).map((a) => a.id)).toContain(alertId);
  expect(await server.db.selectFrom('attendance').select('person_id').where('voided_at', 'is not', null).execute()).toEqual([]);
});
