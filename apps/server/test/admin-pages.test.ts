// What the registration, project and staff-list pages need from the server: errors that name
// their field, drafts that can be amended and withdrawn, a staff search by the last digits of a
// number, filters, and the registrant's photo for the reviewer.
import { newId } from '@opencme/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_DIRECTOR, DEMO_REVIEWER } from '../src/seed.ts';
import { type Client, startServer, type TestServer } from './harness.ts';

let server: TestServer;
let organiser: Client;
let unitId: string;

beforeAll(async () => {
  server = await startServer();
  organiser = await server.admin();
  unitId = (await server.db.selectFrom('organisations').select('id').where('kind', '=', 'institution').executeTakeFirstOrThrow()).id;
});
afterAll(() => server.close());

/** What the client receives of a refused call: the field it is about, and the fields validation refused. */
async function refusal(call: Promise<unknown>) {
  const error = await call.then(
    () => null,
    (e: { message: string; data?: { field?: string | null; issues?: { path: string[] }[] | null } }) => e,
  );
  expect(error).not.toBeNull();
  return { message: error!.message, field: error!.data?.field ?? null, paths: error!.data?.issues?.map((i) => i.path.join('.')) ?? [] };
}

describe('registration errors name their field', () => {
  const registration = {
    institutionId: 'x',
    departmentId: 'y',
    name: '林晓',
    idNumber: '110105199003070018',
    phone: '13955500001',
    title: '护师',
    category: 'nurse' as const,
    degree: 'bachelor' as const,
    photoUpload: 'none',
  };

  it('a wrong check digit is about the ID number, a short phone number about the phone', async () => {
    const wrongDigit = await refusal(server.client().registration.submit.mutate(registration));
    expect(wrongDigit).toMatchObject({ message: 'id-number.check-digit', field: 'idNumber' });
    const shortPhone = await refusal(server.client().registration.submit.mutate({ ...registration, idNumber: '110105199003070017', phone: '1395550' }));
    expect(shortPhone.paths).toEqual(['phone']);
  });

  it('a unit’s wrong credit code is about the credit code, a short password about the administrator’s password', async () => {
    const unit = { cityId: 'x', creditCode: '12340100485999901A', name: '合肥市第三人民医院', admin: { displayName: '医教科', password: 'a-long-password' } };
    expect(await refusal(server.client().units.register.mutate(unit))).toMatchObject({ field: 'creditCode' });
    expect((await refusal(server.client().units.register.mutate({ ...unit, admin: { displayName: '医教科', password: 'short' } }))).paths).toEqual([
      'admin.password',
    ]);
  });
});

const project = (overrides: Record<string, unknown> = {}) => ({
  number: `D-${newId().slice(-8)}`,
  name: '护理质量讲座',
  level: 'unit' as const,
  creditClass: 'II' as const,
  credits: 1,
  venue: '会议室',
  startsOn: '2026-12-20',
  endsOn: '2026-12-20',
  mode: 'onsite' as const,
  courses: [{ name: '讲座', startsAt: '2026-12-20T09:00:00+08:00', endsAt: '2026-12-20T11:00:00+08:00', credits: 1 }],
  ...overrides,
});

describe('drafts', () => {
  it('the organiser amends a draft, fields and courses, and the change is audited', async () => {
    const { projectId } = await organiser.projects.declare.mutate(project());
    const amended = project({
      name: '护理质量与安全讲座',
      courses: [
        { name: '上午', startsAt: '2026-12-20T09:00:00+08:00', endsAt: '2026-12-20T11:00:00+08:00', credits: 1 },
        { name: '下午', startsAt: '2026-12-20T14:00:00+08:00', endsAt: '2026-12-20T16:00:00+08:00', credits: 1 },
      ],
    });
    await organiser.projects.update.mutate({ projectId, project: amended });
    const got = await organiser.projects.get.query({ projectId });
    expect(got.project).toMatchObject({ name: '护理质量与安全讲座', number: amended.number, status: 'draft' });
    const sessions = await server.db.selectFrom('sessions').select('title').where('project_id', '=', projectId).orderBy('starts_at').execute();
    expect(sessions.map((s) => s.title)).toEqual(['上午', '下午']);
    const logged = await server.db
      .selectFrom('audit_log')
      .select(['action', 'organisation_id'])
      .where('entity_id', '=', projectId)
      .where('action', '=', 'project.update')
      .execute();
    expect(logged).toEqual([{ action: 'project.update', organisation_id: unitId }]);
  });

  it('the organiser deletes a draft: the project, its courses and sessions go, the audit log keeps who did it', async () => {
    const { projectId } = await organiser.projects.declare.mutate(project());
    await organiser.projects.delete.mutate({ projectId });
    expect(await server.db.selectFrom('projects').select('id').where('id', '=', projectId).execute()).toEqual([]);
    expect(await server.db.selectFrom('sessions').select('id').where('project_id', '=', projectId).execute()).toEqual([]);
    expect(await server.db.selectFrom('courses').select('id').where('project_id', '=', projectId).execute()).toEqual([]);
    const logged = await server.db
      .selectFrom('audit_log')
      .select(['action', 'before'])
      .where('entity_id', '=', projectId)
      .where('action', '=', 'project.delete')
      .executeTakeFirstOrThrow();
    expect(JSON.parse(logged.before!)).toMatchObject({ name: '护理质量讲座', status: 'draft' });
  });

  it('a submitted project is neither amended nor deleted; a too-early start is refused beside the start date', async () => {
    expect(await organiser.projects.leadTime.query()).toEqual({ leadDays: 14, earliestStart: '2026-12-06' });
    const early = await organiser.projects.declare.mutate(
      project({
        startsOn: '2026-11-25',
        endsOn: '2026-11-25',
        courses: [{ name: '讲座', startsAt: '2026-11-25T09:00:00+08:00', endsAt: '2026-11-25T11:00:00+08:00', credits: 1 }],
      }),
    );
    expect(await refusal(organiser.projects.submit.mutate(early))).toMatchObject({ field: 'startsOn' });

    const { projectId } = await organiser.projects.declare.mutate(
      project({
        startsOn: '2027-01-20',
        endsOn: '2027-01-20',
        courses: [{ name: '讲座', startsAt: '2027-01-20T09:00:00+08:00', endsAt: '2027-01-20T11:00:00+08:00', credits: 1 }],
      }),
    );
    await organiser.projects.submit.mutate({ projectId });
    await expect(organiser.projects.update.mutate({ projectId, project: project() })).rejects.toThrow('projects.only-draft-amended');
    await expect(organiser.projects.delete.mutate({ projectId })).rejects.toThrow('projects.only-draft-deleted');
    const director = server.client({ cookie: await server.login(DEMO_DIRECTOR) });
    expect((await director.projects.get.query({ projectId })).project.status).toBe('submitted');
  });
});

