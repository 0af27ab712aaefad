// The signed tap chain through the real sync.push: taps arriving in any order and batch size, a
// deleted, an edited, a forked and a replayed tap, a re-paired kiosk; each flagged with its own
// reason and shown in the device list; the export checks offline to the same state.
import { canonicalTapBytes, chainedFields, sha256Hex, signChainedTap, type Tap, TapExport, verifyTapExport } from '@opencme/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_ADMIN } from '../src/seed.ts';
import { makeTaps, startServer, type TestServer } from './harness.ts';

let server: TestServer;
let admin: Awaited<ReturnType<TestServer['admin']>>;
let sessionId: string;
let cards: { kind: 'card-number'; value: string }[];

type Kiosk = Awaited<ReturnType<TestServer['signingKiosk']>>;

beforeAll(async () => {
  server = await startServer();
  admin = await server.admin();
  const kiosk = await server.demoKiosk();
  const pulled = await kiosk.client.sync.pull.query({ cursor: null });
  sessionId = pulled.sessions[0]!.id;
  cards = pulled.people.slice(0, 40).map((p) => ({ kind: 'card-number' as const, value: p.cmeNumber! }));
});
afterAll(() => server.close());

/** A new kiosk of the demo unit, assigned to the demo session, paired with a signing key. */
async function newKiosk(name: string): Promise<Kiosk> {
  const created = await admin.devices.create.mutate({ name });
  await admin.devices.assignSession.mutate({ deviceId: created.id, sessionId });
  return server.signingKiosk(created.pairingCode);
}

function unsignedTaps(kiosk: { deviceId: string }, count: number, offset = 0): Tap[] {
  return makeTaps({ deviceId: kiosk.deviceId, sessionId, cards: cards.slice(offset, offset + count) });
}

async function flagsOf(taps: readonly Tap[]): Promise<Record<string, string[]>> {
  const rows = await server.db
    .selectFrom('taps')
    .select(['tap_id', 'flag_reasons'])
    .where(
      'tap_id',
      'in',
      taps.map((t) => t.tapId),
    )
    .execute();
  return Object.fromEntries(rows.filter((r) => r.flag_reasons).map((r) => [r.tap_id, r.flag_reasons!.split(',')]));
}

async function chainsOf(deviceId: string) {
  return (await admin.devices.list.query()).find((d) => d.id === deviceId)!.chains;
}

const hashOf = async (tap: Tap) => sha256Hex(canonicalTapBytes(await chainedFields(tap, tap.chain!)));

