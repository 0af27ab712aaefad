// The server checks one signature per unbroken run of a push (the run's last tap vouches for every
// tap its hash links reach) instead of one per tap. Against an attacker with a kiosk's token: an
// edited tap, edited links, a garbage signature, a tap slipped into another kiosk's chain, a push
// that ends mid-chain. Each case also checks that the offline checker (verifyTapExport, as
// scripts/verify-taps.ts runs it) judges the stored taps as the server did.
import { canonicalTapBytes, chainedFields, sha256Hex, type Tap, TapExport, verifyTapExport } from '@opencme/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_ADMIN } from '../../src/seed.ts';
import { type Client, makeTaps, startServer, type TestServer } from '../harness.ts';

let server: TestServer;
let admin: Client;
let sessionId: string;
let cards: { kind: 'card-number'; value: string }[];

type Kiosk = Awaited<ReturnType<TestServer['signingKiosk']>>;

beforeAll(async () => {
  server = await startServer();
  admin = await server.admin();
  const pulled = await (await server.demoKiosk()).client.sync.pull.query({ cursor: null });
  sessionId = pulled.sessions[0]!.id;
  cards = pulled.people.slice(0, 40).map((p) => ({ kind: 'card-number' as const, value: p.cmeNumber! }));
});
afterAll(() => server.close());

async function newKiosk(name: string): Promise<Kiosk> {
  const created = await admin.devices.create.mutate({ name });
  await admin.devices.assignSession.mutate({ deviceId: created.id, sessionId });
  return server.signingKiosk(created.pairingCode);
}

async function signed(kiosk: Kiosk, count: number, offset = 0): Promise<Tap[]> {
  return kiosk.sign(makeTaps({ deviceId: kiosk.deviceId, sessionId, cards: cards.slice(offset, offset + count) }));
}

const hashOf = async (tap: Tap) => sha256Hex(canonicalTapBytes(await chainedFields(tap, tap.chain!)));
/** A signature of the right shape that no key made. */
const GARBAGE = 'A'.repeat(86);

/** The flags the server stored for each tap (by seq), and those the offline checker finds in the device's export. */
async function judged(kiosk: Kiosk, taps: readonly Tap[]) {
  const rows = await server.db
    .selectFrom('taps')
    .select(['tap_id', 'flag_reasons', 'status'])
    .where(
      'tap_id',
      'in',
      taps.map((t) => t.tapId),
    )
    .execute();
  const byId = new Map(rows.map((r) => [r.tap_id, r]));
  const server_ = taps.map((t) => byId.get(t.tapId)?.flag_reasons ?? (byId.has(t.tapId) ? '' : 'not stored'));
  const { res, bytes } = await server.download(`/api/files/devices/${kiosk.deviceId}/taps.json`, await server.login(DEMO_ADMIN));
  if (res.status !== 200) throw new Error(`export answered ${res.status}`);
  const report = await verifyTapExport(TapExport.parse(JSON.parse(bytes.toString('utf8'))));
  const flags = report.chains.find((c) => c.id === kiosk.chainId)!.flags;
  const offline = taps.map((t) => (byId.has(t.tapId) ? (flags.get(t.tapId) ?? []).join(',') : 'not stored'));
  const state = report.chains.find((c) => c.id === kiosk.chainId)!.state;
  return { server: server_, offline, state, chain: (await admin.devices.list.query()).find((d) => d.id === kiosk.deviceId)!.chains[0]! };
}

async function attendanceOf(taps: readonly Tap[]) {
  const rows = await server.db
    .selectFrom('taps')
    .select('person_id')
    .where(
      'tap_id',
      'in',
      taps.map((t) => t.tapId),
    )
    .execute();
  const people = rows.flatMap((r) => (r.person_id ? [r.person_id] : []));
  if (people.length === 0) return [];
  return server.db.selectFrom('attendance').select(['person_id', 'status']).where('session_id', '=', sessionId).where('person_id', 'in', people).execute();
}

