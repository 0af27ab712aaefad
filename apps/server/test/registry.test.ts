import { validateCmeNumber } from '@opencme/core';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKOFF } from '../src/repositories/rate-limits.ts';
import { DEMO_ADMIN } from '../src/seed.ts';
import { type Client, startServer, type TestServer } from './harness.ts';

let server: TestServer;
let admin: Client;
let hospitalId: string;
let departmentId: string;
let portrait: Buffer;
let kiosk: Awaited<ReturnType<TestServer['demoKiosk']>>;

beforeAll(async () => {
  server = await startServer();
  admin = await server.admin();
  hospitalId = (await server.db.selectFrom('organisations').select('id').where('kind', '=', 'institution').executeTakeFirstOrThrow()).id;
  departmentId = (await server.db.selectFrom('organisations').select('id').where('parent_id', '=', hospitalId).orderBy('name').executeTakeFirstOrThrow()).id;
  portrait = await sharp({ create: { width: 358, height: 441, channels: 3, background: '#c8d8e8' } })
    .jpeg({ quality: 80 })
    .toBuffer();
  kiosk = await server.demoKiosk();
});
afterAll(() => server.close());

/** The photo goes first to the upload route, as the registration page sends it. */
const photo = async (bytes: Uint8Array = portrait) => (await server.upload('photo', [{ name: 'photo.jpg', bytes, type: 'image/jpeg' }]))[0]!;

const form = async (overrides: Record<string, unknown> = {}) => ({
  institutionId: hospitalId,
  departmentId,
  name: '林晓',
  idNumber: '110105199003070017',
  phone: '13955500001',
  title: '护师',
  category: 'nurse' as const,
  specialty: '急诊护理',
  degree: 'bachelor' as const,
  photoUpload: 'photoUpload' in overrides ? '' : await photo(),
  ...overrides,
});

