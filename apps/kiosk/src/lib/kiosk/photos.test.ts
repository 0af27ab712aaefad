// Issue 15: the roster names photos by content hash and the kiosk fetches them in the background;
// the Dexie upgrade that brings this (version 5) keeps the outbox whole.
import 'fake-indexeddb/auto';
import { encodePhotoBundle, type SyncPullInput, type SyncPullResult, type SyncPushInput } from '@opencme/core';
import { Dexie } from 'dexie';
import { afterEach, describe, expect, it } from 'vitest';
import { getMeta, type KioskDb, openKioskDb } from './db.ts';
import { SyncEngine, type SyncTransport } from './sync.svelte.ts';
import { recordTap } from './taps.ts';
import { SEALING_KEY } from './test-keys.ts';

let counter = 0;
const dbs: KioskDb[] = [];
afterEach(async () => {
  for (const db of dbs.splice(0)) await db.delete();
});

const HASH_1 = '1'.repeat(64);
const HASH_2 = '2'.repeat(64);
const JPEG_1 = new Uint8Array([0xff, 0xd8, 1, 2, 3]);
const JPEG_2 = new Uint8Array([0xff, 0xd8, 4, 5, 6, 7]);

/** A server whose roster names two photos by hash, and which serves them as sync.pull and /api/sync/photos do. */
class PhotoServer implements SyncTransport {
  pulls: SyncPullInput[] = [];
  asked: string[][] = [];
  async push({ taps }: SyncPushInput) {
    return { results: taps.map((t) => ({ tapId: t.tapId, status: 'stored' as const })), serverTime: new Date().toISOString() };
  }
  async pull(input: SyncPullInput): Promise<SyncPullResult> {
    this.pulls.push(input);
    return {
      cursor: '2',
      sessions: [
        {
          id: 's1',
          projectId: 'p',
          projectName: '学习班',
          title: '上午',
          venue: '报告厅',
          startsAt: '2026-11-22T09:00:00+08:00',
          endsAt: '2026-11-22T12:00:00+08:00',
        },
      ],
      people: [
        { id: 'p1', name: '张三', cmeNumber: '3426000001', department: '儿科', photo: null, photoHash: HASH_1, credentials: [] },
        { id: 'p2', name: '李四', cmeNumber: '3426000002', department: '儿科', photo: null, photoHash: HASH_2, credentials: [] },
        { id: 'p3', name: '王五', cmeNumber: '3426000003', department: '儿科', photo: null, photoHash: HASH_1, credentials: [] },
      ].map((p) => ({ ...p, credentials: [{ key: `card-number:${p.cmeNumber}`, kind: 'card-number' as const, status: 'active' as const }] })),
      hasMore: false,
      serverTime: new Date().toISOString(),
      sealingKey: SEALING_KEY,
    };
  }
  async photos(hashes: string[]): Promise<Uint8Array> {
    this.asked.push(hashes);
    const bytes: Record<string, Uint8Array> = { [HASH_1]: JPEG_1, [HASH_2]: JPEG_2 };
    return encodePhotoBundle(hashes.map((hash) => ({ hash, bytes: bytes[hash]! })));
  }
}

const tap = (db: KioskDb, card: string) =>
  recordTap(db, {
    deviceId: 'dev',
    sessionId: 's1',
    credential: { kind: 'card-number', value: card },
    source: 'manual',
    now: new Date('2026-11-22T01:00:00Z'),
  });

