// What anyone may ask without an account (security issue 9): limits per network kept in the
// database, and answers that do not tell whether an ID number or a login is already registered.
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addressKey, LIMITS } from '../../src/rate-limit.ts';
import { addPerson } from '../fixtures.ts';
import { startServer, type TestServer } from '../harness.ts';

let server: TestServer;
let hospitalId: string;
let departmentId: string;

beforeAll(async () => {
  server = await startServer();
  // As behind the reverse proxy of a deployment: the caller's address comes in X-Forwarded-For.
  server.app.set('trust proxy', 'loopback');
  hospitalId = (await server.db.selectFrom('organisations').select('id').where('kind', '=', 'institution').executeTakeFirstOrThrow()).id;
  departmentId = (await server.db.selectFrom('organisations').select('id').where('parent_id', '=', hospitalId).orderBy('name').executeTakeFirstOrThrow()).id;
}, 60_000);
afterAll(() => server?.close());

const from = (address: string) => server.client({ 'x-forwarded-for': address });
const lookup = (client: ReturnType<typeof from>) =>
  client.lookup.credits.query({ idNumber: '11010519491231002X', name: '张三' }).catch((e: { data?: { code?: string } }) => e.data?.code);

describe('limits on the public lookup', () => {
  it('keys an IPv4 address as it is, IPv4-mapped IPv6 as IPv4, and IPv6 by its /64', () => {
    expect(addressKey('192.0.2.7')).toBe('192.0.2.7');
    expect(addressKey('::ffff:192.0.2.7')).toBe('192.0.2.7');
    expect(addressKey('::FFFF:c000:0207')).toBe('192.0.2.7');
    expect(addressKey('2001:db8:1:2:aaaa:bbbb:cccc:dddd')).toBe('2001:db8:1:2::/64');
    expect(addressKey('2001:db8:1:2::1')).toBe('2001:db8:1:2::/64');
    expect(addressKey('2001:db8::1')).toBe('2001:db8:0:0::/64');
    expect(addressKey('fe80::1%eth0')).toBe('fe80:0:0:0::/64');
    expect(addressKey('::1')).toBe('0:0:0:0::/64');
  });

  it('counts the addresses of one IPv6 /64 together, and another /64 apart', async () => {
    const { limit } = LIMITS.lookup;
    for (let i = 1; i <= limit; i++) expect(await lookup(from(`2001:db8:1:2::${i.toString(16)}`))).toBe('NOT_FOUND');
    expect(await lookup(from('2001:db8:1:2:ffff:ffff:ffff:ffff'))).toBe('TOO_MANY_REQUESTS');
    expect(await lookup(from('2001:db8:1:3::1'))).toBe('NOT_FOUND');
  });

  it('keeps its count across a restart and between server processes on one database', async () => {
    const address = '198.51.100.20';
    for (let i = 0; i < LIMITS.lookup.limit; i++) expect(await lookup(from(address))).toBe('NOT_FOUND');
    const restarted = await server.anotherApp();
    restarted.app.set('trust proxy', 'loopback');
    try {
      expect(await lookup(restarted.client({ 'x-forwarded-for': address }))).toBe('TOO_MANY_REQUESTS');
      expect(await lookup(restarted.client({ 'x-forwarded-for': '198.51.100.21' }))).toBe('NOT_FOUND');
    } finally {
      await restarted.close();
    }
  });
});

