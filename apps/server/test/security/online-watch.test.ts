// The watch-event API (POST /api/online/v1/watch-events) under attack: an unsigned request, a wrong
// key, a stale timestamp, a replayed request, a revoked platform, a tampered body, and a platform
// of another unit posting to this unit's session are each refused with their own code, and none of
// them stores an event or makes an attendance.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DEMO_ADMIN_B } from '../../src/seed.ts';
import { type Client, startServer, type TestServer } from '../harness.ts';
import { addOnlineSession, type SimulatedEvent, simulatedPlatform } from '../online-platform.ts';

let server: TestServer;
let admin: Client;
let sessionId: string;
let events: SimulatedEvent[];
const DAY = '2026-11-23';

async function platformOf(client: Client, name: string) {
  const registered = await client.online.registerPlatform.mutate({ name });
  return { ...registered, sim: simulatedPlatform({ url: server.url, platformId: registered.id, secret: registered.secret, now: () => server.clock.now }) };
}

async function nothingStored() {
  const [watch, attendance] = await Promise.all([
    server.db.selectFrom('online_watch_events').select('event_id').execute(),
    server.db.selectFrom('attendance').select('person_id').where('session_id', '=', sessionId).execute(),
  ]);
  expect(watch).toEqual([]);
  expect(attendance).toEqual([]);
}

beforeAll(async () => {
  server = await startServer();
  server.clock.now = new Date(`${DAY}T19:00:00+08:00`);
  admin = await server.admin();
  const unit = await server.db.selectFrom('organisations').select('id').where('kind', '=', 'institution').orderBy('created_at').executeTakeFirstOrThrow();
  sessionId = (await addOnlineSession(server, unit.id, DAY)).sessionId;
  const person = await server.db
    .selectFrom('persons')
    .select('cme_number')
    .where('institution_id', '=', unit.id)
    .where('cme_number', 'is not', null)
    .executeTakeFirstOrThrow();
  events = [{ eventId: 'e-1', sessionId, person: { cardNumber: person.cme_number! }, start: `${DAY}T08:00:00+08:00`, seconds: 3600 }];
}, 60_000);
afterAll(() => server?.close());
beforeEach(() => {
  server.clock.now = new Date(server.clock.now.getTime() + 1000);
});

describe('the watch-event API refuses, and stores nothing', () => {
  it('refuses an unsigned request', async () => {
    const { sim } = await platformOf(admin, '平台甲');
    const reply = await sim.post(sim.request(events, { unsigned: true }));
    expect(reply).toMatchObject({ status: 401, body: { messageKey: 'online.unsigned' } });
    await nothingStored();
  });

  it('refuses a request signed with a wrong key, or with another platform’s', async () => {
    const { sim } = await platformOf(admin, '平台乙');
    const other = await platformOf(admin, '平台丙');
    expect(await sim.post(sim.request(events, { secret: 'not-the-key' }))).toMatchObject({ status: 401, body: { messageKey: 'online.bad-signature' } });
    expect(await sim.post(sim.request(events, { secret: other.secret }))).toMatchObject({ status: 401, body: { messageKey: 'online.bad-signature' } });
    await nothingStored();
  });

  it('refuses a body changed after signing', async () => {
    const { sim } = await platformOf(admin, '平台丁');
    const signed = sim.request(events);
    const tampered = { ...signed, body: signed.body.replace('"seconds":3600', '"seconds":36000') };
    expect(await sim.post(tampered)).toMatchObject({ status: 401, body: { messageKey: 'online.bad-signature' } });
    await nothingStored();
  });

  it('refuses a stale timestamp, and one from the future', async () => {
    const { sim } = await platformOf(admin, '平台戊');
    const seconds = Math.floor(server.clock.now.getTime() / 1000);
    expect(await sim.post(sim.request(events, { timestamp: String(seconds - 6 * 60) }))).toMatchObject({
      status: 401,
      body: { messageKey: 'online.stale-timestamp' },
    });
    expect(await sim.post(sim.request(events, { timestamp: String(seconds + 6 * 60) }))).toMatchObject({
      status: 401,
      body: { messageKey: 'online.stale-timestamp' },
    });
    expect(await sim.post(sim.request(events, { timestamp: 'yesterday' }))).toMatchObject({ status: 401, body: { messageKey: 'online.stale-timestamp' } });
    await nothingStored();
  });

  it('refuses a platform of another unit posting to this unit’s session, even one of its own province', async () => {
    const adminB = server.client({ cookie: await server.login(DEMO_ADMIN_B) });
    const { sim } = await platformOf(adminB, '二院平台');
    expect(await sim.send(events)).toMatchObject({ status: 403, body: { messageKey: 'online.session-not-yours' } });
    // A session that does not exist is answered alike: the reply tells nothing of which exist.
    expect(await sim.send([{ ...events[0]!, sessionId: 'no-such-session' }])).toMatchObject({ status: 403, body: { messageKey: 'online.session-not-yours' } });
    await nothingStored();
  });

  it('refuses a revoked platform', async () => {
    const { id, sim } = await platformOf(admin, '平台己');
    await admin.online.revokePlatform.mutate({ platformId: id });
    expect(await sim.send(events)).toMatchObject({ status: 401, body: { messageKey: 'online.platform-revoked' } });
    await nothingStored();
  });

  it('refuses a replayed request, and stores the original once', async () => {
    const { sim } = await platformOf(admin, '平台庚');
    const signed = sim.request(events);
    expect(await sim.post(signed)).toMatchObject({ status: 200, body: { stored: 1 } });
    expect(await sim.post(signed)).toMatchObject({ status: 409, body: { messageKey: 'online.replayed' } });
    expect(await server.db.selectFrom('online_watch_events').select('event_id').execute()).toHaveLength(1);
  });

  it('never lists a platform’s key, and keeps it encrypted', async () => {
    const { secret } = await platformOf(admin, '平台辛');
    const listed = await admin.online.platforms.query();
    expect(JSON.stringify(listed)).not.toContain(secret);
    const stored = await server.db.selectFrom('online_platforms').select('secret_enc').execute();
    expect(stored.some((s) => s.secret_enc.includes(secret))).toBe(false);
  });

  // Last: it spends this address's budget, which only the clock gives back.
  it('stops a flood from one address before reading it, says when to come back, and lets the platform in again after the minute', async () => {
    const { sim } = await platformOf(admin, '平台壬');
    // A fresh minute: the tests above spent some of it.
    server.clock.now = new Date(server.clock.now.getTime() + 61_000);
    const before = await server.db.selectFrom('online_watch_events').select('event_id').execute();
    const junk = sim.request(events, { unsigned: true });
    const statuses: number[] = [];
    for (let i = 0; i < 300; i++) statuses.push((await sim.post(junk)).status);
    expect(statuses.every((s) => s === 401)).toBe(true);
    const refused = await fetch(`${server.url}/api/online/v1/watch-events`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(((await refused.json()) as { messageKey: string }).messageKey).toMatch(/^rate-limit\.watch-events\.(seconds|minutes)$/);
    // A signed batch is turned away too while the minute lasts, and stored once it has passed.
    const fresh = [{ ...events[0]!, eventId: 'after-the-flood' }];
    expect(await sim.send(fresh)).toMatchObject({ status: 429 });
    expect(await server.db.selectFrom('online_watch_events').select('event_id').execute()).toEqual(before);
    server.clock.now = new Date(server.clock.now.getTime() + 61_000);
    expect(await sim.send(fresh)).toMatchObject({ status: 200, body: { stored: 1 } });
  });
});
