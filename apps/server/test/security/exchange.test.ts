// Who may import into whom: another unit's admin, a staff member, a reviewer, a kiosk and nobody
// get nothing of a unit's imports (no preview into it, no commit of its preview, no batch list,
// no undo); a city office imports into its own units only; a form from another site is refused.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUser } from '../../src/repositories/users.ts';
import { DEMO_ADMIN, DEMO_CITY, DEMO_REVIEWER, DEMO_STAFF } from '../../src/seed.ts';
import { commit, idNumberFor, preview, STAFF_HEADER, staffRow, xlsx } from '../exchange/files.ts';
import { addOrganisation } from '../fixtures.ts';
import { startServer, type TestServer } from '../harness.ts';

let server: TestServer;
let hospitalA: string;
let hospitalB: string;
let adminA: string;
let file: { name: string; bytes: Buffer };
const count = async () =>
  Number(
    (
      await server.db
        .selectFrom('persons')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow()
    ).n,
  );

beforeAll(async () => {
  server = await startServer();
  adminA = await server.login(DEMO_ADMIN);
  hospitalA = (await server.db.selectFrom('users').select('organisation_id').where('login', '=', DEMO_ADMIN.login).executeTakeFirstOrThrow()).organisation_id;
  const provinceB = await addOrganisation(server, 'province', '四川省', null, '510000');
  hospitalB = await addOrganisation(server, 'institution', '成都市某医院', await addOrganisation(server, 'city', '成都市', provinceB));
  await createUser(server.db, {
    login: 'admin-sichuan',
    displayName: '外院管理员',
    password: 'pw-admin-b-long',
    role: 'unit-admin',
    organisationId: hospitalB,
    now: server.clock.now,
  });
  file = { name: '人员.xlsx', bytes: await xlsx([STAFF_HEADER, staffRow(7000), staffRow(7001)]) };
}, 60_000);
afterAll(() => server.close());

describe('exchange access', () => {
  it('refuses nobody, a kiosk, a staff member and a reviewer, and changes nothing', async () => {
    const before = await count();
    const kiosk = await server.demoKiosk();
    const anonymous = await fetch(`${server.url}/api/exchange/templates/staff`);
    expect(anonymous.status).toBe(401);
    const asKiosk = await fetch(`${server.url}/api/exchange/staff/preview`, {
      method: 'POST',
      headers: { authorization: `Bearer ${kiosk.token}`, 'x-opencme-upload': '1' },
      body: new FormData(),
    });
    expect(asKiosk.status).toBe(401);
    expect((await preview(server, null, file)).status).toBe(401);
    for (const account of [DEMO_STAFF, DEMO_REVIEWER]) {
      const answer = await preview(server, await server.login(account), file);
      expect([account.login, answer.status, answer.body.messageKey]).toEqual([account.login, 403, 'access.role-not-do']);
    }
    expect(await count()).toBe(before);
  });

  it("keeps another unit's admin out of a unit's preview, commit, batches and undo", async () => {
    const adminB = await server.login({ login: 'admin-sichuan', password: 'pw-admin-b-long' });
    const into = await preview(server, adminB, file, { scope: hospitalA });
    expect([into.status, into.body.messageKey]).toEqual([403, 'access.record-outside-part-organisation']);
    expect(into.body.message).toBe('您的账号不能进行这项导入，或不能导入到这个单位');

    const shown = await preview(server, adminA, file);
    const before = await count();
    // Another account's preview is as good as none, even knowing its id.
    expect((await commit(server, adminB, shown.body.previewId!)).status).toBe(404);
    expect((await commit(server, null, shown.body.previewId!)).status).toBe(401);
    expect(await count()).toBe(before);

    const { batchId } = (await commit(server, adminA, shown.body.previewId!)).body;
    const b = server.client({ cookie: adminB });
    await expect(b.exchange.batches.query({ organisationId: hospitalA })).rejects.toMatchObject({ data: { code: 'FORBIDDEN' } });
    await expect(b.exchange.undo.mutate({ batchId: batchId! })).rejects.toMatchObject({ data: { code: 'FORBIDDEN' } });
    expect(await b.exchange.batches.query({ organisationId: hospitalB })).toEqual([]);
    expect(await count()).toBe(before + 2);
  });

  it('lets a city office import into its own units only', async () => {
    const city = await server.login(DEMO_CITY);
    const other = { name: '人员.xlsx', bytes: await xlsx([STAFF_HEADER, staffRow(7100)]) };
    expect((await preview(server, city, other, { scope: hospitalB })).status).toBe(403);
    // Its own city is no unit: a unit must be chosen.
    expect((await preview(server, city, other)).body.messageKey).toBe('exchange.scope-not-unit');
    const mine = await preview(server, city, other, { scope: hospitalA });
    expect(mine.body.summary).toMatchObject({ create: 1 });
    expect((await commit(server, city, mine.body.previewId!)).status).toBe(200);
    const person = await server.db
      .selectFrom('persons')
      .select('institution_id')
      .where('id_number_index', '=', server.vault.index(idNumberFor(7100)))
      .executeTakeFirst();
    expect(person?.institution_id).toBe(hospitalA);
  });

  it('refuses a preview or commit sent without the header only our pages add', async () => {
    const form = new FormData();
    form.append('file', new Blob([new Uint8Array(file.bytes)]), file.name);
    const res = await fetch(`${server.url}/api/exchange/staff/preview`, { method: 'POST', headers: { cookie: adminA }, body: form });
    expect(res.status).toBe(403);
    const shown = await preview(server, adminA, { name: '人员.xlsx', bytes: await xlsx([STAFF_HEADER, staffRow(7200)]) });
    const forged = await fetch(`${server.url}/api/exchange/previews/${shown.body.previewId}/commit`, { method: 'POST', headers: { cookie: adminA } });
    expect(forged.status).toBe(403);
  });
});