describe('self-registration', () => {
  let photo: Buffer;
  beforeAll(async () => {
    photo = await sharp({ create: { width: 358, height: 441, channels: 3, background: '#c8d8e8' } })
      .jpeg({ quality: 80 })
      .toBuffer();
  });
  /** The photo goes first to the upload route, as the registration page sends it; each form takes its own. */
  const uploadPhoto = async () => (await server.upload('photo', [{ name: 'photo.jpg', bytes: photo, type: 'image/jpeg' }]))[0]!;
  const form = (idNumber: string, name: string, photoUpload: string) => ({
    institutionId: hospitalId,
    departmentId,
    name,
    idNumber,
    phone: '13955500042',
    title: '护师',
    category: 'nurse' as const,
    specialty: '',
    degree: 'bachelor' as const,
    photoUpload,
  });

  it('answers a registered ID number as it answers a new one, leaves the registered person untouched, and tells the unit', async () => {
    const registered = await addPerson(server, { name: '王丽华', title: '主管护师', institutionId: hospitalId, departmentId, region: '340102' });
    const before = await server.db.selectFrom('persons').selectAll().where('id', '=', registered.id).executeTakeFirstOrThrow();

    const fresh = await from('198.51.100.30').registration.submit.mutate(form('110105199003070017', '林晓', await uploadPhoto()));
    const duplicate = await from('198.51.100.30').registration.submit.mutate(form(registered.idNumber, '冒名者', await uploadPhoto()));
    expect(Object.keys(duplicate)).toEqual(Object.keys(fresh));
    expect(duplicate.statusToken).toHaveLength(fresh.statusToken.length);
    const [freshStatus, duplicateStatus] = await Promise.all(
      [fresh, duplicate].map((r) => server.client().registration.status.query({ token: r.statusToken })),
    );
    expect(Object.keys(duplicateStatus!).sort()).toEqual(Object.keys(freshStatus!).sort());
    expect(duplicateStatus).toMatchObject({ status: 'pending', name: '冒名者', unit: freshStatus!.unit, cmeNumber: null });

    expect(await server.db.selectFrom('persons').selectAll().where('id', '=', registered.id).executeTakeFirstOrThrow()).toEqual(before);
    const admin = await server.admin();
    const log = await admin.registry.auditLog.query({ organisationId: hospitalId });
    expect(log.find((l) => l.action === 'registration.duplicate')).toMatchObject({ entityId: registered.id });
  });

  it('limits anonymous registrations per address', async () => {
    const { limit } = LIMITS.registration;
    const codes = [];
    // Badly typed ID numbers count too: the limit comes before any check.
    for (let i = 0; i <= limit; i++)
      codes.push(
        await from('198.51.100.31')
          .registration.submit.mutate(form('110105199003070018', '林晓', 'no-such-upload'))
          .catch((e: { data: { code: string } }) => e.data.code),
      );
    expect(codes.slice(0, limit).every((c) => c === 'BAD_REQUEST')).toBe(true);
    expect(codes.at(-1)).toBe('TOO_MANY_REQUESTS');
  }, 30_000);
});

describe('unit registration', () => {
  const unit = (creditCode: string, name: string, proposedLogin: string) => {
    // What a client of the earlier form sent: a login of its choosing.
    const input = { cityId: '', creditCode, name, admin: { login: proposedLogin, displayName: '医教科', password: 'a-long-password' } };
    return input;
  };

  it('does not tell whether a login is taken', async () => {
    const cityId = (await server.client().units.cities.query())[0]!.id;
    const taken = await from('198.51.100.40').units.register.mutate({ ...unit('12100000400000624D', '合肥市第二人民医院', 'admin'), cityId });
    const free = await from('198.51.100.40').units.register.mutate({ ...unit('91340100MA2N0JLK5C', '合肥市第三人民医院', 'nobody-has-this'), cityId });
    expect(Object.keys(taken)).toEqual(Object.keys(free));
    // Each unit's administrator signs in with the unit's own credit code; nobody else's account changed.
    expect([taken.login, free.login]).toEqual(['12100000400000624D', '91340100MA2N0JLK5C']);
    await expect(server.login({ login: 'admin', password: 'opencme-demo' })).resolves.toMatch(/opencme_session=/);
  });

  it('limits unit registrations per address', async () => {
    const cityId = (await server.client().units.cities.query())[0]!.id;
    const codes = [];
    for (let i = 0; i <= LIMITS.unitRegistration.limit; i++) {
      codes.push(
        await from('198.51.100.41')
          .units.register.mutate({ ...unit('12340100485999901A', '某某县人民医院', 'x'), cityId })
          .catch((e: { data: { code: string } }) => e.data.code),
      );
    }
    expect(codes.at(-2)).toBe('BAD_REQUEST');
    expect(codes.at(-1)).toBe('TOO_MANY_REQUESTS');
  });
});