describe('the tap chain through sync.push', () => {
  it('taps pushed in a shuffled order and uneven batches make one complete chain', async () => {
    const kiosk = await newKiosk('东门');
    const taps = await kiosk.sign(unsignedTaps(kiosk, 30));
    const shuffled = [...taps].sort((a, b) => ((a.seq * 7919) % 31) - ((b.seq * 7919) % 31));
    for (const size of [1, 7, 3, 12, 7]) {
      const batch = shuffled.splice(0, size);
      expect((await kiosk.client.sync.push.mutate({ taps: batch })).results.every((r) => r.status === 'stored')).toBe(true);
    }
    expect(await flagsOf(taps)).toEqual({});
    expect(await chainsOf(kiosk.deviceId)).toMatchObject([{ completeThrough: 30, lastSeq: 30, tapCount: 30, gaps: [], breaks: [], endedAt: null }]);
  });

  it('a deleted tap is a gap of the chain, no tap flagged; the chain is whole again once it comes', async () => {
    const kiosk = await newKiosk('西门');
    const taps = await kiosk.sign(unsignedTaps(kiosk, 10));
    const missing = taps.splice(4, 1);
    await kiosk.client.sync.push.mutate({ taps });
    expect(await flagsOf(taps)).toEqual({});
    expect(await chainsOf(kiosk.deviceId)).toMatchObject([{ completeThrough: 4, lastSeq: 10, gaps: [{ from: 5, to: 5 }], breaks: [] }]);
    await kiosk.client.sync.push.mutate({ taps: missing });
    expect(await chainsOf(kiosk.deviceId)).toMatchObject([{ completeThrough: 10, gaps: [], breaks: [] }]);
  });

  it('an edited tap fails its signature alone, is stored flagged and counts for nothing', async () => {
    const kiosk = await newKiosk('南门');
    const taps = await kiosk.sign(unsignedTaps(kiosk, 5, 10));
    taps[2] = { ...taps[2]!, wallTime: '2026-11-22T00:59:00.000Z' };
    await kiosk.client.sync.push.mutate({ taps: [taps[4]!, taps[3]!] });
    await kiosk.client.sync.push.mutate({ taps: taps.slice(0, 3) });
    expect(await flagsOf(taps)).toEqual({ [taps[2].tapId]: ['chain-bad-signature'] });
    const stored = await server.db.selectFrom('taps').select('status').where('tap_id', '=', taps[2].tapId).executeTakeFirstOrThrow();
    expect(stored.status).toBe('flagged');
    expect(await chainsOf(kiosk.deviceId)).toMatchObject([{ completeThrough: 2, lastSeq: 5, gaps: [], breaks: [{ seq: 3, reason: 'chain-bad-signature' }] }]);
  });

  it('a fork flags both taps of the seq, whichever came first; their successor stays clean', async () => {
    const kiosk = await newKiosk('北门');
    const taps = await kiosk.sign(unsignedTaps(kiosk, 4, 15));
    await kiosk.client.sync.push.mutate({ taps });
    // The kiosk's key signs a second tap 3 (an outbox restored from a copy, say).
    const [other] = unsignedTaps(kiosk, 1, 20);
    const forked = { ...other!, seq: 3 };
    const { link } = await signChainedTap(kiosk.privateKey, forked, { chainId: kiosk.chainId, prevHash: await hashOf(taps[1]!) });
    await kiosk.client.sync.push.mutate({ taps: [{ ...forked, chain: link }] });
    expect(await flagsOf([...taps, forked])).toEqual({ [taps[2]!.tapId]: ['chain-fork'], [forked.tapId]: ['chain-fork'] });
    expect(await chainsOf(kiosk.deviceId)).toMatchObject([{ completeThrough: 2, breaks: [{ seq: 3, reason: 'chain-fork' }] }]);
  });

  it('a tap replayed through another kiosk names a chain not of that kiosk, or fails its key', async () => {
    const a = await newKiosk('一号机');
    const b = await newKiosk('二号机');
    const [tap] = await a.sign(unsignedTaps(a, 1, 25));
    const replayed = { ...tap!, tapId: unsignedTaps(a, 1)[0]!.tapId };
    const disguised = { ...tap!, tapId: unsignedTaps(a, 1)[0]!.tapId, deviceId: b.deviceId, chain: { ...tap!.chain!, id: b.chainId } };
    await b.client.sync.push.mutate({ taps: [replayed, disguised] });
    expect(await flagsOf([replayed, disguised])).toEqual({
      [replayed.tapId]: ['device-mismatch', 'chain-unknown'],
      [disguised.tapId]: ['chain-bad-signature'],
    });
  });

  it('an unsigned tap from a kiosk that has a chain is flagged', async () => {
    const kiosk = await newKiosk('三号机');
    const taps = unsignedTaps(kiosk, 1, 26);
    await kiosk.client.sync.push.mutate({ taps });
    expect(await flagsOf(taps)).toEqual({ [taps[0]!.tapId]: ['unsigned'] });
    expect((await admin.devices.list.query()).find((d) => d.id === kiosk.deviceId)!.unverifiedTaps).toBe(1);
  });

  it('re-pairing starts a new chain from seq 1 and ends the old one "re-paired"; the old outbox still verifies', async () => {
    const kiosk = await newKiosk('四号机');
    const old = await kiosk.sign(unsignedTaps(kiosk, 3, 27));
    await kiosk.client.sync.push.mutate({ taps: old.slice(0, 2) });
    const { pairingCode } = await admin.devices.repair.mutate({ deviceId: kiosk.deviceId });
    const again = await server.signingKiosk(pairingCode);
    const fresh = await again.sign(unsignedTaps(again, 2, 30));
    await again.client.sync.push.mutate({ taps: [...fresh, old[2]!] });
    expect(await flagsOf([...old, ...fresh])).toEqual({});
    const chains = await chainsOf(kiosk.deviceId);
    expect(chains).toMatchObject([
      { endedAt: null, completeThrough: 2 },
      { endReason: 're-paired', completeThrough: 3 },
    ]);
  });

  it('the export of a device checks offline to the state the device list shows', async () => {
    const kiosk = await newKiosk('五号机');
    const taps = await kiosk.sign(unsignedTaps(kiosk, 6, 32));
    await kiosk.client.sync.push.mutate({ taps: taps.filter((t) => t.seq !== 4) });
    const { res, bytes } = await server.download(`/api/files/devices/${kiosk.deviceId}/taps.json`, await server.login(DEMO_ADMIN));
    if (res.status !== 200) throw new Error(`export answered ${res.status}`);
    const exported = TapExport.parse(JSON.parse(bytes.toString('utf8')));
    expect(JSON.stringify(exported)).not.toContain(cards[32]!.value);
    const report = await verifyTapExport(exported);
    expect(report.chains.map((c) => c.state)).toEqual([{ completeThrough: 3, lastSeq: 6, gaps: [{ from: 4, to: 4 }], breaks: [] }]);
  });
});