describe('photos by content hash', () => {
  it('asks for the roster with photos by hash, knows people at once, and fetches each photo once, in the background', async () => {
    const db = openKioskDb(`photos-test-${++counter}`);
    dbs.push(db);
    const server = new PhotoServer();
    const engine = new SyncEngine(db, server, { idleIntervalMs: 60_000 });
    engine.kick();
    await engine.settled();
    expect(server.pulls.map((p) => p.photos)).toEqual(['hash']);
    // The door knows the person as soon as the roster is in, photo or not.
    expect((await tap(db, '3426000001')).person?.name).toBe('张三');
    await engine.photosSettled();
    // Two people share one photo: it is asked for once.
    expect(server.asked.flat().sort()).toEqual([HASH_1, HASH_2]);
    const shown = await tap(db, '3426000002');
    expect(shown.person?.name).toBe('李四');
    expect([...shown.photo!]).toEqual([...JPEG_2]);
    expect([...(await tap(db, '3426000003')).photo!]).toEqual([...JPEG_1]);
    // The next sync asks for none it already has.
    engine.kick();
    await engine.settled();
    await engine.photosSettled();
    expect(server.asked).toHaveLength(1);
    engine.stop();
  });

  it('upgrades a version-4 kiosk without touching its outbox, and pulls the roster again for its photo hashes', async () => {
    const name = `photos-test-${++counter}`;
    const old = new Dexie(name);
    old.version(4).stores({
      meta: 'key',
      sessions: 'id, startsAt',
      people: 'id, cmeNumber',
      credentials: 'key, personId',
      taps: 'tapId, seq, synced, [synced+seq], [sessionId+personId], [sessionId+credential.kind+credential.value], chain.id',
      peerTaps: 'tapId, [sessionId+personId], sessionId',
    });
    const person = { id: 'p1', name: '张三', cmeNumber: '3426000001', department: '儿科', photo: 'data:image/jpeg;base64,/9g=' };
    await old.table('people').add(person);
    const base = {
      deviceId: 'd',
      sessionId: 's1',
      personId: 'p1',
      credential: { kind: 'card-number', value: '3426000001' },
      wallTime: '2026-11-22T01:00:00Z',
      monoTime: 1,
      bootId: 'b',
      source: 'reader',
      direction: 'in',
      recordedAt: 0,
    };
    const taps = [
      { ...base, tapId: '019ab0a0-0000-7000-8000-000000000001', seq: 1, synced: 1, serverStatus: 'stored' },
      // Untransmitted: these must survive the upgrade exactly as they were.
      { ...base, tapId: '019ab0a0-0000-7000-8000-000000000002', seq: 2, synced: 0, serverStatus: null, direction: 'repeat' },
      { ...base, tapId: '019ab0a0-0000-7000-8000-000000000003', seq: 3, synced: 0, serverStatus: null, direction: 'out', wallTime: '2026-11-22T04:00:00Z' },
    ];
    await old.table('taps').bulkAdd(taps);
    await old.table('meta').bulkPut([
      { key: 'cursor', value: '42' },
      { key: 'seq', value: 3 },
    ]);
    old.close();

    const db = openKioskDb(name);
    dbs.push(db);
    expect(await db.taps.orderBy('seq').toArray()).toEqual(taps);
    expect(await db.taps.where('synced').equals(0).count()).toBe(2);
    expect(await getMeta(db, 'seq')).toBe(3);
    // The door goes on with the roster it had until the pull brings the hashes.
    expect(await db.people.get('p1')).toEqual({ ...person, cards: [] });
    expect(await getMeta(db, 'cursor')).toBeUndefined();
    expect(await db.photos.count()).toBe(0);
  });

  it('upgrades a version-5 kiosk to one record per person with her cards, keeping its outbox and its roster: offline, the door still knows everyone', async () => {
    const name = `photos-test-${++counter}`;
    const old = new Dexie(name);
    old.version(5).stores({
      meta: 'key',
      sessions: 'id, startsAt',
      people: 'id, cmeNumber, photoHash',
      credentials: 'key, personId',
      taps: 'tapId, seq, synced, [synced+seq], [sessionId+personId], [sessionId+credential.kind+credential.value], chain.id',
      peerTaps: 'tapId, [sessionId+personId], sessionId',
      photos: 'hash',
    });
    await old.table('sessions').add({
      id: 's1',
      projectId: 'p',
      projectName: '学习班',
      title: '上午',
      venue: '报告厅',
      startsAt: '2026-11-22T09:00:00+08:00',
      endsAt: '2026-11-22T12:00:00+08:00',
    });
    await old.table('people').bulkAdd([
      { id: 'p1', name: '张三', cmeNumber: '3426000001', department: '儿科', photo: null, photoHash: HASH_1 },
      { id: 'p2', name: '李四', cmeNumber: '3426000002', department: '儿科', photo: null, photoHash: null },
    ]);
    await old.table('credentials').bulkAdd([
      { key: 'card-number:3426000001', kind: 'card-number', personId: 'p1', status: 'active' },
      { key: 'ic-card:26DEFAE7', kind: 'ic-card', personId: 'p1', status: 'active' },
      { key: 'card-number:3426000002', kind: 'card-number', personId: 'p2', status: 'lost' },
    ]);
    const base = {
      deviceId: 'd',
      sessionId: 's1',
      personId: 'p1',
      credential: { kind: 'card-number', value: '3426000001' },
      wallTime: '2026-11-22T01:00:00Z',
      monoTime: 1,
      bootId: 'b',
      source: 'reader',
      recordedAt: 0,
    };
    const taps = [
      { ...base, tapId: '019ab0a0-0000-7000-8000-000000000001', seq: 1, synced: 1, serverStatus: 'stored', direction: 'in' },
      // Untransmitted: these must survive the upgrade exactly as they were.
      { ...base, tapId: '019ab0a0-0000-7000-8000-000000000002', seq: 2, synced: 0, serverStatus: null, direction: 'repeat' },
      { ...base, tapId: '019ab0a0-0000-7000-8000-000000000003', seq: 3, synced: 0, serverStatus: null, direction: 'out', wallTime: '2026-11-22T04:00:00Z' },
    ];
    await old.table('taps').bulkAdd(taps);
    await old.table('meta').bulkPut([
      { key: 'cursor', value: '42' },
      { key: 'seq', value: 3 },
    ]);
    old.close();

    const db = openKioskDb(name);
    dbs.push(db);
    expect(await db.taps.orderBy('seq').toArray()).toEqual(taps);
    expect(await db.taps.where('synced').equals(0).count()).toBe(2);
    expect(await db.people.get('p1')).toMatchObject({ name: '张三', photoHash: HASH_1, cards: ['card-number:3426000001', 'ic-card:26DEFAE7'] });
    expect((await db.people.get('p1'))!.lost).toBeUndefined();
    expect(await db.people.get('p2')).toMatchObject({ cards: ['card-number:3426000002'], lost: ['card-number:3426000002'] });
    expect(db.tables.map((t) => t.name)).not.toContain('credentials');
    // Nothing to pull again: the roster was moved, not dropped.
    expect(await getMeta(db, 'cursor')).toBe('42');
    // With no network, the door finds both by any of their cards, and goes on numbering from the outbox.
    const tap = (credential: { kind: 'card-number' | 'ic-card'; value: string }) =>
      recordTap(db, { deviceId: 'd', sessionId: 's1', credential, source: 'reader', now: new Date('2026-11-22T04:30:00Z') });
    const byIc = await tap({ kind: 'ic-card', value: '26DEFAE7' });
    expect([byIc.person?.id, byIc.tap.seq]).toEqual(['p1', 4]);
    expect((await tap({ kind: 'card-number', value: '3426000002' })).decision.kind).toBe('denied-card');
    expect(await db.taps.where('synced').equals(0).count()).toBe(4);
  });
});
