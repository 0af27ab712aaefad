import 'fake-indexeddb/auto';
import { base64UrlEncode, importRosterKey, rosterKey, type SyncPullInput, type SyncPullResult } from '@opencme/core';
import { Dexie } from 'dexie';
import { afterEach, describe, expect, it } from 'vitest';
import { getMeta, type KioskDb, kioskKeys, openKioskDb } from './db.ts';
import { SyncEngine, type SyncTransport } from './sync.svelte.ts';
import { SEALING_KEY } from './test-keys.ts';

const ID_NUMBER = '11010519491231002X';
const OLD_DIGEST = 'id-card#1d1fca0b4ad3c0f1b6a5c3b8b28a9d2e0b4f2e7c8d9a0b1c2d3e4f5a6b7c8d9e';

let counter = 0;
const dbs: KioskDb[] = [];
afterEach(async () => {
  for (const db of dbs.splice(0)) await db.delete();
});

/** A server that makes a roster key per pairing and names the ID card under it, as sync.pull does. */
class PairingServer implements SyncTransport {
  pulls: SyncPullInput[] = [];
  key = crypto.getRandomValues(new Uint8Array(32));
  keyId = 'k1';
  async push() {
    return { results: [], serverTime: new Date().toISOString() };
  }
  async pull(input: SyncPullInput): Promise<SyncPullResult> {
    this.pulls.push(input);
    const held = input.deviceKeyId === this.keyId;
    const idCard = (await rosterKey({ kind: 'id-card', value: ID_NUMBER }, await importRosterKey(this.key)))!;
    return {
      cursor: '7',
      sessions: [],
      hasMore: false,
      serverTime: new Date().toISOString(),
      sealingKey: SEALING_KEY,
      ...(held ? {} : { deviceKey: { id: this.keyId, key: base64UrlEncode(this.key) } }),
      // A first pull (no cursor) brings everyone; a later one, only what changed (nobody here).
      people:
        input.cursor === null
          ? [
              {
                id: 'p1',
                name: '测试样本',
                cmeNumber: null,
                department: '儿科',
                photo: null,
                credentials: [{ key: idCard, kind: 'id-card', status: 'active' }],
              },
            ]
          : [],
    };
  }
  repair() {
    this.key = crypto.getRandomValues(new Uint8Array(32));
    this.keyId = 'k2';
  }
}

async function sync(db: KioskDb, server: SyncTransport) {
  const engine = new SyncEngine(db, server, { idleIntervalMs: 60_000 });
  engine.kick();
  await engine.settled();
  engine.stop();
}

describe('the kiosk’s keys', () => {
  it('takes its roster key from the first pull, says it holds it after, and keeps it unreadable', async () => {
    const db = openKioskDb(`keys-test-${++counter}`);
    dbs.push(db);
    const server = new PairingServer();
    await sync(db, server);
    await sync(db, server);
    expect(server.pulls.map((p) => p.deviceKeyId)).toEqual([undefined, 'k1']);
    const keys = await kioskKeys(db);
    expect(keys.rosterKey!.extractable).toBe(false);
    const [card] = (await db.people.toArray()).flatMap((p) => p.cards);
    expect(card).toBe(await rosterKey({ kind: 'id-card', value: ID_NUMBER }, keys.rosterKey));
  });

  it('drops the roster and pulls it whole when a new key comes (re-pairing), since the old digests match nothing', async () => {
    const db = openKioskDb(`keys-test-${++counter}`);
    dbs.push(db);
    const server = new PairingServer();
    await sync(db, server);
    const before = (await db.people.toArray())[0]!.cards[0];
    server.repair();
    await sync(db, server);
    // The pull with the old cursor brought the new key; the kiosk went back to the start.
    expect(server.pulls.map((p) => [p.cursor, p.deviceKeyId])).toEqual([
      [null, undefined],
      ['7', 'k1'],
      [null, 'k2'],
    ]);
    const after = (await db.people.toArray()).flatMap((p) => p.cards);
    expect(after).toHaveLength(1);
    expect(after[0]).not.toBe(before);
    expect(after[0]).toBe(await rosterKey({ kind: 'id-card', value: ID_NUMBER }, (await kioskKeys(db)).rosterKey));
  });

  it('forgets, on upgrading, the masked numbers and unkeyed digests an older version kept, and pulls the roster again', async () => {
    const name = `keys-test-${++counter}`;
    const old = new Dexie(name);
    old.version(1).stores({
      meta: 'key',
      sessions: 'id, startsAt',
      people: 'id, cmeNumber',
      credentials: 'key, personId',
      taps: 'tapId, seq, synced, [synced+seq], [sessionId+personId], [sessionId+credential.kind+credential.value]',
    });
    await old.table('people').add({ id: 'p1', name: '测试样本', cmeNumber: null, maskedIdNumber: '110105********002X', department: null, photo: null });
    await old.table('credentials').bulkAdd([
      { key: OLD_DIGEST, kind: 'id-card', personId: 'p1', status: 'active' },
      { key: 'ic-card:26DEFAE7', kind: 'ic-card', personId: 'p1', status: 'active' },
    ]);
    // Taps were always numbered with UUIDv7s: what reads them back now checks that they are.
    const [T1, T2] = ['019ab0a0-0000-7000-8000-000000000001', '019ab0a0-0000-7000-8000-000000000002'];
    const tap = {
      deviceId: 'd',
      sessionId: 's',
      personId: 'p1',
      wallTime: '2026-11-22T01:00:00Z',
      monoTime: 1,
      bootId: 'b',
      source: 'reader',
      direction: 'in',
      serverStatus: null,
      recordedAt: 0,
    };
    await old.table('taps').bulkAdd([
      { ...tap, tapId: T1, seq: 1, synced: 1, credential: { kind: 'id-card', value: OLD_DIGEST } },
      // Not yet with the server: it keeps its digest until the server has it.
      { ...tap, tapId: T2, seq: 2, synced: 0, credential: { kind: 'id-card', value: OLD_DIGEST } },
    ]);
    await old.table('meta').put({ key: 'cursor', value: '42' });
    old.close();

    const db = openKioskDb(name);
    dbs.push(db);
    expect(await db.people.get('p1')).not.toHaveProperty('maskedIdNumber');
    expect((await db.people.get('p1'))!.cards).toEqual(['ic-card:26DEFAE7']);
    expect((await db.taps.get(T1))!.credential.value).not.toContain(OLD_DIGEST.slice(8));
    expect((await db.taps.get(T2))!.credential.value).toBe(OLD_DIGEST);
    expect(await getMeta(db, 'cursor')).toBeUndefined();

    // Once the server answered for the last one, nothing of the old digest is left.
    const server = new PairingServer();
    await sync(db, {
      push: async ({ taps }) => ({ results: taps.map((t) => ({ tapId: t.tapId, status: 'stored' as const })), serverTime: new Date().toISOString() }),
      pull: (input) => server.pull(input),
    });
    expect(JSON.stringify(await db.taps.toArray())).not.toContain(OLD_DIGEST.slice(8));
  });
});
