import 'fake-indexeddb/auto';
import type { DeviceClock, SyncPullResult, SyncPushInput, SyncPushResult, Tap } from '@opencme/core';
import { afterEach, describe, expect, it } from 'vitest';
import { getMeta, type KioskDb, openKioskDb } from './db.ts';
import { doorRoster } from './door-roster.ts';
import { SyncEngine, type SyncTransport } from './sync.svelte.ts';
import { KEEP_SYNCED_TAPS_MS, pruneSyncedTaps, recordTap } from './taps.ts';
import { SEALING_KEY } from './test-keys.ts';

let counter = 0;
const dbs: KioskDb[] = [];
async function freshDb(): Promise<KioskDb> {
  const db = openKioskDb(`kiosk-test-${++counter}`);
  dbs.push(db);
  // 09:00–12:00 Beijing time; the door takes taps from 08:00 to 13:00 by the default rules.
  await db.sessions.add({
    id: 's1',
    projectId: 'p',
    projectName: '学习班',
    title: '上午',
    venue: '报告厅',
    startsAt: '2026-11-22T09:00:00+08:00',
    endsAt: '2026-11-22T12:00:00+08:00',
  });
  return db;
}
afterEach(async () => {
  for (const db of dbs.splice(0)) await db.delete();
});

async function withRoster(db: KioskDb) {
  await db.people.bulkAdd([
    { id: 'p1', name: '张三', cmeNumber: '3426000001', department: '儿科', photo: null, cards: ['card-number:3426000001', 'ic-card:26DEFAE7'] },
    { id: 'p2', name: '李四', cmeNumber: '3426000002', department: '儿科', photo: null, cards: ['card-number:3426000002'], lost: ['card-number:3426000002'] },
  ]);
}

const tapAt = (db: KioskDb, value: string, iso: string, kind: 'card-number' | 'ic-card' = 'card-number') =>
  recordTap(db, { deviceId: 'dev', sessionId: 's1', credential: { kind, value }, source: 'manual', now: new Date(iso) });

describe('recordTap', () => {
  it('numbers taps per device and decides sign-in, then sign-out after the gap, across cards of one person', async () => {
    const db = await freshDb();
    await withRoster(db);
    const first = await tapAt(db, '3426000001', '2026-11-22T01:00:00Z');
    const again = await tapAt(db, '26DEFAE7', '2026-11-22T01:00:30Z', 'ic-card');
    const out = await tapAt(db, '3426000001', '2026-11-22T04:00:00Z');
    expect([first.tap.seq, again.tap.seq, out.tap.seq]).toEqual([1, 2, 3]);
    expect([first.tap.direction, again.tap.direction, out.tap.direction]).toEqual(['in', 'repeat', 'out']);
    expect(again.decision).toEqual({ kind: 'already-signed-in', signedInAt: '2026-11-22T01:00:00.000Z' });
    expect(first.person?.name).toBe('张三');
    expect(await db.taps.where('synced').equals(0).count()).toBe(3);
    expect(await getMeta(db, 'seq')).toBe(3);
  });

  it('records an unknown card and a lost card, saying so', async () => {
    const db = await freshDb();
    await withRoster(db);
    const unknown = await tapAt(db, '9999', '2026-11-22T01:00:00Z');
    expect(unknown.person).toBeNull();
    expect(unknown.tap.personId).toBeNull();
    expect(unknown.decision.kind).toBe('unknown-card');
    const lost = await tapAt(db, '3426000002', '2026-11-22T01:00:00Z');
    expect(lost.decision.kind).toBe('denied-card');
    expect([unknown.tap.direction, lost.tap.direction]).toEqual(['none', 'none']);
    expect(await db.taps.count()).toBe(2);
  });

  it('records a tap outside the session window, saying when the door is open, and it is no sign-in', async () => {
    const db = await freshDb();
    await withRoster(db);
    const early = await tapAt(db, '3426000001', '2026-11-21T23:59:59Z');
    expect(early.decision).toEqual({ kind: 'outside-window', opensAt: '2026-11-22T00:00:00.000Z', closesAt: '2026-11-22T05:00:00.000Z' });
    expect(early.tap.direction).toBe('none');
    expect((await tapAt(db, '3426000001', '2026-11-22T00:00:00Z')).decision.kind).toBe('sign-in');
  });

  it('sends its clocks with each push, so the server can correct its times', async () => {
    const db = await freshDb();
    await withRoster(db);
    await tapAt(db, '3426000001', '2026-11-22T01:00:00Z');
    const server = new FakeServer();
    const engine = new SyncEngine(db, server, { idleIntervalMs: 60_000 });
    engine.kick();
    await engine.settled();
    engine.stop();
    const [clock] = server.clocks;
    expect(clock?.bootId).toBe((await db.taps.toArray())[0]!.bootId);
    expect(Math.abs(Date.parse(clock!.wallTime) - Date.now())).toBeLessThan(5_000);
  });
});

