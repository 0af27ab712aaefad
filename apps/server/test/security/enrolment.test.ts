// Enrolment (报名) across units, as an attacker sees it: the public catalogue names nobody; a staff
// member enrols herself only; a unit's office enrols its own people only; another unit neither
// reads nor closes a project's list; a kiosk's token brings the enrolled of its own sessions only.
// Real server, real SQLite, over HTTP, on the demo: hospital A (合肥) runs the course, hospital B
// (芜湖) sends its nurse.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_ADMIN_B, DEMO_STAFF, DEMO_STAFF_B } from '../../src/seed.ts';
import { type Client, startServer, type TestServer } from '../harness.ts';

let server: TestServer;
let adminA: Client;
let adminB: Client;
let staffA: Client;
let staffB: Client;
let projectId: string;
let sessionId: string;
let nurseB: { id: string; cme_number: string | null };
let personA: string;

beforeAll(async () => {
  server = await startServer();
  adminA = await server.admin();
  adminB = server.client({ cookie: await server.login(DEMO_ADMIN_B) });
  staffA = server.client({ cookie: await server.login(DEMO_STAFF) });
  staffB = server.client({ cookie: await server.login(DEMO_STAFF_B) });
  const session = (await adminA.sessions.list.query())[0]!;
  sessionId = session.id;
  projectId = (await server.db.selectFrom('sessions').select('project_id').where('id', '=', sessionId).executeTakeFirstOrThrow()).project_id;
  nurseB = await server.db.selectFrom('persons').select(['id', 'cme_number']).where('name', '=', DEMO_STAFF_B.name).executeTakeFirstOrThrow();
  personA = (await server.db.selectFrom('persons').select('id').where('registration_status', '=', 'approved').orderBy('cme_number').executeTakeFirstOrThrow())
    .id;
}, 180_000);
afterAll(() => server.close());

const enrolled = async () =>
  (await server.db.selectFrom('enrolments').select('person_id').where('project_id', '=', projectId).execute()).map((e) => e.person_id);

