// Accounts of registrants and their one-time reset codes (issue 12), as an attacker would try
// them: sign-in names that tell who is registered, a reset code used twice or late, a session
// opened with a code that skips the new password, a staff member reading a colleague, a unit
// admin making accounts elsewhere or above her rank.
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKOFF } from '../../src/repositories/rate-limits.ts';
import { appendLedgerEntries } from '../../src/repositories/ledger.ts';
import { RESET_CODE_MS } from '../../src/services/accounts.ts';
import { addOrganisation, addPerson } from '../fixtures.ts';
import { type Client, startServer, type TestServer } from '../harness.ts';

let server: TestServer;
let admin: Client;
let hospitalId: string;
let departmentId: string;
let portrait: Buffer;
let addressSerial = 0;

beforeAll(async () => {
  server = await startServer();
  // As behind the deployment's reverse proxy: each test signs in from an address of its own.
  server.app.set('trust proxy', 'loopback');
  admin = await server.admin();
  hospitalId = (await server.db.selectFrom('organisations').select('id').where('kind', '=', 'institution').executeTakeFirstOrThrow()).id;
  departmentId = (await server.db.selectFrom('organisations').select('id').where('parent_id', '=', hospitalId).orderBy('name').executeTakeFirstOrThrow()).id;
  portrait = await sharp({ create: { width: 358, height: 441, channels: 3, background: '#c8d8e8' } })
    .jpeg({ quality: 80 })
    .toBuffer();
}, 120_000);
afterAll(() => server?.close());

const PASSWORD = 'lin-xiao-2026!';

/** A registration sent from the phone form, with a password. */
async function register(p: { name: string; idNumber: string; phone: string; password?: string }) {
  const [photoUpload] = await server.upload('photo', [{ name: 'photo.jpg', bytes: portrait, type: 'image/jpeg' }]);
  return server.client().registration.submit.mutate({
    institutionId: hospitalId,
    departmentId,
    title: '护师',
    category: 'nurse',
    specialty: '',
    degree: 'bachelor',
    photoUpload: photoUpload!,
    ...p,
  });
}

const personOf = async (name: string) => await server.db.selectFrom('persons').select(['id', 'cme_number']).where('name', '=', name).executeTakeFirstOrThrow();

