// Each kiosk pairing's signed tap chain (刷卡记录链, core tap-chain.ts): registered at pairing,
// checked as taps arrive in any order and batch size, its state (complete through seq N, gaps,
// breaks) kept incrementally: a push looks at its own taps, their neighbours and what lies beyond
// the complete prefix, never at the whole chain again.
import {
  authenticateChain,
  type ChainedTapFields,
  chainedTapHash,
  type ChainFlag,
  type ChainMember,
  ChainPublicKey,
  chainState,
  chainedFields,
  type ExportedTap,
  importChainPublicKey,
  isChainFlag,
  linkFlags,
  newId,
  type Tap,
  type TapExport,
  verifyChainedFields,
  type WebCryptoKey,
} from '@opencme/core';
import type { DB } from '../db/connect.ts';

/** A chain's public key never changes: imported once per process. */
const keyCache = new Map<string, Promise<WebCryptoKey>>();
function chainKey(chainId: string, publicKey: string): Promise<WebCryptoKey> {
  let key = keyCache.get(chainId);
  if (!key) {
    key = importChainPublicKey(ChainPublicKey.parse(JSON.parse(publicKey)));
    keyCache.set(chainId, key);
  }
  return key;
}

/** Whether a JWK is a usable P-256 public key, before it is registered. */
export async function chainKeyIsUsable(jwk: ChainPublicKey): Promise<boolean> {
  try {
    await importChainPublicKey(jwk);
    return true;
  } catch {
    return false;
  }
}

/** A new pairing opens a new chain; the chain of the previous pairing, if any, ends ("re-paired"). */
export async function openChain(db: DB, deviceId: string, publicKey: ChainPublicKey, now: Date): Promise<string> {
  await endChains(db, deviceId, 're-paired', now);
  const id = newId();
  await db
    .insertInto('tap_chains')
    .values({ id, device_id: deviceId, public_key: JSON.stringify(publicKey), started_at: now.toISOString() })
    .execute();
  return id;
}

export async function endChains(db: DB, deviceId: string, reason: 're-paired' | 'revoked', now: Date): Promise<void> {
  await db
    .updateTable('tap_chains')
    .set({ ended_at: now.toISOString(), end_reason: reason })
    .where('device_id', '=', deviceId)
    .where('ended_at', 'is', null)
    .execute();
}

/** What the signature check found of one received tap, before it is stored. */
export interface ChainVerdict {
  chainId: string | null;
  prevHash: string | null;
  signature: string | null;
  /** Set when the signature verified under the chain's key. */
  hash: string | null;
  credentialDigest: string | null;
  flags: (ChainFlag | 'unsigned')[];
}

/**
 * Checks the received taps against the keys of this device's chains (outside the write
 * transaction: it is the costly part). Every chained tap's hash is computed (SHA-256, cheap); a
 * signature (ECDSA, ~0.5 ms) is checked only where no authentic tap of the push vouches for it
 * through the hash links (`authenticateChain`): the last tap of each unbroken run, so one a push
 * for a kiosk's own taps. An unchained tap is accepted as before from a device that registered no
 * chain (paired before chains); from one that did, it is 'unsigned': anyone with the token could
 * have made it.
 */
