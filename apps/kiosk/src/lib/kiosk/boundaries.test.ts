// What the kiosk reads from outside its code (its own database, the server's replies) is parsed
// where it comes in: a stale or hand-edited record and a malformed reply fail there, with a message
// that says what is wrong, and nothing the kiosk holds is lost.
import 'fake-indexeddb/auto';
import type { SyncPullResult, SyncPushInput } from '@opencme/core';
import { afterEach, describe, expect, it } from 'vitest';
import { errorMessage } from '../i18n.svelte.ts';
import { getMeta, type KioskDb, openKioskDb, StoredRecordError } from './db.ts';
import { MalformedReply, SyncEngine, type SyncTransport } from './sync.svelte.ts';
import { recordTap } from './taps.ts';
import { SEALING_KEY } from './test-keys.ts';

let counter = 0;
const dbs: KioskDb[] = [];
async function kioskWithRoster(): Promise<KioskDb> {
  const db = openKioskDb(`boundaries-test-${++counter}`);
  dbs.push(db);
  await db.sessions.add({
    id: 's1',
    projectId: 'p',
    projectName: '学习班',
    title: '上午',
    venue: '报告厅',
    startsAt: '2026-11-22T09:00:00+08:00',
    endsAt: '2026-11-22T12:00:00+08:00',
  });
  await db.people.bulkAdd([
    { id: 'p1', name: '张三', cmeNumber: '3426000001', department: '儿科', photo: null, cards: ['card-number:3426000001'] },
    { id: 'p2', name: '李四', cmeNumber: '3426000002', department: '儿科', photo: null, cards: ['card-number:3426000002'] },
  ]);
  return db;
}
afterEach(async () => {
  for (const db of dbs.splice(0)) await db.delete();
});

const tap = (db: KioskDb, number: string, iso = '2026-11-22T01:00:00Z') =>
  recordTap(db, { deviceId: 'dev', sessionId: 's1', credential: { kind: 'card-number', value: number }, source: 'manual', now: new Date(iso) });

/** Writes a record past Dexie, as a hand in devtools or an older version of the app would. */
async function handEdit(db: KioskDb, store: string, value: unknown): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const tx = db.backendDB().transaction(store, 'readwrite');
    tx.objectStore(store).put(value);
    tx.oncomplete = () => resolve();
    tx.onerror = () => reject(tx.error ?? new Error(`writing ${store} failed`));
  });
}

const pullPage = (people: SyncPullResult['people'] = []): SyncPullResult => ({
  cursor: '7',
  sessions: [],
  people,
  hasMore: false,
  serverTime: new Date().toISOString(),
  sealingKey: SEALING_KEY,
});

describe('a stored record the kiosk did not write', () => {
  it('fails at the door with a message naming the record, and the outbox keeps every tap and still syncs', async () => {
    const db = await kioskWithRoster();
    // A person record without a name (edited by hand, or left by some other version), there when the door starts.
    await handEdit(db, 'people', { id: 'p2', cmeNumber: '3426000002', department: '儿科', photo: null, cards: ['card-number:3426000002'] });
    await tap(db, '3426000001');

    const failure = await tap(db, '3426000002').catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(StoredRecordError);
    expect(errorMessage(failure)).toMatch(/^本机数据有误：people 中的记录“p2”无法读取（.*name.*）/);
    expect((failure as StoredRecordError).params).toMatchObject({ store: 'people', key: 'p2' });

    // Another person at the door is not held up by it, and nothing recorded is lost.
    expect((await tap(db, '3426000001', '2026-11-22T04:00:00Z')).decision.kind).toBe('sign-out');
    const pushed: SyncPushInput['taps'] = [];
    const engine = new SyncEngine(
      db,
      {
        push: async ({ taps }) => {
          pushed.push(...taps);
          return { results: taps.map((t) => ({ tapId: t.tapId, status: 'stored' })), serverTime: new Date().toISOString() };
        },
        pull: async () => pullPage(),
      },
      { idleIntervalMs: 60_000 },
    );
    engine.kick();
    await engine.settled();
    engine.stop();
    expect(pushed.map((t) => t.seq)).toEqual([1, 2]);
    expect(await db.taps.where('synced').equals(0).count()).toBe(0);
  });

  it('a hand-edited tap in the outbox fails when read, naming the tap', async () => {
    const db = await kioskWithRoster();
    const { tap: first } = await tap(db, '3426000001');
    await handEdit(db, 'taps', { ...first, wallTime: 'yesterday morning' });
    const failure = await tap(db, '3426000001', '2026-11-22T04:00:00Z').catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(StoredRecordError);
    expect(errorMessage(failure)).toContain(`taps 中的记录“${first.tapId}”`);
    expect(errorMessage(failure)).toContain('wallTime');
  });

  it('a damaged tap counter goes on from the outbox’s last tap: no number is given twice', async () => {
    const db = await kioskWithRoster();
    await tap(db, '3426000001');
    await tap(db, '3426000002');
    await handEdit(db, 'meta', { key: 'seq', value: 'two' });
    expect((await tap(db, '3426000001', '2026-11-22T04:00:00Z')).tap.seq).toBe(3);
    expect(await getMeta(db, 'seq')).toBe(3);
  });
});

describe('a malformed reply from the server', () => {
  it('is refused with a clear message: the roster, the cursor and the outbox stay as they were', async () => {
    const db = await kioskWithRoster();
    await handEdit(db, 'meta', { key: 'cursor', value: '5' });
    await tap(db, '3426000001');
    // Something answers that is not the sync protocol: a person with no credentials list, no cursor.
    const bad = { ...pullPage(), cursor: undefined, people: [{ id: 'p1', name: '替换', cmeNumber: null, department: null, photo: null }] };
    const transport: SyncTransport = {
      push: async () => ({ results: 'ok' }),
      pull: async () => bad,
    };
    const engine = new SyncEngine(db, transport, { idleIntervalMs: 60_000, maxBackoffMs: 60_000 });
    engine.kick();
    await engine.settled();
    engine.stop();
    expect(engine.online).toBe(false);
    expect(engine.lastError).toBeInstanceOf(MalformedReply);
    expect(errorMessage(engine.lastError)).toMatch(/^服务器的同步回复无法识别（push：.*results/);
    expect(await db.taps.where('synced').equals(0).count()).toBe(1);

    // Push fixed, pull still malformed: the taps go, the roster stays.
    const pushed: string[] = [];
    const engine2 = new SyncEngine(
      db,
      {
        push: async ({ taps }) => {
          pushed.push(...taps.map((t) => t.tapId));
          return { results: taps.map((t) => ({ tapId: t.tapId, status: 'stored' })), serverTime: new Date().toISOString() };
        },
        pull: async () => bad,
      },
      { idleIntervalMs: 60_000, maxBackoffMs: 60_000 },
    );
    engine2.kick();
    await engine2.settled();
    engine2.stop();
    expect(pushed).toHaveLength(1);
    expect(engine2.lastError).toBeInstanceOf(MalformedReply);
    expect(errorMessage(engine2.lastError)).toMatch(/^服务器的同步回复无法识别（pull：.*cursor/);
    expect(await db.people.get('p1')).toMatchObject({ name: '张三' });
    expect((await db.people.toArray()).flatMap((p) => p.cards)).toHaveLength(2);
    expect(await getMeta(db, 'cursor')).toBe('5');
  });
});