describe('self-registration', () => {
  it('explains a wrong ID number in the user’s language', async () => {
    await expect(server.client().registration.submit.mutate(await form({ idNumber: '110105199003070018' }))).rejects.toThrow('id-number.check-digit');
  });

  it('refuses a photo that is not a real 358×441 JPEG, whatever it is called', async () => {
    const png = await sharp({ create: { width: 358, height: 441, channels: 3, background: '#fff' } })
      .png()
      .toBuffer();
    await expect(server.client().registration.submit.mutate(await form({ photoUpload: await photo(png) }))).rejects.toThrow();
    await expect(server.client().registration.submit.mutate(await form({ photoUpload: await photo(Buffer.from('hello')) }))).rejects.toThrow();
  });

  it('goes from pending to approved with a valid CME card number, and the kiosk roster then has the person', async () => {
    const { statusToken } = await server.client().registration.submit.mutate(await form());
    expect(await server.client().registration.status.query({ token: statusToken })).toMatchObject({ status: 'pending', cmeNumber: null, name: '林晓' });

    const before = await kiosk.client.sync.pull.query({ cursor: null });
    expect(before.people.some((p) => p.name === '林晓')).toBe(false);

    const queue = await admin.registry.staff.query({ organisationId: hospitalId, status: 'pending' });
    const pending = queue.rows.find((r) => r.name === '林晓')!;
    expect(pending.maskedIdNumber).toBe('110***********0017');
    const [result] = await admin.registry.review.mutate({ decision: 'approve', personIds: [pending.id] });
    expect(result!.done).toBe(true);
    expect(validateCmeNumber(result!.cmeNumber!).valid).toBe(true);
    expect(result!.cmeNumber!.startsWith('3426')).toBe(true);

    const status = await server.client().registration.status.query({ token: statusToken });
    expect(status).toMatchObject({ status: 'approved', cmeNumber: result!.cmeNumber });

    const delta = await kiosk.client.sync.pull.query({ cursor: before.cursor });
    const person = delta.people.find((p) => p.name === '林晓')!;
    expect(person.photo).toMatch(/^data:image\/jpeg;base64,/);
    expect(person.credentials.map((c) => c.kind).sort()).toEqual(['card-number', 'id-card']);

    const log = await admin.registry.auditLog.query({ organisationId: hospitalId });
    expect(log.map((e) => e.action)).toEqual(expect.arrayContaining(['registration.submit', 'registration.approve']));
  });

  it('prints the year of issue in China in the CME card number, whatever the server clock’s zone', async () => {
    const { statusToken } = await server
      .client()
      .registration.submit.mutate(await form({ name: '周新年', idNumber: '110105198512120030', phone: '13955500031' }));
    const pending = (await admin.registry.staff.query({ organisationId: hospitalId, status: 'pending', query: '周新年' })).rows[0]!;
    const before = server.clock.now;
    // 01:00 on 1 January 2027 in Beijing, still 31 December 2026 in UTC.
    server.clock.now = new Date('2026-12-31T17:00:00Z');
    try {
      const [result] = await (await server.admin()).registry.review.mutate({ decision: 'approve', personIds: [pending.id] });
      expect(result!.cmeNumber!.slice(0, 4)).toBe('3427');
      expect((await server.client().registration.status.query({ token: statusToken })).cmeNumber).toBe(result!.cmeNumber);
    } finally {
      server.clock.now = before;
      // Signing in again in the moved clock replaced the file's admin session.
      admin = await server.admin();
    }
  });

  it('takes a Hong Kong resident with a residence permit (港澳台居民居住证) and records the document kind', async () => {
    const { statusToken } = await server
      .client()
      .registration.submit.mutate(await form({ name: '陈嘉欣', idNumber: '810000199408230021', phone: '13955500077' }));
    expect(await server.client().registration.status.query({ token: statusToken })).toMatchObject({ status: 'pending' });
    const row = (await admin.registry.staff.query({ organisationId: hospitalId, status: 'pending', query: '陈嘉欣' })).rows[0]!;
    expect(await admin.registry.person.query({ personId: row.id })).toMatchObject({ idDocument: 'hmt-permit', degree: 'bachelor' });
  });

  it('takes the same ID number twice without changing the first registration', async () => {
    const before = await server.db.selectFrom('persons').selectAll().where('name', '=', '林晓').executeTakeFirstOrThrow();
    await expect(server.client().registration.submit.mutate(await form({ name: '林小', phone: '13955500009' }))).resolves.toHaveProperty('statusToken');
    expect(await server.db.selectFrom('persons').selectAll().where('id', '=', before.id).executeTakeFirstOrThrow()).toEqual(before);
  });

  it('rejects in bulk with a reason the registrant can read, and lets them register again', async () => {
    const a = await server.client().registration.submit.mutate(await form({ name: '甲一', idNumber: '110105199104050023' }));
    const b = await server.client().registration.submit.mutate(await form({ name: '乙二', idNumber: '110105199206060046' }));
    const queue = await admin.registry.staff.query({ organisationId: hospitalId, status: 'pending' });
    const ids = queue.rows.filter((r) => r.name === '甲一' || r.name === '乙二').map((r) => r.id);
    await admin.registry.review.mutate({ decision: 'reject', personIds: ids, reason: '照片不清晰' });
    for (const token of [a.statusToken, b.statusToken]) {
      expect(await server.client().registration.status.query({ token })).toMatchObject({ status: 'rejected', rejectReason: '照片不清晰' });
    }
    const again = await server.client().registration.submit.mutate(await form({ name: '甲一', idNumber: '110105199104050023' }));
    expect(await server.client().registration.status.query({ token: again.statusToken })).toMatchObject({ status: 'pending' });
  });
});

describe('staff list', () => {
  it('finds people by name prefix, CME card number and ID number, a page at a time', async () => {
    const first = await admin.registry.staff.query({ organisationId: hospitalId, pageSize: 20 });
    const all = await admin.registry.staff.query({ organisationId: hospitalId, pageSize: 20, after: first.next });
    expect(all.rows).toHaveLength(20);
    expect(all.total).toBeGreaterThanOrEqual(200);
    const someone = all.rows[3]!;
    const byName = await admin.registry.staff.query({ organisationId: hospitalId, query: someone.name.slice(0, 1) });
    expect(byName.rows.every((r) => r.name.startsWith(someone.name.slice(0, 1)))).toBe(true);
    expect((await admin.registry.staff.query({ organisationId: hospitalId, query: someone.cmeNumber! })).rows.map((r) => r.id)).toEqual([someone.id]);
    const { idNumber } = await admin.persons.revealIdNumber.mutate({ personId: someone.id });
    expect((await admin.registry.staff.query({ organisationId: hospitalId, query: idNumber.toLowerCase() })).rows.map((r) => r.id)).toEqual([someone.id]);
    expect(someone.phone).toMatch(/^\d{3}\*{4}\d{4}$/);
  });
});

