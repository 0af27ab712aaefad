// Sanctions as an attacker tries them: reversing or voiding someone else's credits erases a
// record a unit answers for, and barring a unit stops its teaching. Only the person's own unit
// office and the province reverse or void; only the province bars; every refusal leaves the
// ledger as it was; a reversal is made once.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_ADMIN, DEMO_ADMIN_B, DEMO_CITY, DEMO_PROVINCE, DEMO_STAFF } from '../../src/seed.ts';
import { addOrganisation, addPerson, credit } from '../fixtures.ts';
import { type Client, startServer, type TestServer } from '../harness.ts';

let server: TestServer;
let admin: Client;
let otherUnit: Client;
let staff: Client;
let city: Client;
let province: Client;
let kiosk: Client;
let hospital: string;
let person: string;
let entry: string;

beforeAll(async () => {
  server = await startServer();
  const as = async (account: { login: string; password: string }) => server.client({ cookie: await server.login(account) });
  admin = await as(DEMO_ADMIN);
  otherUnit = await as(DEMO_ADMIN_B);
  staff = await as(DEMO_STAFF);
  city = await as(DEMO_CITY);
  province = await as(DEMO_PROVINCE);
  kiosk = (await server.demoKiosk()).client;
  hospital = (await server.db.selectFrom('users').select('organisation_id').where('login', '=', DEMO_ADMIN.login).executeTakeFirstOrThrow()).organisation_id;
  person = (await addPerson(server, { name: '韦明轩', title: '主治医师', institutionId: hospital, departmentId: null, region: '340102' })).id;
  [entry] = (await credit(server, person, 2025, [{ credits: 30 }])) as [string];
}, 60_000);
afterAll(() => server.close());

const ledgerSize = async () => (await server.db.selectFrom('ledger_entries').select('id').where('person_id', '=', person).execute()).length;
const denied = { data: { code: expect.stringMatching(/^(FORBIDDEN|UNAUTHORIZED)$/) as unknown } };

describe('reversing and voiding', () => {
  it("refuses another unit's office, the city, a staff account, a kiosk and nobody, and changes nothing", async () => {
    const reverse = { ledgerEntryId: entry, reason: '恶意冲销' };
    const voiding = { personId: person, cmeYear: 2025, reason: '恶意作废' };
    for (const caller of [otherUnit, city, staff, kiosk, server.client()]) {
      await expect(caller.sanctions.reverseEntry.mutate(reverse)).rejects.toMatchObject(denied);
      await expect(caller.sanctions.voidYear.mutate(voiding)).rejects.toMatchObject(denied);
    }
    expect(await ledgerSize()).toBe(1);
    expect(await server.db.selectFrom('voided_years').select('id').where('person_id', '=', person).execute()).toEqual([]);
  });

  it('reverses once: a second reversal, by the unit or the province, is refused', async () => {
    await admin.sanctions.reverseEntry.mutate({ ledgerEntryId: entry, reason: '重复授分' });
    await expect(admin.sanctions.reverseEntry.mutate({ ledgerEntryId: entry, reason: '重复授分' })).rejects.toMatchObject({
      data: { messageKey: 'ledger.entry-already-reversed' },
    });
    await expect(province.sanctions.reverseEntry.mutate({ ledgerEntryId: entry, reason: '重复授分' })).rejects.toMatchObject({
      data: { messageKey: 'ledger.entry-already-reversed' },
    });
    expect(await ledgerSize()).toBe(2);
  });

  it('cannot reach a person of another province through the province office', async () => {
    const hunan = await addOrganisation(server, 'province', '湖南省', null, '430000');
    const unit = await addOrganisation(server, 'institution', '株洲某医院', hunan);
    const outsider = (await addPerson(server, { name: '外省人', title: null, institutionId: unit, departmentId: null, region: '430102' })).id;
    const [outsiderEntry] = await credit(server, outsider, 2025, [{ credits: 5 }]);
    await expect(province.sanctions.voidYear.mutate({ personId: outsider, cmeYear: 2025, reason: '越权作废' })).rejects.toMatchObject(denied);
    await expect(province.sanctions.reverseEntry.mutate({ ledgerEntryId: outsiderEntry!, reason: '越权冲销' })).rejects.toMatchObject(denied);
    await expect(province.sanctions.barOrganiser.mutate({ organisationId: unit, years: 1, reason: '越权取消' })).rejects.toMatchObject(denied);
  });
});

describe('barring', () => {
  it('is the province office’s alone: a unit cannot bar itself or another, nor the city, a staff account or a kiosk', async () => {
    const bar = { organisationId: hospital, years: 3, reason: '恶意取消' };
    for (const caller of [admin, otherUnit, city, staff, kiosk, server.client()]) {
      await expect(caller.sanctions.barOrganiser.mutate(bar)).rejects.toMatchObject(denied);
      await expect(caller.sanctions.bars.query()).rejects.toMatchObject(denied);
    }
    expect(await server.db.selectFrom('organiser_bars').select('id').execute()).toEqual([]);
  });
});