/** A server stand-in at the protocol boundary: it can be down, and it remembers what it stored. */
class FakeServer implements SyncTransport {
  stored = new Map<string, Tap>();
  down = false;
  failAfterBatches = Infinity;
  batches: number[] = [];
  clocks: DeviceClock[] = [];
  async push({ taps, clock }: SyncPushInput): Promise<SyncPushResult> {
    if (this.down || this.batches.length >= this.failAfterBatches) throw new TypeError('Failed to fetch');
    this.batches.push(taps.length);
    if (clock) this.clocks.push(clock);
    const results = taps.map((t) => {
      const dup = this.stored.has(t.tapId);
      this.stored.set(t.tapId, t);
      return { tapId: t.tapId, status: dup ? ('duplicate' as const) : ('stored' as const) };
    });
    return { results, serverTime: new Date().toISOString() };
  }
  async pull(): Promise<SyncPullResult> {
    if (this.down) throw new TypeError('Failed to fetch');
    return { cursor: '1', sessions: [], people: [], hasMore: false, serverTime: new Date().toISOString(), sealingKey: SEALING_KEY };
  }
}

describe('SyncEngine', () => {
  it('keeps taps while the server is down and delivers them in batches once it is back', async () => {
    const db = await freshDb();
    const server = new FakeServer();
    server.down = true;
    for (let i = 0; i < 25; i++) await tapAt(db, `card-${i}`, `2026-11-22T01:00:${String(i).padStart(2, '0')}Z`);
    const engine = new SyncEngine(db, server, { batchSize: 10, idleIntervalMs: 60_000 });
    engine.kick();
    await engine.settled();
    expect(engine.online).toBe(false);
    expect(await db.taps.where('synced').equals(0).count()).toBe(25);

    server.down = false;
    engine.kick();
    await engine.settled();
    engine.stop();
    expect(engine.online).toBe(true);
    expect(server.batches).toEqual([10, 10, 5]);
    expect(server.stored.size).toBe(25);
    expect(await db.taps.where('synced').equals(0).count()).toBe(0);
    expect(engine.lastSyncAt).not.toBeNull();
  });

  it('leaves unanswered taps pending when the connection drops mid-way, and a later push finds none twice', async () => {
    const db = await freshDb();
    const server = new FakeServer();
    server.failAfterBatches = 1;
    for (let i = 0; i < 15; i++) await tapAt(db, `card-${i}`, '2026-11-22T01:00:00Z');
    const engine = new SyncEngine(db, server, { batchSize: 10, idleIntervalMs: 60_000 });
    engine.kick();
    await engine.settled();
    expect(await db.taps.where('synced').equals(0).count()).toBe(5);

    server.failAfterBatches = Infinity;
    engine.kick();
    await engine.settled();
    engine.stop();
    expect(server.batches).toEqual([10, 5]);
    expect(server.stored.size).toBe(15);
  });

  it('stops retrying when the server refuses the device', async () => {
    const db = await freshDb();
    const refusing: SyncTransport = {
      push: async () => {
        throw Object.assign(new Error('此设备已被停用'), { data: { code: 'UNAUTHORIZED' } });
      },
      pull: async () => {
        throw Object.assign(new Error('此设备已被停用'), { data: { code: 'UNAUTHORIZED' } });
      },
    };
    await tapAt(db, 'card', '2026-11-22T01:00:00Z');
    const engine = new SyncEngine(db, refusing, { idleIntervalMs: 60_000 });
    engine.kick();
    await engine.settled();
    engine.stop();
    expect(engine.refused).toBe(true);
    expect(await db.taps.where('synced').equals(0).count()).toBe(1);
  });

  it('replaces a person’s cards with each roster page, in the store and in the door’s map: a card reported lost is denied, an unbound one and a removed person’s are unknown, a changed number is found', async () => {
    const db = await freshDb();
    const s1 = (await db.sessions.get('s1'))!;
    const person = (n: number, credentials: SyncPullResult['people'][number]['credentials']) => ({
      id: `p${n}`,
      name: `人员${n}`,
      cmeNumber: null,
      department: null,
      photo: null,
      credentials,
    });
    const page = (cursor: string, people: SyncPullResult['people'], removed?: string[]): SyncPullResult => ({
      cursor,
      sessions: [s1],
      hasMore: false,
      serverTime: new Date().toISOString(),
      sealingKey: SEALING_KEY,
      people,
      ...(removed ? { removed } : {}),
    });
    const pages = [
      page('2', [
        person(1, [
          { key: 'ic-card:AA', kind: 'ic-card', status: 'active' },
          { key: 'ic-card:BB', kind: 'ic-card', status: 'active' },
        ]),
        person(2, [{ key: 'ic-card:CC', kind: 'ic-card', status: 'active' }]),
        person(3, [{ key: 'card-number:3426000003', kind: 'card-number', status: 'active' }]),
      ]),
      page('3', [
        person(1, [{ key: 'ic-card:AA', kind: 'ic-card', status: 'lost' }]),
        person(3, [{ key: 'card-number:3426000033', kind: 'card-number', status: 'active' }]),
      ]),
      page('4', [], ['p2']),
    ];
    const server = new FakeServer();
    const transport: SyncTransport = { push: (input) => server.push(input), pull: async () => pages.shift()! };
    const engine = new SyncEngine(db, transport, { idleIntervalMs: 60_000 });
    const pull = async () => {
      engine.kick();
      await engine.settled();
    };
    const holder = async (value: string, kind: 'card-number' | 'ic-card' = 'ic-card') => {
      const { person, decision } = await tapAt(db, value, '2026-11-22T01:00:00Z', kind);
      return person ? `${person.id} ${decision.kind}` : decision.kind;
    };
    await pull();
    // The door's map is loaded (as after a tap); the pulls after must keep it in step.
    await doorRoster(db).load();
    expect(doorRoster(db).loaded).toBe(true);
    expect(await holder('CC')).toBe('p2 sign-in');
    expect(await holder('3426000003', 'card-number')).toBe('p3 sign-in');
    expect((await db.people.toArray()).flatMap((p) => p.cards)).toHaveLength(4);

    await pull();
    expect(await db.people.get('p1')).toMatchObject({ cards: ['ic-card:AA'], lost: ['ic-card:AA'] });
    expect(await holder('AA')).toBe('p1 denied-card');
    expect(await holder('BB')).toBe('unknown-card');
    expect(await holder('3426000003', 'card-number')).toBe('unknown-card');
    expect(await holder('3426000033', 'card-number')).toBe('p3 already-signed-in');
    expect(await db.people.count()).toBe(3);

    // Someone taken off the roster goes with her cards, from the store and from the door.
    await pull();
    engine.stop();
    expect(await holder('CC')).toBe('unknown-card');
    expect(await db.people.toCollection().primaryKeys()).toEqual(['p1', 'p3']);
    expect(await db.people.where('cards').equals('ic-card:CC').count()).toBe(0);
  });
});