describe('enrolment', () => {
  it('shows anyone the catalogue of approved projects, and nothing of who enrolled', async () => {
    await staffB.enrolment.enrolSelf.mutate({ projectId });
    const anonymous = server.client();
    const catalogue = await anonymous.enrolment.catalogue.query();
    expect(catalogue.find((p) => p.id === projectId)).toMatchObject({ name: '急危重症诊疗新进展学习班', credits: 2, enrolment: 'open' });
    const reply = JSON.stringify(catalogue);
    const nurse = await server.db.selectFrom('persons').select(['id_number_masked', 'phone']).where('id', '=', nurseB.id).executeTakeFirstOrThrow();
    for (const secret of [DEMO_STAFF_B.name, DEMO_STAFF_B.idNumber, nurse.id_number_masked, nurse.phone!, nurseB.cme_number!, nurseB.id]) {
      expect(reply).not.toContain(secret);
    }
    // A project still in declaration is not in the catalogue.
    const { projectId: draft } = await adminA.projects.declare.mutate({
      number: 'ENROL-DRAFT',
      name: '尚在申报的项目',
      level: 'unit',
      creditClass: 'II',
      credits: 1,
      venue: '会议室',
      startsOn: '2026-12-20',
      endsOn: '2026-12-20',
      mode: 'onsite',
      courses: [{ name: '讲座', startsAt: '2026-12-20T09:00:00+08:00', endsAt: '2026-12-20T11:00:00+08:00', credits: 1 }],
    });
    expect((await anonymous.enrolment.catalogue.query()).map((p) => p.id)).not.toContain(draft);
    await expect(staffB.enrolment.enrolSelf.mutate({ projectId: draft })).rejects.toMatchObject({ message: 'enrolment.project-not-approved' });
  });

  it('lets staff enrol themselves only, once', async () => {
    await expect(staffB.enrolment.enrolSelf.mutate({ projectId })).rejects.toMatchObject({ message: 'enrolment.already-enrolled' });
    // A person named beside the project is not read: the staff member is enrolled, no one else.
    await staffA.enrolment.enrolSelf.mutate({ projectId, personId: personA } as { projectId: string });
    const own = await server.db
      .selectFrom('staff_accounts')
      .innerJoin('users', 'users.id', 'staff_accounts.user_id')
      .select('staff_accounts.person_id')
      .where('users.login', '=', DEMO_STAFF.login)
      .executeTakeFirstOrThrow();
    expect(await enrolled()).toEqual(expect.arrayContaining([nurseB.id, own.person_id]));
    if (own.person_id !== personA) expect(await enrolled()).not.toContain(personA);
    await expect(staffA.enrolment.enrolStaff.mutate({ projectId, personIds: [personA] })).rejects.toMatchObject({ data: { code: 'FORBIDDEN' } });
  });

  it('lets a unit’s office enrol its own people, never another unit’s', async () => {
    await expect(adminB.enrolment.enrolStaff.mutate({ projectId, personIds: [personA] })).rejects.toMatchObject({ data: { code: 'FORBIDDEN' } });
    await expect(adminB.enrolment.enrolStaff.mutate({ projectId, personIds: [nurseB.id, personA] })).rejects.toMatchObject({ data: { code: 'FORBIDDEN' } });
    expect(await enrolled()).not.toContain(personA);
    // Her own nurse, enrolled already: counted apart, not enrolled twice.
    expect(await adminB.enrolment.enrolStaff.mutate({ projectId, personIds: [nurseB.id] })).toEqual({ enrolled: 0, already: 1 });
    expect((await enrolled()).filter((id) => id === nurseB.id)).toHaveLength(1);
  });

  it('shows the list to the organiser’s unit only, which alone closes it', async () => {
    await expect(adminB.enrolment.list.query({ projectId })).rejects.toMatchObject({ data: { code: 'FORBIDDEN' } });
    await expect(adminB.enrolment.close.mutate({ projectId })).rejects.toMatchObject({ data: { code: 'FORBIDDEN' } });
    await expect(staffB.enrolment.list.query({ projectId })).rejects.toMatchObject({ data: { code: 'FORBIDDEN' } });
    const list = await adminA.enrolment.list.query({ projectId });
    expect(list.state).toBe('open');
    const nurse = list.people.find((p) => p.personId === nurseB.id)!;
    expect(nurse).toMatchObject({ name: DEMO_STAFF_B.name, unit: '芜湖市第二人民医院（演示）', source: 'self', external: false });
    expect(JSON.stringify(list)).not.toContain(DEMO_STAFF_B.idNumber);

    await adminA.enrolment.close.mutate({ projectId });
    expect((await adminA.enrolment.list.query({ projectId })).state).toBe('closed');
    expect((await server.client().enrolment.catalogue.query()).find((p) => p.id === projectId)!.enrolment).toBe('closed');
    await expect(adminA.enrolment.enrolStaff.mutate({ projectId, personIds: [personA] })).rejects.toMatchObject({ message: 'enrolment.closed' });
  });

  it('brings the enrolled to the kiosks of the project’s sessions, and to no other kiosk', async () => {
    const assigned = await server.demoKiosk();
    const pulled = await assigned.client.sync.pull.query({ cursor: null });
    const nurse = pulled.people.find((p) => p.id === nurseB.id);
    expect(nurse).toMatchObject({ name: DEMO_STAFF_B.name, photo: expect.stringMatching(/^data:image\/jpeg;base64,/) });
    expect(nurse!.credentials.map((c) => c.kind).sort()).toEqual(['card-number', 'id-card']);

    // Another kiosk of the same hospital, not assigned to the session: its own staff, not her.
    const other = await adminA.devices.create.mutate({ name: '未分配的签到机' });
    const paired = await server.client().devices.pair.mutate({ code: other.pairingCode });
    const unassigned = server.client({ authorization: `Bearer ${paired.token}` });
    const roster = await unassigned.sync.pull.query({ cursor: null });
    expect(roster.people.length).toBeGreaterThan(100);
    expect(roster.people.map((p) => p.id)).not.toContain(nurseB.id);
    // Assigned later, after its cursor has passed her record: the next pull brings her.
    await adminA.devices.assignSession.mutate({ deviceId: paired.deviceId, sessionId });
    const next = await unassigned.sync.pull.query({ cursor: roster.cursor, deviceKeyId: roster.deviceKey?.id });
    expect(next.people.map((p) => p.id)).toEqual([nurseB.id]);
  });
});