export async function checkSignatures(db: DB, deviceId: string, taps: readonly Tap[]): Promise<Map<string, ChainVerdict>> {
  const chains = new Map(
    (await db.selectFrom('tap_chains').select(['id', 'public_key']).where('device_id', '=', deviceId).execute()).map((c) => [c.id, c.public_key]),
  );
  // A tapId twice in one batch: the first is the one stored, so its verdict is the one kept.
  const byTap = new Map<string, ChainVerdict>();
  const signed = new Map<string, { tap: Tap; fields: ChainedTapFields; hash: string | null }[]>();
  const seen = new Set<string>();
  const firsts = taps.filter((tap) => !seen.has(tap.tapId) && seen.add(tap.tapId));
  for (const [tap, fields, hash] of await Promise.all(
    firsts.map(async (tap) => {
      if (!tap.chain) return [tap, null, null] as const;
      const fields = await chainedFields(tap, tap.chain);
      return [tap, fields, await chainedTapHash(fields)] as const;
    }),
  )) {
    const link = tap.chain;
    if (!link || !fields) {
      const flags: ChainVerdict['flags'] = chains.size > 0 ? ['unsigned'] : [];
      byTap.set(tap.tapId, { chainId: null, prevHash: null, signature: null, hash: null, credentialDigest: null, flags });
      continue;
    }
    const verdict: ChainVerdict = {
      chainId: link.id,
      prevHash: link.prevHash,
      signature: link.signature,
      hash: null,
      credentialDigest: fields.credentialDigest,
      flags: [],
    };
    byTap.set(tap.tapId, verdict);
    if (!chains.has(link.id)) verdict.flags.push('chain-unknown');
    else signed.set(link.id, [...(signed.get(link.id) ?? []), { tap, fields, hash }]);
  }
  for (const [chainId, members] of signed) {
    const key = await chainKey(chainId, chains.get(chainId)!);
    const authentic = await authenticateChain(
      members.map(({ tap, fields, hash }) => ({
        tapId: tap.tapId,
        seq: tap.seq,
        prevHash: tap.chain!.prevHash,
        hash,
        verify: async () => (await verifyChainedFields(key, fields, tap.chain!.signature)) !== null,
      })),
    );
    for (const { tap, hash } of members) {
      const verdict = byTap.get(tap.tapId)!;
      if (authentic.has(tap.tapId)) verdict.hash = hash;
      else verdict.flags.push('chain-bad-signature');
    }
  }
  return byTap;
}

const LINK_FLAGS = new Set<string>(['chain-fork', 'chain-break']);

/**
 * After a batch is stored: the link flags (fork, break) of its taps and of their neighbours (seq
 * ± 1), set or cleared so that the result does not depend on the order taps arrived in; then each
 * touched chain's complete prefix, count and last seq. Gives the people whose taps changed status.
 */
export async function relinkChains(
  db: DB,
  deviceId: string,
  stored: readonly { chainId: string; seq: number }[],
): Promise<{ sessionId: string; personId: string }[]> {
  const changed: { sessionId: string; personId: string }[] = [];
  const byChain = new Map<string, { seqs: Set<number>; count: number; last: number }>();
  for (const s of stored) {
    const c = byChain.get(s.chainId) ?? { seqs: new Set(), count: 0, last: 0 };
    c.seqs.add(s.seq).add(s.seq + 1);
    c.count += 1;
    c.last = Math.max(c.last, s.seq);
    byChain.set(s.chainId, c);
  }
  for (const [chainId, touched] of byChain) {
    const chain = await db.selectFrom('tap_chains').selectAll().where('id', '=', chainId).where('device_id', '=', deviceId).executeTakeFirst();
    if (!chain) continue;
    const rows: RelinkRow[] = [];
    const loaded = new Set<number>();
    const vouched = new Set<string>();
    // Loads the touched seqs and their predecessors; a tap stored unauthentic that an authentic
    // successor now vouches for is authentic (`authenticateChain`), and its own predecessor is looked at in turn.
    for (;;) {
      const wanted = [...new Set([...touched.seqs].flatMap((s) => [s, s - 1]))].filter((s) => !loaded.has(s));
      if (wanted.length === 0) break;
      for (const s of wanted) loaded.add(s);
      for (let i = 0; i < wanted.length; i += 500) {
        rows.push(
          ...(await db
            .selectFrom('taps')
            .select(['tap_id', 'seq', 'chain_prev_hash', 'chain_hash', 'flag_reasons', 'session_id', 'person_id'])
            .where('device_id', '=', deviceId)
            .where('chain_id', '=', chainId)
            .where('seq', 'in', wanted.slice(i, i + 500))
            .execute()),
        );
      }
      for (const r of await vouchedFor(db, deviceId, rows)) {
        vouched.add(r.tap_id);
        touched.seqs.add(r.seq);
      }
    }
    const bySeq = new Map<number, ChainMember[]>();
    for (const r of rows) bySeq.set(r.seq, [...(bySeq.get(r.seq) ?? []), { tapId: r.tap_id, seq: r.seq, prevHash: r.chain_prev_hash, hash: r.chain_hash }]);
    let lowestFlagged = Infinity;
    for (const r of rows) {
      if (!touched.seqs.has(r.seq)) continue;
      const reasons = r.flag_reasons?.split(',') ?? [];
      const link =
        r.chain_hash === null
          ? []
          : linkFlags({ tapId: r.tap_id, seq: r.seq, prevHash: r.chain_prev_hash, hash: r.chain_hash }, bySeq.get(r.seq) ?? [], bySeq.get(r.seq - 1) ?? []);
      const upgraded = vouched.has(r.tap_id);
      const kept = reasons.filter((f) => !LINK_FLAGS.has(f) && !(upgraded && f === 'chain-bad-signature'));
      const next = [...kept, ...link];
      if (next.some(isChainFlag)) lowestFlagged = Math.min(lowestFlagged, r.seq);
      if (!upgraded && next.join(',') === reasons.join(',')) continue;
      await db
        .updateTable('taps')
        .set({
          flag_reasons: next.length > 0 ? next.join(',') : null,
          status: next.length > 0 ? 'flagged' : 'accepted',
          ...(upgraded ? { chain_hash: r.chain_hash } : {}),
        })
        .where('tap_id', '=', r.tap_id)
        .execute();
      if (r.person_id) changed.push({ sessionId: r.session_id, personId: r.person_id });
    }
    const completeThrough = await advanceCompletePrefix(db, deviceId, chainId, Math.min(chain.complete_through, lowestFlagged - 1));
    await db
      .updateTable('tap_chains')
      .set({ complete_through: completeThrough, tap_count: chain.tap_count + touched.count, last_seq: Math.max(chain.last_seq, touched.last) })
      .where('id', '=', chainId)
      .execute();
  }
  return changed;
}