describe('staff list', () => {
  it('finds a person by the last 4 characters of the ID number and by the last digits of the card number', async () => {
    const person = await server.db
      .selectFrom('persons')
      .select(['id', 'id_number_masked', 'cme_number'])
      .where('cme_number', 'is not', null)
      .where('institution_id', '=', unitId)
      .executeTakeFirstOrThrow();
    const staff = (query: string) => organiser.registry.staff.query({ organisationId: unitId, query, pageSize: 200 });
    const byId = await staff(person.id_number_masked.slice(-4));
    expect(byId.rows.map((r) => r.id)).toContain(person.id);
    expect(
      byId.rows.every((r) => r.maskedIdNumber.endsWith(person.id_number_masked.slice(-4)) || r.cmeNumber?.endsWith(person.id_number_masked.slice(-4))),
    ).toBe(true);
    const byCard = await staff(person.cme_number!.slice(-6));
    expect(byCard.rows.map((r) => r.id)).toEqual([person.id]);
  });

  it('filters by title and by card status', async () => {
    const staff = (filter: { title?: string; card?: 'active' | 'lost' | 'none' }) =>
      organiser.registry.staff.query({ organisationId: unitId, pageSize: 200, ...filter });
    const all = await staff({});
    const nurses = await staff({ title: '护师' });
    expect(nurses.total).toBeGreaterThan(0);
    expect(nurses.total).toBeLessThan(all.total!);
    expect(nurses.rows.every((r) => r.title === '护师')).toBe(true);
    const carded = await server.db
      .selectFrom('credentials')
      .innerJoin('persons', 'persons.id', 'credentials.person_id')
      .select('persons.id')
      .where('credentials.kind', '=', 'ic-card')
      .where('credentials.status', '=', 'active')
      .where('persons.institution_id', '=', unitId)
      .where('persons.registration_status', '=', 'approved')
      .execute();
    const withCard = await staff({ card: 'active' });
    const withoutCard = await staff({ card: 'none' });
    expect(withCard.total).toBe(new Set(carded.map((c) => c.id)).size);
    expect(withCard.total! + withoutCard.total! + (await staff({ card: 'lost' })).total!).toBe(all.total);
  });

  it('the review queue shows each registrant’s photo; the person panel the full-size one, audited', async () => {
    const cookie = await server.login(DEMO_REVIEWER);
    const reviewer = server.client({ cookie });
    const reviewerOrg = (await server.db.selectFrom('users').select('organisation_id').where('login', '=', DEMO_REVIEWER.login).executeTakeFirstOrThrow())
      .organisation_id;
    const queue = await reviewer.registry.staff.query({ organisationId: reviewerOrg, status: 'pending', sort: 'updatedAt', pageSize: 200 });
    expect(queue.rows.length).toBeGreaterThan(0);
    const jpeg = (bytes: Buffer) => bytes.subarray(0, 3).equals(Buffer.from([0xff, 0xd8, 0xff]));
    for (const row of queue.rows) {
      expect(row.thumb).toBe(`/api/files/persons/${row.id}/photo?size=thumb`);
      expect(jpeg((await server.download(row.thumb!, cookie)).bytes)).toBe(true);
    }
    const panel = await reviewer.registry.person.query({ personId: queue.rows[0]!.id });
    const full = await server.download(panel.photo!, cookie);
    expect(jpeg(full.bytes)).toBe(true);
    expect(full.bytes.length).toBeGreaterThan((await server.download(queue.rows[0]!.thumb!, cookie)).bytes.length);
    const viewed = await server.db
      .selectFrom('audit_log')
      .select('action')
      .where('entity_id', '=', queue.rows[0]!.id)
      .where('action', '=', 'person.view')
      .execute();
    expect(viewed.length).toBeGreaterThan(0);
  });
});