describe('cards', () => {
  it('binds an IC card typed in any encoding, refuses it for a second person, and a lost card reaches kiosks as denied', async () => {
    const [first, second] = (await admin.registry.staff.query({ organisationId: hospitalId, pageSize: 2 })).rows;
    const before = await kiosk.client.sync.pull.query({ cursor: null });
    expect(await admin.registry.bindCard.mutate({ personId: first!.id, typed: '0652147431', encoding: 'dec-be', category: 'II' })).toEqual({ uid: '26DEFAE7' });
    await expect(admin.registry.bindCard.mutate({ personId: second!.id, typed: '26defae7', encoding: 'hex', category: 'I' })).rejects.toThrow(
      'registry.card-already-bound-someone',
    );

    const detail = await admin.registry.person.query({ personId: first!.id });
    const card = detail.credentials.find((c) => c.value === '26DEFAE7')!;
    expect(card).toMatchObject({ issueCategory: 'II', status: 'active' });
    await admin.registry.reportLost.mutate({ credentialId: card.id });
    expect((await admin.registry.person.query({ personId: first!.id })).credentials.find((c) => c.id === card.id)!.status).toBe('lost');
    const delta = await kiosk.client.sync.pull.query({ cursor: before.cursor });
    const pulled = delta.people.find((p) => p.id === first!.id)!;
    expect(pulled.credentials.find((c) => c.kind === 'ic-card')).toMatchObject({ key: 'ic-card:26DEFAE7', status: 'lost' });
  });

  it('says what is wrong with a typed card number, by the same rule as the reader', async () => {
    const [first] = (await admin.registry.staff.query({ organisationId: hospitalId, pageSize: 1 })).rows;
    await expect(admin.registry.bindCard.mutate({ personId: first!.id, typed: '652147431', encoding: 'dec-be', category: 'II' })).rejects.toMatchObject({
      data: { messageKey: 'uid.not-decimal', params: { value: '652147431' }, field: 'typed' },
    });
  });
});