interface RelinkRow {
  tap_id: string;
  seq: number;
  chain_prev_hash: string | null;
  chain_hash: string | null;
  flag_reasons: string | null;
  session_id: string;
  person_id: string | null;
}

/**
 * The loaded taps stored unauthentic (a signature that failed, nothing after them then) whose hash
 * an authentic loaded successor names: authentic now, their hash set on the rows given. Rare (a
 * kiosk signs every tap well), so their encodings are read only here.
 */
async function vouchedFor(db: DB, deviceId: string, rows: RelinkRow[]): Promise<RelinkRow[]> {
  const vouched: RelinkRow[] = [];
  for (;;) {
    const named = new Set(rows.flatMap((r) => (r.chain_hash !== null && r.chain_prev_hash !== null ? [`${r.seq - 1}|${r.chain_prev_hash}`] : [])));
    const namedSeqs = new Set([...named].map((n) => Number(n.split('|')[0])));
    const candidates = rows.filter((r) => r.chain_hash === null && namedSeqs.has(r.seq) && r.flag_reasons?.split(',').includes('chain-bad-signature'));
    if (candidates.length === 0) return vouched;
    const encodings = new Map(
      (
        await chainedTapsOf(
          db,
          deviceId,
          candidates.map((r) => r.tap_id),
        )
      ).map((t) => [t.tapId, t]),
    );
    let found = false;
    for (const r of candidates) {
      const tap = encodings.get(r.tap_id);
      const hash = tap ? await chainedTapHash(tap) : null;
      if (hash === null || !named.has(`${r.seq}|${hash}`)) continue;
      r.chain_hash = hash;
      vouched.push(r);
      found = true;
    }
    if (!found) return vouched;
  }
}

/** From a complete prefix, as far as the taps beyond it (stragglers and the new batch) reach. */
async function advanceCompletePrefix(db: DB, deviceId: string, chainId: string, from: number): Promise<number> {
  let through = from;
  for (;;) {
    const page = await db
      .selectFrom('taps')
      .select(['seq', 'chain_hash', 'flag_reasons'])
      .where('device_id', '=', deviceId)
      .where('chain_id', '=', chainId)
      .where('seq', '>', through)
      .orderBy('seq')
      .limit(1001)
      .execute();
    const start = through;
    for (let i = 0; i < page.length; i++) {
      const r = page[i]!;
      const clean = r.seq === through + 1 && r.chain_hash !== null && !(r.flag_reasons?.split(',') ?? []).some(isChainFlag);
      const alone = page[i + 1]?.seq !== r.seq;
      if (!clean || !alone) return through;
      through = r.seq;
      if (i === 999) break;
    }
    if (page.length <= 1000 || through === start) return through;
  }
}

