import { describe, expect, it } from 'vitest';
import {
  canonicalTapBytes,
  type ChainableTap,
  chainedFields,
  ChainPublicKey,
  type ExportedTap,
  generateChainKey,
  importChainPublicKey,
  sha256Hex,
  signChainedTap,
  toHex,
  verifyChain,
  verifyChainedFields,
  verifyTapExport,
} from './tap-chain.ts';
import vectors from './tap-chain.vectors.json' with { type: 'json' };

const ECDSA = { name: 'ECDSA', namedCurve: 'P-256' } as const;
const publicOf = (jwk: { x: string; y: string }): ChainPublicKey => ChainPublicKey.parse({ kty: 'EC', crv: 'P-256', x: jwk.x, y: jwk.y });
const privateOf = (jwk: JsonWebKey) => crypto.subtle.importKey('jwk', jwk, ECDSA, false, ['sign']);
const KEY_A = publicOf(vectors.deviceA);
const KEY_B = publicOf(vectors.deviceB);

function tapNo(seq: number, deviceId = 'device-a'): ChainableTap {
  return {
    tapId: `tap-${deviceId}-${seq}`,
    deviceId,
    seq,
    sessionId: 'session-1',
    credential: { kind: 'card-number', value: `34260000${String(seq).padStart(2, '0')}` },
    personId: null,
    wallTime: new Date(Date.UTC(2026, 10, 22, 1, 0, seq)).toISOString(),
    monoTime: seq * 1000,
    bootId: 'boot-1',
    source: 'reader',
    direction: 'in',
  };
}

/** A kiosk's chain of `count` taps, signed in order, as an export carries them. */
async function chainOf(jwk: JsonWebKey, chainId: string, count: number, deviceId = 'device-a'): Promise<ExportedTap[]> {
  const key = await privateOf(jwk);
  const out: ExportedTap[] = [];
  let prevHash: string | null = null;
  for (let seq = 1; seq <= count; seq++) {
    const tap = tapNo(seq, deviceId);
    const { link, hash } = await signChainedTap(key, tap, { chainId, prevHash });
    out.push({ ...(await chainedFields(tap, link)), signature: link.signature });
    prevHash = hash;
  }
  return out;
}

const flagsOf = (result: { flags: Map<string, string[]> }) => Object.fromEntries([...result.flags].filter(([, f]) => f.length > 0));

describe('the canonical encoding (vectors)', () => {
  it('gives the recorded bytes and hashes, and the recorded signatures verify', async () => {
    const key = await importChainPublicKey(KEY_A);
    for (const v of vectors.taps) {
      const fields = await chainedFields(v.tap, v.tap.chain);
      expect(toHex(canonicalTapBytes(fields))).toBe(v.canonicalHex);
      expect(await sha256Hex(canonicalTapBytes(fields))).toBe(v.hash);
      expect(await verifyChainedFields(key, fields, v.tap.chain.signature)).toBe(v.hash);
    }
    // Each tap names its predecessor's hash; the first names none.
    expect(vectors.taps.map((v) => v.tap.chain.prevHash)).toEqual([null, vectors.taps[0]!.hash, vectors.taps[1]!.hash]);
  });

  it('encodes an absent value apart from an empty one, and refuses a fractional monotonic time', async () => {
    const fields = await chainedFields(tapNo(1), { id: 'c', prevHash: null });
    expect(toHex(canonicalTapBytes({ ...fields, personId: null }))).not.toBe(toHex(canonicalTapBytes({ ...fields, personId: '' })));
    expect(() => canonicalTapBytes({ ...fields, monoTime: 1.5 })).toThrow(/monoTime/);
  });

  it('a recorded signature fails under another key', async () => {
    const v = vectors.taps[0]!;
    expect(await verifyChainedFields(await importChainPublicKey(KEY_B), await chainedFields(v.tap, v.tap.chain), v.tap.chain.signature)).toBeNull();
  });
});