describe('pruning answered taps', () => {
  const DAY = 24 * 3_600_000;
  const now = Date.parse('2026-11-22T01:00:00Z');
  const daysAgo = (days: number) => new Date(now - days * DAY).toISOString();

  it('deletes taps the server answered for once they are older than the keeping period, never an unanswered one', async () => {
    const db = await freshDb();
    const old = [await tapAt(db, 'a', daysAgo(40)), await tapAt(db, 'b', daysAgo(35)), await tapAt(db, 'c', daysAgo(31))];
    const recent = [await tapAt(db, 'd', daysAgo(29)), await tapAt(db, 'e', daysAgo(1))];
    // The server answered for all but the second old tap.
    await db.taps
      .where('tapId')
      .anyOf([old[0]!, old[2]!, ...recent].map((o) => o.tap.tapId))
      .modify({ synced: 1, serverStatus: 'stored' });
    await db.sessions.clear();

    expect(await pruneSyncedTaps(db, { now })).toBe(2);
    expect((await db.taps.toArray()).map((t) => t.credential.value).sort()).toEqual(['b', 'd', 'e']);
    expect(await db.taps.where('synced').equals(0).count()).toBe(1);
    // A shorter period, as configured, takes the recent answered ones too; the unanswered one stays.
    expect(await pruneSyncedTaps(db, { now, keepMs: 0 })).toBe(2);
    expect((await db.taps.toArray()).map((t) => t.credential.value)).toEqual(['b']);
  });

  it('keeps the taps of a session the kiosk still holds, which the door decides from', async () => {
    const db = await freshDb();
    await withRoster(db);
    await tapAt(db, '3426000001', daysAgo(40));
    await db.taps.toCollection().modify({ synced: 1, serverStatus: 'stored' });
    expect(await pruneSyncedTaps(db, { now })).toBe(0);
    expect(await db.taps.count()).toBe(1);
  });

  it('prunes after a successful sync, keeping what the server has not answered for', async () => {
    const db = await freshDb();
    const recordedAt = Date.now() - KEEP_SYNCED_TAPS_MS - DAY;
    for (let i = 0; i < 15; i++) await tapAt(db, `card-${i}`, new Date(recordedAt + i * 1000).toISOString());
    const server = new FakeServer();
    server.failAfterBatches = 1;
    const engine = new SyncEngine(db, server, { batchSize: 10, idleIntervalMs: 60_000 });
    engine.kick();
    await engine.settled();
    // The sync failed after the first batch: nothing is pruned on a failed sync.
    expect(await db.taps.count()).toBe(15);

    server.failAfterBatches = Infinity;
    engine.kick();
    await engine.settled();
    engine.stop();
    expect(server.stored.size).toBe(15);
    expect(await db.taps.count()).toBe(0);
  });
});
