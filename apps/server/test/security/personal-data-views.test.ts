// Views of a person's data, audited where the person's unit can see them (issue 9): a person's
// detail, a staff search by ID number, card application sheets, a person's standing, a claim's
// evidence. Each leaves a line on the audit log of the person's own unit, whoever looked, and
// none of them writes the data itself into the log.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { DEMO_CITY, DEMO_DIRECTOR, DEMO_STAFF } from '../../src/seed.ts';
import { addPerson } from '../fixtures.ts';
import { type Client, startServer, type TestServer } from '../harness.ts';

// Seeding the demo and hashing passwords is slow when other work shares the two cores.
vi.setConfig({ hookTimeout: 60_000, testTimeout: 60_000 });

let server: TestServer;
/** The hospital's admin: the unit whose staff are looked at. */
let unitAdmin: Client;
/** The city office above it: allowed to look, from another organisation. */
let city: Client;
let cityCookie: string;
let hospitalId: string;
let person: { id: string; idNumber: string };

beforeAll(async () => {
  server = await startServer();
  unitAdmin = await server.admin();
  cityCookie = await server.login(DEMO_CITY);
  city = server.client({ cookie: cityCookie });
  const department = await server.db.selectFrom('organisations').select(['id', 'parent_id']).where('kind', '=', 'department').executeTakeFirstOrThrow();
  hospitalId = department.parent_id!;
  person = await addPerson(server, { name: '审计对象', title: '主治医师', institutionId: hospitalId, departmentId: department.id, region: '340102' });
});
afterAll(() => server.close());

/** The lines the unit's admin sees on its audit log for this person and action. */
async function seenByUnit(action: string, personId = person.id) {
  const log = await unitAdmin.registry.auditLog.query({ organisationId: hospitalId });
  return log.filter((e) => e.action === action && e.entityId === personId);
}

describe('personal-data views, on the person’s unit’s audit log', () => {
  it('a person’s detail (registry.person)', async () => {
    await city.registry.person.query({ personId: person.id });
    expect((await seenByUnit('person.view')).map((e) => e.actor)).toEqual(['合肥市卫健委']);
  });

  it('a staff search by ID number, for each person found, without the number', async () => {
    const found = await city.registry.staff.query({ organisationId: hospitalId, query: person.idNumber });
    expect(found.rows.map((r) => r.id)).toEqual([person.id]);
    const lines = await seenByUnit('person.search-id-number');
    expect(lines.map((e) => e.actor)).toEqual(['合肥市卫健委']);
    expect(JSON.stringify(lines)).not.toContain(person.idNumber);
    // A search by name is not a lookup of anyone's identity.
    await city.registry.staff.query({ organisationId: hospitalId, query: '审计对象' });
    expect(await seenByUnit('person.search-id-number')).toHaveLength(1);
  });

  it('card application sheets, one line a person printed', async () => {
    const director = server.client({ cookie: await server.login(DEMO_DIRECTOR) });
    const other = (
      await server.db.selectFrom('persons').select('id').where('institution_id', '=', hospitalId).where('id', '<>', person.id).executeTakeFirstOrThrow()
    ).id;
    await director.registry.cardSheet.query({ personIds: [person.id, other] });
    expect((await seenByUnit('person.card-sheet')).map((e) => e.actor)).toEqual(['医教科主任']);
    expect(await seenByUnit('person.card-sheet', other)).toHaveLength(1);
  });

  it('a person’s standing (standing.person)', async () => {
    await city.standing.person.query({ personId: person.id, cmeYear: 2026 });
    expect((await seenByUnit('person.view-standing')).map((e) => e.actor)).toEqual(['合肥市卫健委']);
  });

  it('a claim’s evidence, filed under the claimant’s unit rather than the viewer’s', async () => {
    const staff = server.client({ cookie: await server.login(DEMO_STAFF) });
    const png = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==', 'base64').toString('base64');
    const { id: claimId } = await staff.claims.submit.mutate({
      activity: 'paper',
      occurredOn: '2026-03-15',
      credits: 3,
      months: 0,
      description: '论文：审计测试',
      evidence: await server.upload('evidence', [{ name: '首页.png', bytes: Buffer.from(png, 'base64'), type: 'image/png' }], await server.login(DEMO_STAFF)),
    });
    const claimant = await server.db.selectFrom('claims').select('person_id').where('id', '=', claimId).executeTakeFirstOrThrow();
    const hash = (await server.db.selectFrom('claim_evidence').select('evidence_hash').where('claim_id', '=', claimId).executeTakeFirstOrThrow()).evidence_hash;
    expect((await server.download(`/api/files/claims/${claimId}/evidence/${hash}`, cityCookie)).res.status).toBe(200);
    expect((await seenByUnit('claim.view-evidence', claimant.person_id)).map((e) => e.actor)).toEqual(['合肥市卫健委']);
  });
});