describe('verifying a chain', () => {
  it('a whole chain: complete through its last tap, no flags', async () => {
    const result = await verifyChain(KEY_A, await chainOf(vectors.deviceA, 'c1', 5));
    expect(flagsOf(result)).toEqual({});
    expect(result.state).toEqual({ completeThrough: 5, lastSeq: 5, gaps: [], breaks: [] });
  });

  it('a deleted tap: a gap at its seq, no tap flagged', async () => {
    const taps = (await chainOf(vectors.deviceA, 'c1', 6)).filter((t) => t.seq !== 3);
    const result = await verifyChain(KEY_A, taps);
    expect(flagsOf(result)).toEqual({});
    expect(result.state).toEqual({ completeThrough: 2, lastSeq: 6, gaps: [{ from: 3, to: 3 }], breaks: [] });
  });

  it('a reordered batch: the same as in order', async () => {
    const taps = await chainOf(vectors.deviceA, 'c1', 6);
    const result = await verifyChain(KEY_A, [taps[4]!, taps[0]!, taps[5]!, taps[2]!, taps[1]!, taps[3]!]);
    expect(flagsOf(result)).toEqual({});
    expect(result.state.completeThrough).toBe(6);
  });

  it('an edited field: that tap alone fails its signature', async () => {
    const taps = await chainOf(vectors.deviceA, 'c1', 5);
    taps[2] = { ...taps[2]!, wallTime: '2026-11-22T00:59:00.000Z' };
    const result = await verifyChain(KEY_A, taps);
    expect(flagsOf(result)).toEqual({ 'tap-device-a-3': ['chain-bad-signature'] });
    expect(result.state).toEqual({ completeThrough: 2, lastSeq: 5, gaps: [], breaks: [{ seq: 3, reason: 'chain-bad-signature' }] });
  });

  it('a tap replayed from another device: its signature fails under this device key', async () => {
    const own = await chainOf(vectors.deviceA, 'c1', 3);
    const [foreign] = await chainOf(vectors.deviceB, 'c1', 1, 'device-b');
    const replayed = { ...foreign!, seq: 4, prevHash: await sha256Hex(canonicalTapBytes(own[2]!)) };
    const result = await verifyChain(KEY_A, [...own, replayed]);
    expect(flagsOf(result)).toEqual({ 'tap-device-b-1': ['chain-bad-signature'] });
    expect(result.state.completeThrough).toBe(3);
  });

  it('a fork: two signed taps at one seq are both flagged; their successor is not', async () => {
    const taps = await chainOf(vectors.deviceA, 'c1', 4);
    const key = await privateOf(vectors.deviceA);
    const other = { ...tapNo(3), tapId: 'tap-other-3', credential: { kind: 'card-number', value: '3426999999' } };
    const { link } = await signChainedTap(key, other, { chainId: 'c1', prevHash: taps[2]!.prevHash });
    const result = await verifyChain(KEY_A, [...taps, { ...(await chainedFields(other, link)), signature: link.signature }]);
    expect(flagsOf(result)).toEqual({ 'tap-device-a-3': ['chain-fork'], 'tap-other-3': ['chain-fork'] });
    expect(result.state.completeThrough).toBe(2);
  });

  it('a re-paired device: two chains, each complete; the old key does not sign into the new chain', async () => {
    const fresh = await generateChainKey();
    expect(fresh.privateKey.extractable).toBe(false);
    const first = await chainOf(vectors.deviceA, 'c1', 3);
    const second = await chainOf(vectors.deviceB, 'c2', 2);
    const [stray] = await chainOf(vectors.deviceA, 'c2', 3);
    const report = await verifyTapExport({
      format: 'opencme-tap-export/1',
      deviceId: 'device-a',
      exportedAt: '2026-11-22T02:00:00.000Z',
      chains: [
        { id: 'c1', publicKey: KEY_A, startedAt: '2026-11-21T00:00:00.000Z', endedAt: '2026-11-22T00:00:00.000Z', endReason: 're-paired' },
        { id: 'c2', publicKey: KEY_B, startedAt: '2026-11-22T00:00:00.000Z', endedAt: null, endReason: null },
      ],
      taps: [...first, ...second, { ...stray!, tapId: 'stray', seq: 3, prevHash: 'ab'.repeat(32) }],
    });
    expect(report.chains.map((c) => ({ id: c.id, endReason: c.endReason, state: c.state, flags: flagsOf(c) }))).toEqual([
      { id: 'c1', endReason: 're-paired', state: { completeThrough: 3, lastSeq: 3, gaps: [], breaks: [] }, flags: {} },
      {
        id: 'c2',
        endReason: null,
        state: { completeThrough: 2, lastSeq: 3, gaps: [], breaks: [{ seq: 3, reason: 'chain-bad-signature' }] },
        flags: { stray: ['chain-bad-signature'] },
      },
    ]);
  });

  it('a broken link: a signed tap naming another predecessor than the one received', async () => {
    const taps = await chainOf(vectors.deviceA, 'c1', 3);
    const key = await privateOf(vectors.deviceA);
    const { link } = await signChainedTap(key, tapNo(3), { chainId: 'c1', prevHash: 'cd'.repeat(32) });
    const result = await verifyChain(KEY_A, [taps[0]!, taps[1]!, { ...(await chainedFields(tapNo(3), link)), signature: link.signature }]);
    expect(flagsOf(result)).toEqual({ 'tap-device-a-3': ['chain-break'] });
  });
});
