// The tamper-evident tap chain (刷卡记录链) of one kiosk pairing. At pairing the kiosk makes an
// ECDSA P-256 key whose private half never leaves it (WebCrypto, non-extractable) and registers
// the public half; every tap then carries its place in the chain (seq from 1), the SHA-256 of its
// predecessor's canonical encoding and a signature over its own. A tap deleted from the outbox
// leaves a gap, an edited one fails its signature, a tap of another kiosk fails this one's key:
// the server, and anyone holding an export (docs/tap-chain.md), can tell each apart.
//
// The same code runs in the kiosk (browser) and on the server (Node): WebCrypto only.
import { z } from 'zod';
import { base64UrlDecode, base64UrlEncode } from './proof.ts';

/** The first field of every canonical encoding: a later layout gets a new tag, never a silent change. */
export const TAP_CHAIN_ENCODING = 'opencme-tap/1';

const HEX_64 = /^[0-9a-f]{64}$/;

/** What a chained tap carries besides the tap itself. */
export const TapChainLink = z.object({
  /** The chain's id, given by the server at pairing: one chain per pairing of a device. */
  id: z.string().min(1).max(64),
  /** Hex SHA-256 of the previous tap's canonical encoding; null for the chain's first tap (seq 1). */
  prevHash: z.string().regex(HEX_64).nullable(),
  /** ECDSA P-256 / SHA-256 over the canonical encoding, IEEE P1363 (r‖s, 64 bytes), base64url. */
  signature: z.string().regex(/^[A-Za-z0-9_-]{86}$/),
});
export type TapChainLink = z.infer<typeof TapChainLink>;

/** The public half of a chain's key as the kiosk registers it and an export carries it. */
export const ChainPublicKey = z.object({
  kty: z.literal('EC'),
  crv: z.literal('P-256'),
  x: z.string().regex(/^[A-Za-z0-9_-]{43}$/),
  y: z.string().regex(/^[A-Za-z0-9_-]{43}$/),
});
export type ChainPublicKey = z.infer<typeof ChainPublicKey>;

/** The fields of a tap the encoding covers, with the credential's value only as its digest. */
export interface ChainedTapFields {
  chainId: string;
  seq: number;
  prevHash: string | null;
  tapId: string;
  deviceId: string;
  sessionId: string;
  credentialKind: string;
  /** Hex SHA-256 of the credential's value as the kiosk sent it (an ID card's is the sealed text). */
  credentialDigest: string;
  personId: string | null;
  wallTime: string;
  monoTime: number;
  bootId: string;
  source: string;
  direction: string;
}

/** A tap as the protocol carries it, enough to encode (see `Tap` in sync.ts). */
export interface ChainableTap {
  tapId: string;
  deviceId: string;
  seq: number;
  sessionId: string;
  credential: { kind: string; value: string };
  personId: string | null;
  wallTime: string;
  monoTime: number;
  bootId: string;
  source: string;
  direction: string;
}

// As credential-key.ts names it; not imported from there, which imports the sync schemas that import this file.
type WebCryptoKey = Awaited<ReturnType<typeof crypto.subtle.importKey>>;

const ECDSA = { name: 'ECDSA', namedCurve: 'P-256' } as const;
const SIGN = { name: 'ECDSA', hash: 'SHA-256' } as const;
const encoder = new TextEncoder();

export function toHex(bytes: Uint8Array): string {
  let out = '';
  for (const b of bytes) out += b.toString(16).padStart(2, '0');
  return out;
}

export async function sha256Hex(bytes: Uint8Array<ArrayBuffer>): Promise<string> {
  return toHex(new Uint8Array(await crypto.subtle.digest('SHA-256', bytes)));
}

/** The digest of a credential's value that the encoding covers in place of the value. */
export function credentialDigest(value: string): Promise<string> {
  return sha256Hex(encoder.encode(value));
}

/** Thrown for a tap the encoding cannot represent (e.g. a fractional monotonic time). */
export class TapEncodingError extends Error {
  constructor(why: string) {
    super(`tap cannot be encoded: ${why}`);
    this.name = 'TapEncodingError';
  }
}

function integerText(name: string, n: number): string {
  if (!Number.isSafeInteger(n) || n < 0) throw new TapEncodingError(`${name} must be a non-negative integer`);
  return String(n);
}