describe('accounts', () => {
  it('creates an account with an initial password that must be changed first', async () => {
    const { initialPassword } = await admin.auth.createAccount.mutate({
      organisationId: departmentId,
      role: 'department-reviewer',
      login: 'newreviewer',
      displayName: '新审核员',
    });
    const reviewer = server.client({ cookie: await server.login({ login: 'newreviewer', password: initialPassword }) });
    expect(await reviewer.auth.me.query()).toMatchObject({ mustChangePassword: true, role: 'department-reviewer' });
    await expect(reviewer.registry.staff.query({ organisationId: departmentId })).rejects.toThrow('access.change-initial-password-first');
    await expect(reviewer.auth.changePassword.mutate({ current: 'wrong', next: 'a-new-password' })).rejects.toThrow('auth.current-password-wrong');
    await reviewer.auth.changePassword.mutate({ current: initialPassword, next: 'a-new-password' });
    expect(await reviewer.auth.me.query()).toMatchObject({ mustChangePassword: false });
    expect((await reviewer.registry.staff.query({ organisationId: departmentId })).total).toBeGreaterThan(0);
  });

  it('refuses to create an account above one’s own role', async () => {
    await expect(admin.auth.createAccount.mutate({ organisationId: hospitalId, role: 'city-admin', login: 'climber', displayName: '越权' })).rejects.toThrow(
      'auth.cannot-create-account-above-own',
    );
  });

  it('pauses sign-ins after repeated failures on one account', async () => {
    for (let i = 0; i < BACKOFF.freeFailures; i++) {
      await expect(server.login({ login: 'reviewer', password: `guess-${i}` })).rejects.toThrow();
    }
    const res = await fetch(`${server.url}/trpc/auth.login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ json: { login: 'reviewer', password: 'opencme-demo' } }),
    });
    expect(res.status).toBe(429);
    expect(await res.text()).toContain('rate-limit.sign-ins');
    server.clock.now = new Date(server.clock.now.getTime() + BACKOFF.firstDelayMs + 1000);
    await expect(server.login({ login: 'reviewer', password: 'opencme-demo' })).resolves.toMatch(/opencme_session=/);
  });
});

describe('units', () => {
  it('registers a unit with a checked credit code; its admin signs in only once the city verified it', async () => {
    const cityId = (await server.client().units.cities.query())[0]!.id;
    await expect(
      server.client().units.register.mutate({
        cityId,
        creditCode: '12340100485999901A',
        name: '合肥市第二人民医院',
        admin: { displayName: '医教科', password: 'a-long-password' },
      }),
    ).rejects.toThrow('credit-code.check-character');
    const { unitId, login } = await server.client().units.register.mutate({
      cityId,
      creditCode: '12100000400000624D',
      name: '合肥市第二人民医院',
      admin: { displayName: '医教科', password: 'a-long-password' },
    });
    // The unit's administrator signs in with the unit's credit code.
    expect(login).toBe('12100000400000624D');
    await expect(server.login({ login, password: 'a-long-password' })).rejects.toThrow();
    const city = server.client({ cookie: await server.login({ login: 'city', password: 'opencme-demo' }) });
    expect((await city.units.pending.query()).map((u) => u.id)).toContain(unitId);
    await city.units.verify.mutate({ unitId, approve: true });
    const unitAdmin = server.client({ cookie: await server.login({ login, password: 'a-long-password' }) });
    await unitAdmin.units.addDepartment.mutate({ unitId, name: '眼科' });
    expect((await unitAdmin.units.departments.query({ unitId })).map((d) => d.name)).toEqual(['眼科']);
    expect((await server.client().registration.searchUnits.query({ query: '第二人民' })).map((u) => u.id)).toContain(unitId);
  });
});

describe('titles and card application sheets', () => {
  it('keeps the title history: the previous title ends the day before the new one, and verification can ask the title at a date', async () => {
    const someone = (await admin.registry.staff.query({ organisationId: hospitalId, pageSize: 5 })).rows[4];
    await admin.registry.setTitle.mutate({ personId: someone!.id, kind: 'held', title: '副主任医师', fromDate: '2026-07-01' });
    await expect(admin.registry.setTitle.mutate({ personId: someone!.id, kind: 'held', title: '主任医师', fromDate: '2026-06-01' })).rejects.toThrow(
      'registry.new-title-start-after-current',
    );
    const detail = await admin.registry.person.query({ personId: someone!.id });
    expect(detail.title).toBe('副主任医师');
    const held = detail.titles.filter((x) => x.kind === 'held');
    expect(held.at(-2)).toMatchObject({ toDate: '2026-06-30' });
    expect(held.at(-1)).toMatchObject({ title: '副主任医师', fromDate: '2026-07-01', toDate: null });
    const { titleAt } = await import('../src/repositories/registry.ts');
    expect(await titleAt(server.db, someone!.id, 'held', '2026-06-30')).toBe(held.at(-2)!.title);
    expect(await titleAt(server.db, someone!.id, 'held', '2026-07-01')).toBe('副主任医师');
    const log = await admin.registry.auditLog.query({ organisationId: hospitalId });
    expect(log.find((e) => e.action === 'title.held' && e.entityId === someone!.id)?.after).toContain('副主任医师');
  });

  it('prints a batch of application sheets in the order chosen, with the full photo and the ID number masked', async () => {
    const rows = (await admin.registry.staff.query({ organisationId: hospitalId, pageSize: 3 })).rows;
    const ids = rows.map((r) => r.id).reverse();
    const sheets = await admin.registry.cardSheet.query({ personIds: ids });
    expect(sheets.map((s) => s.id)).toEqual(ids);
    const cookie = await server.login(DEMO_ADMIN);
    for (const sheet of sheets) {
      expect(sheet.maskedIdNumber).toMatch(/^\d{3}\*{11}[\dX]{4}$/);
      const { bytes: jpeg } = await server.download(sheet.photo!, cookie);
      expect(await sharp(jpeg).metadata()).toMatchObject({ width: 358, height: 441 });
    }
  });
});