/** Each chain of the devices, newest first, with what the device list says of it. */
export async function chainSummaries(db: DB, deviceIds: readonly string[]) {
  if (deviceIds.length === 0) return new Map<string, ChainSummary[]>();
  const chains = await db
    .selectFrom('tap_chains')
    .selectAll()
    .where('device_id', 'in', deviceIds)
    .orderBy('started_at', 'desc')
    .orderBy('id', 'desc')
    .execute();
  const out = new Map<string, ChainSummary[]>();
  for (const c of chains) {
    // Past the complete prefix lie only stragglers, gaps and breaks: few, unless a chain is badly broken.
    const beyond = await db
      .selectFrom('taps')
      .select(['seq', 'flag_reasons'])
      .where('device_id', '=', c.device_id)
      .where('chain_id', '=', c.id)
      .where('seq', '>', c.complete_through)
      .execute();
    const state = chainState(beyond.map((r) => ({ seq: r.seq, flags: r.flag_reasons?.split(',') ?? [] })));
    const gaps = state.gaps.filter((g) => g.to > c.complete_through).map((g) => ({ from: Math.max(g.from, c.complete_through + 1), to: g.to }));
    out.set(c.device_id, [
      ...(out.get(c.device_id) ?? []),
      {
        startedAt: c.started_at,
        endedAt: c.ended_at,
        endReason: c.end_reason,
        completeThrough: c.complete_through,
        lastSeq: c.last_seq,
        tapCount: c.tap_count,
        gaps,
        breaks: state.breaks,
      },
    ]);
  }
  return out;
}

export interface ChainSummary {
  startedAt: string;
  endedAt: string | null;
  endReason: 're-paired' | 'revoked' | null;
  completeThrough: number;
  lastSeq: number;
  tapCount: number;
  gaps: { from: number; to: number }[];
  breaks: { seq: number; reason: ChainFlag }[];
}

/** The taps of a device that name no chain of its own or no chain at all though it has one: counted for the list. */
export async function unverifiedTapCounts(db: DB, deviceIds: readonly string[]): Promise<Map<string, number>> {
  if (deviceIds.length === 0) return new Map();
  const rows = await db
    .selectFrom('taps')
    .select(['device_id', db.fn.countAll<number>().as('n')])
    .where('device_id', 'in', deviceIds)
    .where((eb) => eb.or([eb('flag_reasons', 'like', '%chain-unknown%'), eb('flag_reasons', 'like', '%unsigned%')]))
    .groupBy('device_id')
    .execute();
  return new Map(rows.map((r) => [r.device_id, Number(r.n)]));
}

/** A device's chained taps with each chain's public key: what a third party needs to check them offline. */
/** A device's chained taps as an export carries them (all, or those of `tapIds`), by chain and seq. */
async function chainedTapsOf(db: DB, deviceId: string, tapIds?: readonly string[]): Promise<ExportedTap[]> {
  let query = db
    .selectFrom('taps')
    .select([
      'chain_id',
      'seq',
      'chain_prev_hash',
      'chain_signature',
      'tap_id',
      'claimed_device_id',
      'session_id',
      'credential_kind',
      'credential_digest',
      'kiosk_person_id',
      'wall_time',
      'mono_time',
      'boot_id',
      'source',
      'direction',
    ])
    .where('device_id', '=', deviceId)
    .where('chain_id', 'is not', null);
  if (tapIds) query = query.where('tap_id', 'in', tapIds);
  const rows = await query.orderBy('chain_id').orderBy('seq').orderBy('tap_id').execute();
  return rows.map((r) => ({
    chainId: r.chain_id!,
    seq: r.seq,
    prevHash: r.chain_prev_hash,
    signature: r.chain_signature ?? '',
    tapId: r.tap_id,
    deviceId: r.claimed_device_id,
    sessionId: r.session_id,
    credentialKind: r.credential_kind,
    credentialDigest: r.credential_digest ?? '',
    personId: r.kiosk_person_id,
    wallTime: r.wall_time,
    monoTime: r.mono_time,
    bootId: r.boot_id,
    source: r.source,
    direction: r.direction,
  }));
}

export async function exportDeviceTaps(db: DB, deviceId: string, now: Date): Promise<TapExport> {
  const chains = await db.selectFrom('tap_chains').selectAll().where('device_id', '=', deviceId).orderBy('started_at').orderBy('id').execute();
  const taps = await chainedTapsOf(db, deviceId);
  return {
    format: 'opencme-tap-export/1',
    deviceId,
    exportedAt: now.toISOString(),
    chains: chains.map((c) => ({
      id: c.id,
      publicKey: ChainPublicKey.parse(JSON.parse(c.public_key)),
      startedAt: c.started_at,
      endedAt: c.ended_at,
      endReason: c.end_reason,
    })),
    taps,
  };
}