/**
 * The canonical encoding: the 15 fields below in this order, each as one byte 0x01, the length of
 * its UTF-8 bytes as a 4-byte big-endian unsigned integer, then those bytes; an absent value (null)
 * is the single byte 0x00. Numbers are written in decimal ASCII without sign, leading zeros or
 * fraction. Nothing else (no separators, no trailing bytes). See docs/tap-chain.md.
 */
export function canonicalTapBytes(t: ChainedTapFields): Uint8Array<ArrayBuffer> {
  const fields: (string | null)[] = [
    TAP_CHAIN_ENCODING,
    t.chainId,
    integerText('seq', t.seq),
    t.prevHash,
    t.tapId,
    t.deviceId,
    t.sessionId,
    t.credentialKind,
    t.credentialDigest,
    t.personId,
    t.wallTime,
    integerText('monoTime', t.monoTime),
    t.bootId,
    t.source,
    t.direction,
  ];
  const parts: Uint8Array[] = [];
  for (const field of fields) {
    if (field === null) {
      parts.push(Uint8Array.of(0));
      continue;
    }
    const bytes = encoder.encode(field);
    const head = new Uint8Array(5);
    head[0] = 1;
    new DataView(head.buffer).setUint32(1, bytes.length);
    parts.push(head, bytes);
  }
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** The fields a protocol tap with its link gives to the encoding. */
export async function chainedFields(tap: ChainableTap, link: { id: string; prevHash: string | null }): Promise<ChainedTapFields> {
  return {
    chainId: link.id,
    seq: tap.seq,
    prevHash: link.prevHash,
    tapId: tap.tapId,
    deviceId: tap.deviceId,
    sessionId: tap.sessionId,
    credentialKind: tap.credential.kind,
    credentialDigest: await credentialDigest(tap.credential.value),
    personId: tap.personId,
    wallTime: tap.wallTime,
    monoTime: tap.monoTime,
    bootId: tap.bootId,
    source: tap.source,
    direction: tap.direction,
  };
}

/** A new chain key: the private half cannot be exported, by the page or by anyone with devtools. */
export async function generateChainKey(): Promise<{ privateKey: WebCryptoKey; publicKey: ChainPublicKey }> {
  const pair = await crypto.subtle.generateKey(ECDSA, false, ['sign', 'verify']);
  const jwk = await crypto.subtle.exportKey('jwk', pair.publicKey);
  return { privateKey: pair.privateKey, publicKey: ChainPublicKey.parse({ kty: jwk.kty, crv: jwk.crv, x: jwk.x, y: jwk.y }) };
}

export function importChainPublicKey(jwk: ChainPublicKey): Promise<WebCryptoKey> {
  return crypto.subtle.importKey('jwk', { kty: 'EC', crv: 'P-256', x: jwk.x, y: jwk.y, ext: true }, ECDSA, false, ['verify']);
}

/** Signs the next tap of a chain; gives the link to send and the hash the following tap names. */
export async function signChainedTap(
  privateKey: WebCryptoKey,
  tap: ChainableTap,
  head: { chainId: string; prevHash: string | null },
): Promise<{ link: TapChainLink; hash: string }> {
  const bytes = canonicalTapBytes(await chainedFields(tap, { id: head.chainId, prevHash: head.prevHash }));
  const signature = new Uint8Array(await crypto.subtle.sign(SIGN, privateKey, bytes));
  return { link: { id: head.chainId, prevHash: head.prevHash, signature: base64UrlEncode(signature) }, hash: await sha256Hex(bytes) };
}

/** The hash of a tap's encoding when its signature verifies under the key, else null. */
export async function verifyChainedFields(publicKey: WebCryptoKey, fields: ChainedTapFields, signature: string): Promise<string | null> {
  let bytes: Uint8Array<ArrayBuffer>;
  try {
    bytes = canonicalTapBytes(fields);
  } catch (error) {
    if (error instanceof TapEncodingError) return null;
    throw error;
  }
  const sig = base64UrlDecode(signature);
  if (sig.length !== 64) return null;
  const ok = await crypto.subtle.verify(SIGN, publicKey, new Uint8Array(sig), bytes);
  return ok ? sha256Hex(bytes) : null;
}

/** The hash of a tap's encoding, whatever its signature; null for a tap the encoding cannot represent. */
export async function chainedTapHash(fields: ChainedTapFields): Promise<string | null> {
  try {
    return await sha256Hex(canonicalTapBytes(fields));
  } catch (error) {
    if (error instanceof TapEncodingError) return null;
    throw error;
  }
}

/** A tap of one chain as authentication sees it: its content hash, the hash it names, its own signature check on demand. */
export interface ChainCandidate {
  tapId: string;
  seq: number;
  prevHash: string | null;
  /** The hash of its encoding (`chainedTapHash`), null when it has none. */
  hash: string | null;
  /** Whether its own signature verifies under the chain's key: asked only when nothing after it vouches for it. */
  verify: () => Promise<boolean>;
}

/**
 * Which taps of one chain are authentic (由链尾签名担保): a tap is when its own signature verifies,
 * or when an authentic tap at the next seq names its hash as its predecessor's. Each hash covers
 * the one before, so one valid signature vouches for every tap it reaches through unbroken links,
 * and a signature is checked only where nothing after it vouches: on the last tap of each run (one
 * a push, for a kiosk's own taps), walking back only past taps whose signatures fail.
 * The server applies it to each push (and, as later pushes vouch for earlier taps, when it relinks
 * the chain) and `verifyChain` to a whole export: they agree.
 */
export async function authenticateChain(taps: readonly ChainCandidate[]): Promise<Set<string>> {
  const authentic = new Set<string>();
  // The hashes each seq's authentic taps name as their predecessor's.
  const named = new Map<number, Set<string>>();
  for (const t of [...taps].sort((a, b) => b.seq - a.seq)) {
    if (t.hash === null) continue;
    const ok = named.get(t.seq + 1)?.has(t.hash) === true || (await t.verify());
    if (!ok) continue;
    authentic.add(t.tapId);
    if (t.prevHash !== null) named.set(t.seq, (named.get(t.seq) ?? new Set()).add(t.prevHash));
  }
  return authentic;
}

/**
 * Why a tap breaks its chain, each its own reason:
 * - chain-bad-signature: not authentic: its signature does not verify under the chain's key and no
 *   authentic successor names its hash (an edited field, a tap of another kiosk, a forgery);
 * - chain-fork: another validly signed tap of the chain has the same seq and different content;
 * - chain-break: its predecessor (seq − 1) is there, validly signed, and is not the one it names
 *   (or it is the first and names one, or a later one naming none);
 * - chain-unknown: it names a chain this device never registered.
 * A missing seq (a deleted or never-sent tap) is no tap's fault: it is a gap of the chain.
 */
export const CHAIN_FLAGS = ['chain-bad-signature', 'chain-fork', 'chain-break', 'chain-unknown'] as const;
export type ChainFlag = (typeof CHAIN_FLAGS)[number];

/** A tap of a chain as the checks see it: its hash is null when it is not authentic (`authenticateChain`). */
export interface ChainMember {
  tapId: string;
  seq: number;
  prevHash: string | null;
  hash: string | null;
}

/**
 * The link flags of one validly signed tap, from the validly signed taps of its own seq and of the
 * seq before: the rules the server applies incrementally and `verifyChain` applies to a whole export.
 */
export function linkFlags(tap: ChainMember, sameSeq: readonly ChainMember[], before: readonly ChainMember[]): ChainFlag[] {
  if (tap.hash === null) return ['chain-bad-signature'];
  const flags: ChainFlag[] = [];
  if (sameSeq.some((o) => o.hash !== null && o.tapId !== tap.tapId && o.hash !== tap.hash)) flags.push('chain-fork');
  const preds = before.filter((o) => o.hash !== null);
  if (tap.seq === 1 ? tap.prevHash !== null : tap.prevHash === null || (preds.length > 0 && !preds.some((p) => p.hash === tap.prevHash))) {
    flags.push('chain-break');
  }
  return flags;
}

/** A chain's state: complete from seq 1 through `completeThrough`, what is missing, what breaks it. */
export interface ChainState {
  completeThrough: number;
  lastSeq: number;
  /** Runs of seqs no tap was received for, up to the last seq received. */
  gaps: { from: number; to: number }[];
  /** Taps that break the chain, by seq, each reason once. */
  breaks: { seq: number; reason: ChainFlag }[];
}

/** The state of a chain from each received tap's seq and chain flags. */
export function chainState(members: readonly { seq: number; flags: readonly string[] }[]): ChainState {
  const bySeq = new Map<number, { flags: readonly string[] }[]>();
  for (const m of members) bySeq.set(m.seq, [...(bySeq.get(m.seq) ?? []), m]);
  const lastSeq = Math.max(0, ...bySeq.keys());
  let completeThrough = 0;
  while (completeThrough < lastSeq) {
    const at = bySeq.get(completeThrough + 1);
    if (!at || at.length !== 1 || at[0]!.flags.some(isChainFlag)) break;
    completeThrough += 1;
  }
  const gaps: ChainState['gaps'] = [];
  for (let s = 1; s <= lastSeq; s++) {
    if (bySeq.has(s)) continue;
    const last = gaps.at(-1);
    if (last && last.to === s - 1) last.to = s;
    else gaps.push({ from: s, to: s });
  }
  const breaks = new Map<string, { seq: number; reason: ChainFlag }>();
  for (const m of members) for (const f of m.flags) if (isChainFlag(f)) breaks.set(`${m.seq}|${f}`, { seq: m.seq, reason: f });
  return { completeThrough, lastSeq, gaps, breaks: [...breaks.values()].sort((a, b) => a.seq - b.seq || a.reason.localeCompare(b.reason)) };
}

export function isChainFlag(flag: string): flag is ChainFlag {
  return (CHAIN_FLAGS as readonly string[]).includes(flag);
}

/** A tap of an export: the fields the encoding covers, its link and nothing personal. */
export const ExportedTap = z.object({
  chainId: z.string(),
  seq: z.number().int().positive(),
  prevHash: z.string().nullable(),
  signature: z.string(),
  tapId: z.string(),
  deviceId: z.string(),
  sessionId: z.string(),
  credentialKind: z.string(),
  credentialDigest: z.string(),
  personId: z.string().nullable(),
  wallTime: z.string(),
  monoTime: z.number(),
  bootId: z.string(),
  source: z.string(),
  direction: z.string(),
});
export type ExportedTap = z.infer<typeof ExportedTap>;

/** `GET /api/files/devices/<id>/taps.json`: a device's chained taps with each chain's public key. */
export const TapExport = z.object({
  format: z.literal('opencme-tap-export/1'),
  deviceId: z.string(),
  exportedAt: z.string(),
  chains: z.array(
    z.object({ id: z.string(), publicKey: ChainPublicKey, startedAt: z.string(), endedAt: z.string().nullable(), endReason: z.string().nullable() }),
  ),
  taps: z.array(ExportedTap),
});
export type TapExport = z.infer<typeof TapExport>;

/** Checks every tap of one chain at once (an export, offline): each tap's flags and the chain's state. */
export async function verifyChain(publicKey: ChainPublicKey, taps: readonly ExportedTap[]): Promise<{ flags: Map<string, ChainFlag[]>; state: ChainState }> {
  const key = await importChainPublicKey(publicKey);
  const hashed = await Promise.all(taps.map(async (t) => ({ tap: t, hash: await chainedTapHash(t) })));
  const authentic = await authenticateChain(
    hashed.map(({ tap, hash }) => ({
      tapId: tap.tapId,
      seq: tap.seq,
      prevHash: tap.prevHash,
      hash,
      verify: async () => (await verifyChainedFields(key, tap, tap.signature)) !== null,
    })),
  );
  const members: ChainMember[] = hashed.map(({ tap, hash }) => ({
    tapId: tap.tapId,
    seq: tap.seq,
    prevHash: tap.prevHash,
    hash: authentic.has(tap.tapId) ? hash : null,
  }));
  const bySeq = new Map<number, ChainMember[]>();
  for (const m of members) bySeq.set(m.seq, [...(bySeq.get(m.seq) ?? []), m]);
  const flags = new Map(members.map((m) => [m.tapId, linkFlags(m, bySeq.get(m.seq) ?? [], bySeq.get(m.seq - 1) ?? [])]));
  return { flags, state: chainState(members.map((m) => ({ seq: m.seq, flags: flags.get(m.tapId)! }))) };
}

/** Verifies an export whole: per chain, its state and the flags of its taps. */
export async function verifyTapExport(exported: TapExport) {
  const chains = [];
  for (const chain of exported.chains) {
    const taps = exported.taps.filter((t) => t.chainId === chain.id);
    const { flags, state } = await verifyChain(chain.publicKey, taps);
    chains.push({ id: chain.id, endedAt: chain.endedAt, endReason: chain.endReason, tapCount: taps.length, state, flags });
  }
  const known = new Set(exported.chains.map((c) => c.id));
  return { chains, unknownChainTaps: exported.taps.filter((t) => !known.has(t.chainId)).map((t) => t.tapId) };
}