describe('one signature a run: what an attacker with the token can and cannot slip in', () => {
  it('an edited middle tap breaks its successor’s link: it alone is flagged, the rest of the run stays proven', async () => {
    const kiosk = await newKiosk('链一');
    const taps = await signed(kiosk, 6);
    taps[2] = { ...taps[2]!, credential: cards[30]! };
    await kiosk.client.sync.push.mutate({ taps });
    const seen = await judged(kiosk, taps);
    expect(seen.server).toEqual(['', '', 'chain-bad-signature', '', '', '']);
    expect(seen.offline).toEqual(seen.server);
    expect(seen.chain).toMatchObject({ completeThrough: 2, lastSeq: 6, breaks: [{ seq: 3, reason: 'chain-bad-signature' }] });
  });

  it('an edited tap with every later link rewritten to match: the run’s last signature fails, and no edited tap counts', async () => {
    const kiosk = await newKiosk('链二');
    const taps = await signed(kiosk, 5, 6);
    // The attacker edits tap 3 and rewrites the predecessor hash of 4 and 5 so the hashes all link again.
    taps[2] = { ...taps[2]!, wallTime: '2026-11-22T00:59:00.000Z' };
    for (let i = 3; i < taps.length; i++) taps[i] = { ...taps[i]!, chain: { ...taps[i]!.chain!, prevHash: await hashOf(taps[i - 1]!) } };
    await kiosk.client.sync.push.mutate({ taps });
    const seen = await judged(kiosk, taps);
    expect(seen.server).toEqual(['', '', 'chain-bad-signature', 'chain-bad-signature', 'chain-bad-signature']);
    expect(seen.offline).toEqual(seen.server);
    expect(seen.chain).toMatchObject({ completeThrough: 2, lastSeq: 5 });
  });

  it('a garbage signature on a middle tap is redundant: the last signature vouches for it, on the server and offline', async () => {
    const kiosk = await newKiosk('链三');
    const taps = await signed(kiosk, 5, 11);
    taps[2] = { ...taps[2]!, chain: { ...taps[2]!.chain!, signature: GARBAGE } };
    await kiosk.client.sync.push.mutate({ taps });
    const seen = await judged(kiosk, taps);
    expect(seen.server).toEqual(['', '', '', '', '']);
    expect(seen.offline).toEqual(seen.server);
    expect(seen.state).toMatchObject({ completeThrough: 5, breaks: [] });
    expect(seen.chain).toMatchObject({ completeThrough: 5, breaks: [] });
  });

  it('a run whose every signature is garbage: each tap stored flagged, and none makes attendance', async () => {
    const kiosk = await newKiosk('链四');
    const taps = (await signed(kiosk, 4, 16)).map((t) => ({ ...t, chain: { ...t.chain!, signature: GARBAGE } }));
    const { results } = await kiosk.client.sync.push.mutate({ taps });
    expect(results.map((r) => r.status)).toEqual(['stored', 'stored', 'stored', 'stored']);
    const seen = await judged(kiosk, taps);
    expect(seen.server).toEqual(Array(4).fill('chain-bad-signature'));
    expect(seen.offline).toEqual(seen.server);
    expect((await attendanceOf(taps)).filter((a) => a.status !== 'absent')).toEqual([]);
    expect(seen.chain).toMatchObject({ completeThrough: 0, lastSeq: 4 });
  });

  it('a push that ends mid-chain on a garbage signature: flagged until the next push’s authentic tap vouches for it, either order', async () => {
    for (const [name, order] of [
      ['链五', 'first'],
      ['链六', 'last'],
    ] as const) {
      const kiosk = await newKiosk(name);
      const taps = await signed(kiosk, 8, 20);
      taps[3] = { ...taps[3]!, chain: { ...taps[3]!.chain!, signature: GARBAGE } };
      taps[2] = { ...taps[2]!, chain: { ...taps[2]!.chain!, signature: GARBAGE } };
      const [head, tail] = [taps.slice(0, 4), taps.slice(4)];
      await kiosk.client.sync.push.mutate({ taps: order === 'first' ? head : tail });
      if (order === 'first') {
        const seen = await judged(kiosk, head);
        expect(seen.server).toEqual(['', '', 'chain-bad-signature', 'chain-bad-signature']);
        expect(seen.offline).toEqual(seen.server);
      }
      await kiosk.client.sync.push.mutate({ taps: order === 'first' ? tail : head });
      const seen = await judged(kiosk, taps);
      expect(seen.server).toEqual(Array(8).fill(''));
      expect(seen.offline).toEqual(seen.server);
      expect(seen.chain).toMatchObject({ completeThrough: 8, lastSeq: 8, breaks: [] });
    }
  });

  it("a tap of another kiosk slipped into this kiosk's chain, linked to its predecessor, is vouched for by nothing", async () => {
    const victim = await newKiosk('链七');
    const other = await newKiosk('链八');
    const taps = await signed(victim, 4, 28);
    const [theirs] = await signed(other, 1, 32);
    // Another kiosk's tap, re-addressed into the victim's chain at seq 3, naming tap 2's hash.
    const slipped: Tap = {
      ...theirs!,
      deviceId: victim.deviceId,
      seq: 3,
      chain: { id: victim.chainId, prevHash: await hashOf(taps[1]!), signature: theirs!.chain!.signature },
    };
    await victim.client.sync.push.mutate({ taps: [...taps.slice(0, 2), slipped, ...taps.slice(2)] });
    const seen = await judged(victim, [...taps, slipped]);
    expect(seen.server).toEqual(['', '', '', '', 'chain-bad-signature']);
    expect(seen.offline).toEqual(seen.server);
    // A second tap at seq 3, however unauthentic, leaves the chain not whole there, as it always did.
    expect(seen.chain).toMatchObject({ completeThrough: 2, lastSeq: 4 });
    expect(seen.state).toMatchObject({ completeThrough: 2, lastSeq: 4 });
  });

  it('a forged tap claiming to follow the last tap of a push is refused by its own signature; the real next push still links', async () => {
    const kiosk = await newKiosk('链九');
    const taps = await signed(kiosk, 6, 33);
    await kiosk.client.sync.push.mutate({ taps: taps.slice(0, 3) });
    const [forged] = makeTaps({ deviceId: kiosk.deviceId, sessionId, cards: [cards[37]!] });
    const fake: Tap = { ...forged!, seq: 4, chain: { id: kiosk.chainId, prevHash: await hashOf(taps[2]!), signature: GARBAGE } };
    await kiosk.client.sync.push.mutate({ taps: [fake] });
    await kiosk.client.sync.push.mutate({ taps: taps.slice(3) });
    const seen = await judged(kiosk, [...taps, fake]);
    // Signed by no key, it is no fork of the kiosk's own tap 4: that one links and is not marked for it.
    expect(seen.server).toEqual(['', '', '', '', '', '', 'chain-bad-signature']);
    expect(seen.offline).toEqual(seen.server);
    expect(seen.chain).toMatchObject({ completeThrough: 3, lastSeq: 6 });
    expect(seen.state).toMatchObject({ completeThrough: 3, lastSeq: 6 });
  });
});
