import 'fake-indexeddb/auto';
import { type ChainPublicKey, chainedFields, type ExportedTap, verifyChain } from '@opencme/core';
import { afterEach, describe, expect, it } from 'vitest';
import { type KioskDb, type LocalTap, openKioskDb, readMeta } from './db.ts';
import { pairKiosk } from './pairing.ts';
import { recordTap } from './taps.ts';

let counter = 0;
const dbs: KioskDb[] = [];
async function freshDb(): Promise<KioskDb> {
  const db = openKioskDb(`chain-test-${++counter}`);
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
  return db;
}
afterEach(async () => {
  for (const db of dbs.splice(0)) await db.delete();
});

/** Pairs as the server would answer, keeping the public key it was sent. */
async function pairAs(db: KioskDb, chainId: string): Promise<ChainPublicKey> {
  let registered: ChainPublicKey | null = null;
  await pairKiosk(
    db,
    async ({ chainKey }) => {
      registered = chainKey;
      return { deviceId: 'dev', token: 't', name: '东门', chainId };
    },
    'ABCD-EFGH',
  );
  return registered!;
}

const tap = (db: KioskDb, value: string) =>
  recordTap(db, { deviceId: 'dev', sessionId: 's1', credential: { kind: 'card-number', value }, source: 'manual', now: new Date('2026-11-22T01:00:00Z') });

async function exported(taps: readonly LocalTap[]): Promise<ExportedTap[]> {
  return Promise.all(taps.map(async (t) => ({ ...(await chainedFields(t, t.chain!)), signature: t.chain!.signature })));
}

describe('the kiosk signs its taps into a chain', () => {
  it('pairing makes a key that cannot be exported; taps recorded at once still chain in order', async () => {
    const db = await freshDb();
    const publicKey = await pairAs(db, 'chain-1');
    expect((await readMeta(db, 'chain'))!.privateKey.extractable).toBe(false);
    await Promise.all(['3426000001', '3426000002', '3426000003', '3426000004', '3426000005'].map((card) => tap(db, card)));
    const taps = await db.taps.orderBy('seq').toArray();
    expect(taps.map((t) => t.seq)).toEqual([1, 2, 3, 4, 5]);
    const { flags, state } = await verifyChain(publicKey, await exported(taps));
    expect([...flags.values()].flat()).toEqual([]);
    expect(state.completeThrough).toBe(5);
  });

  it('pairing again starts a new chain from seq 1; the old taps keep their links', async () => {
    const db = await freshDb();
    const first = await pairAs(db, 'chain-1');
    await tap(db, '3426000001');
    await tap(db, '3426000002');
    const second = await pairAs(db, 'chain-2');
    const after = await tap(db, '3426000003');
    expect(after.tap.seq).toBe(1);
    expect(after.tap.chain).toMatchObject({ id: 'chain-2', prevHash: null });
    const old = await db.taps.where('chain.id').equals('chain-1').toArray();
    expect((await verifyChain(first, await exported(old))).state.completeThrough).toBe(2);
    expect((await verifyChain(second, await exported([after.tap]))).state.completeThrough).toBe(1);
  });
});