/** One sign-in over plain HTTP from an address of its own (so no throttle answers instead): status, message key, cookie. */
async function signIn(login: string, password: string, address = `198.51.100.${++addressSerial}`) {
  const res = await fetch(`${server.url}/trpc/auth.login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-forwarded-for': address },
    body: JSON.stringify({ json: { login, password } }),
  });
  const body = (await res.json()) as { error?: { json: { data: { messageKey: string } } } };
  return { status: res.status, messageKey: body.error?.json.data.messageKey ?? null, cookie: res.headers.get('set-cookie')?.split(';')[0] ?? null };
}

const as = (cookie: string | null) => server.client({ cookie: cookie! });

describe('a registrant’s account', () => {
  it('signs in by ID number, CME card number or phone once approved, and not while pending or after a rejection', async () => {
    await register({ name: '林晓', idNumber: '110105199003070017', phone: '13955500101', password: PASSWORD });
    const pending = await signIn('110105199003070017', PASSWORD);
    expect(pending).toMatchObject({ status: 401, messageKey: 'auth.wrong-login-password' });

    const { id } = await personOf('林晓');
    await admin.registry.review.mutate({ decision: 'approve', personIds: [id] });
    const { cme_number } = await personOf('林晓');
    // The ID number typed with a small x or spaces around it names her too.
    for (const name of ['110105199003070017', ' 110105199003070017 ', cme_number!, '13955500101']) {
      const signedIn = await signIn(name, PASSWORD);
      expect(signedIn.status, name).toBe(200);
      expect(await as(signedIn.cookie).auth.me.query()).toMatchObject({ role: 'staff', displayName: '林晓', mustChangePassword: false });
    }

    await register({ name: '张退回', idNumber: '110105199104050023', phone: '13955500102', password: PASSWORD });
    await admin.registry.review.mutate({ decision: 'reject', personIds: [(await personOf('张退回')).id], reason: '照片不清晰' });
    expect(await signIn('110105199104050023', PASSWORD)).toMatchObject({ status: 401, messageKey: 'auth.wrong-login-password' });
  });

  it('takes a password by the same rule as every account, and keeps no password of a registration sent for someone already registered', async () => {
    const refusal = (password: string) =>
      register({ name: '弱密码', idNumber: '110105199206060046', phone: '13955500103', password }).then(
        () => null,
        (error: { data?: { issues?: { messageKey: string }[] } }) => error.data?.issues?.map((i) => i.messageKey),
      );
    expect(await refusal('short')).toEqual(['auth.password-too-short']);
    expect(await refusal('opencme-demo')).toEqual(['auth.password-is-demo']);
    // Someone who knows 林晓's ID number registers again with a password of their own: it opens nothing.
    await register({ name: '冒名者', idNumber: '110105199003070017', phone: '13955500104', password: 'impostor-password' });
    expect((await signIn('110105199003070017', 'impostor-password')).status).toBe(401);
    expect((await signIn('110105199003070017', PASSWORD)).status).toBe(200);
  });

  it('answers a wrong identifier, a wrong password and a pending registrant alike (no account oracle)', async () => {
    await register({ name: '待审人', idNumber: '110105198512120030', phone: '13955500105', password: PASSWORD });
    const answers = [
      await signIn('110105199003070017', 'wrong-password-1'), // her ID number, wrong password
      await signIn('11010519900307001X', PASSWORD), // an ID number nobody has
      await signIn('110105198512120030', PASSWORD), // a pending registrant's, with her password
      await signIn('13900000000', PASSWORD), // a phone nobody has
      await signIn('3401999999', PASSWORD), // a card number nobody has
      await signIn('nobody-at-all', PASSWORD), // a login nobody has
    ];
    for (const a of answers) expect(a).toEqual({ status: 401, messageKey: 'auth.wrong-login-password', cookie: null });
  });

  it('throttles guesses at an ID number as at a login, and keeps the ID number and phone out of the throttle table', async () => {
    const address = '203.0.113.9';
    const statuses = [];
    for (let i = 0; i <= BACKOFF.freeFailures; i++) statuses.push((await signIn('110105199003070017', `guess-${i}`, address)).status);
    expect(statuses.slice(0, BACKOFF.freeFailures)).toEqual(Array(BACKOFF.freeFailures).fill(401));
    expect(statuses.at(-1)).toBe(429);
    // The same ID number written otherwise is the same name to the throttle.
    expect((await signIn('110105199003070017 ', PASSWORD, address)).status).toBe(429);
    await signIn('13955500101', 'guess', address);
    const keys = (await server.db.selectFrom('sign_in_backoff').select('login').execute()).map((r) => r.login).join('\n');
    expect(keys).not.toContain('110105199003070017');
    expect(keys).not.toContain('13955500101');
  });
});

describe('a reset code', () => {
  let personId: string;
  let otherPersonId: string;
  beforeAll(async () => {
    await register({ name: '王重置', idNumber: '110105198808080015', phone: '13955500106', password: PASSWORD });
    personId = (await personOf('王重置')).id;
    await register({ name: '赵同事', idNumber: '110105198707070010', phone: '13955500107', password: PASSWORD });
    otherPersonId = (await personOf('赵同事')).id;
    await admin.registry.review.mutate({ decision: 'approve', personIds: [personId, otherPersonId] });
  });

  it('signs in once, forces a new password before anything else, and is audited', async () => {
    const issued = await admin.accounts.issueResetCode.mutate({ personId });
    expect(issued).toMatchObject({ channel: 'in-person', code: expect.stringMatching(/^[0-9A-Z]{4}-[0-9A-Z]{4}$/) });
    expect(new Date(issued.expiresAt).getTime() - server.clock.now.getTime()).toBe(RESET_CODE_MS);
    // Kept only as a hash.
    const stored = await server.db.selectFrom('password_reset_codes').selectAll().execute();
    expect(JSON.stringify(stored)).not.toContain(issued.code!);

    const withCode = await signIn('110105198808080015', issued.code!.toLowerCase());
    expect(withCode.status).toBe(200);
    const session = as(withCode.cookie);
    expect(await session.auth.me.query()).toMatchObject({ mustChangePassword: true, viaResetCode: true });
    await expect(session.me.profile.query()).rejects.toThrow('access.change-initial-password-first');
    await expect(session.claims.mine.query()).rejects.toThrow('access.change-initial-password-first');
    // Used once: the code does not sign in again, even before the new password is set.
    expect((await signIn('110105198808080015', issued.code!)).status).toBe(401);

    await session.auth.changePassword.mutate({ current: '', next: 'a-brand-new-password' });
    expect(await session.auth.me.query()).toMatchObject({ mustChangePassword: false, viaResetCode: false });
    expect(await session.me.profile.query()).toMatchObject({ name: '王重置' });
    expect((await signIn('110105198808080015', 'a-brand-new-password')).status).toBe(200);

    const log = await admin.registry.auditLog.query({ organisationId: hospitalId, action: 'account.reset-code' });
    expect(log.map((r) => r.entityId)).toContain(personId);
  });

  it('stops working after 24 hours, and when a newer one is issued', async () => {
    const first = await admin.accounts.issueResetCode.mutate({ personId });
    const second = await admin.accounts.issueResetCode.mutate({ personId });
    expect((await signIn('110105198808080015', first.code!)).status).toBe(401);

    server.clock.now = new Date(server.clock.now.getTime() + RESET_CODE_MS + 1000);
    try {
      expect((await signIn('110105198808080015', second.code!)).status).toBe(401);
    } finally {
      server.clock.now = new Date(server.clock.now.getTime() - RESET_CODE_MS - 1000);
    }
  });

  it('asks no current password only in a session opened with a code', async () => {
    const normal = await signIn('110105198707070010', PASSWORD);
    await expect(as(normal.cookie).auth.changePassword.mutate({ current: '', next: 'another-new-password' })).rejects.toThrow('auth.current-password-wrong');
  });

  it('is issued by the unit admin of the person’s own unit only', async () => {
    const province = (await server.db.selectFrom('organisations').select('id').where('kind', '=', 'province').executeTakeFirstOrThrow()).id;
    const otherUnit = await addOrganisation(server, 'institution', '他院', province);
    const stranger = await addPerson(server, { name: '他院人', title: '护师', institutionId: otherUnit, departmentId: null });
    await expect(admin.accounts.issueResetCode.mutate({ personId: stranger.id })).rejects.toThrow('access.record-outside-part-organisation');
    const reviewer = server.client({ cookie: await server.login({ login: 'reviewer', password: 'opencme-demo' }) });
    await expect(reviewer.accounts.issueResetCode.mutate({ personId })).rejects.toThrow('access.role-not-do');
  });
});

describe('a staff member', () => {
  it('sees only herself: her profile and standing, not a colleague’s, and prints no colleague’s certificate', async () => {
    await register({ name: '孙自己', idNumber: '110105199512120019', phone: '13955500108', password: PASSWORD });
    const { id } = await personOf('孙自己');
    await admin.registry.review.mutate({ decision: 'approve', personIds: [id] });
    const colleague = (await personOf('林晓')).id;
    const [colleagueEntry] = await appendLedgerEntries(server.db, [
      {
        personId: colleague,
        cmeYear: 2026,
        creditClass: 'I',
        level: 'provincial',
        credits: 2,
        sourceKind: 'attendance',
        sourceId: 'session-x',
        sourceLabel: '急危重症',
        approvedBy: null,
        at: server.clock.now,
      },
    ]);
    const me = as((await signIn('110105199512120019', PASSWORD)).cookie);
    const profile = await me.me.profile.query();
    expect(profile).toMatchObject({ id, name: '孙自己', maskedIdNumber: expect.stringContaining('*') });
    expect(JSON.stringify(profile)).not.toContain('110105199512120019');
    expect((await me.me.standing.query({ cmeYear: profile.currentYear })).personId).toBe(id);
    expect(await me.me.certificates.query()).toEqual([]);
    await expect(me.standing.person.query({ personId: colleague, cmeYear: 2026 })).rejects.toThrow();
    await expect(me.proofs.printMyCertificate.mutate({ ledgerEntryId: colleagueEntry! })).rejects.toThrow('access.record-not-found');
  });
});

describe('accounts a unit admin makes', () => {
  it('for a reviewer of her unit, linked to a person of hers; never for another unit, another unit’s person, or above her rank', async () => {
    const person = (await personOf('林晓')).id;
    const made = await admin.auth.createAccount.mutate({
      organisationId: departmentId,
      role: 'department-reviewer',
      login: 'lin-reviewer',
      displayName: '林晓',
      personId: person,
    });
    expect(made.initialPassword).toBeTruthy();
    expect((await admin.accounts.list.query({ organisationId: hospitalId })).map((a) => [a.login, a.role, a.personName])).toContainEqual([
      'lin-reviewer',
      'department-reviewer',
      '林晓',
    ]);

    const province = (await server.db.selectFrom('organisations').select('id').where('kind', '=', 'province').executeTakeFirstOrThrow()).id;
    const otherUnit = await addOrganisation(server, 'institution', '别院', province);
    const otherDepartment = await addOrganisation(server, 'department', '别院内科', otherUnit);
    const stranger = await addPerson(server, { name: '别院人', title: '护师', institutionId: otherUnit, departmentId: otherDepartment });
    const base = { role: 'department-reviewer' as const, displayName: '某人' };
    await expect(admin.auth.createAccount.mutate({ ...base, organisationId: otherDepartment, login: 'elsewhere-1' })).rejects.toThrow(
      'access.record-outside-part-organisation',
    );
    await expect(admin.auth.createAccount.mutate({ ...base, organisationId: departmentId, login: 'elsewhere-2', personId: stranger.id })).rejects.toThrow(
      'access.record-outside-part-organisation',
    );
    await expect(admin.auth.createAccount.mutate({ ...base, role: 'city-admin', organisationId: hospitalId, login: 'above-1' })).rejects.toThrow(
      'auth.cannot-create-account-above-own',
    );
    // A reviewer's account at the unit's root would see the whole unit: it belongs to a department.
    await expect(admin.auth.createAccount.mutate({ ...base, organisationId: hospitalId, login: 'misplaced' })).rejects.toThrow(
      'accounts.role-does-not-fit-organisation',
    );
    await expect(admin.accounts.list.query({ organisationId: otherUnit })).rejects.toThrow('access.record-outside-part-organisation');
  });
});
