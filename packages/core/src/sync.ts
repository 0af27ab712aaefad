// The sync protocol between a kiosk (刷卡设备) and the server. Both sides parse every message
// with these schemas; the server implements `sync.push` / `sync.pull`, the kiosk calls them.
import { z } from 'zod';
import type { AttendanceRules } from './attendance.ts';
import { TapChainLink } from './tap-chain.ts';

export const AttendanceRulesSchema = z.object({
  minSignOutGapMs: z.number().int().nonnegative(),
  opensMinutesBefore: z.number().int().nonnegative(),
  closesMinutesAfter: z.number().int().nonnegative(),
  lateSignInMinutes: z.number().int().nonnegative(),
  earlySignOutMinutes: z.number().int().nonnegative(),
  minPresence: z.union([z.object({ minutes: z.number().nonnegative() }), z.object({ percent: z.number().min(0).max(100) })]),
}) satisfies z.ZodType<AttendanceRules>;

/** How a person was identified at the door. */
export const CredentialKind = z.enum([
  'id-card', // resident ID card (居民身份证) read by a GA/T 467 reader: the ID number
  'ic-card', // CME IC card (继教IC卡): the chip UID in canonical upper-case hex
  'card-number', // the CME card number (继教卡号) typed by the operator (手工录入)
]);
export type CredentialKind = z.infer<typeof CredentialKind>;

export const Credential = z.object({
  kind: CredentialKind,
  /**
   * For an ID card, kiosks send the number sealed to the server (`sealIdNumber`, `sealed-id:v1:…`)
   * and never in clear; the unkeyed digest (`id-card#…`) of older outboxes and a number in clear
   * from kiosks older still are accepted and never stored as they came.
   */
  value: z.string().min(1).max(200),
});
export type Credential = z.infer<typeof Credential>;

/**
 * A tap (刷卡记录): one card presented at one kiosk, a fact recorded at the moment it happened.
 * `tapId` is a UUIDv7 made at tap time, so the same tap pushed twice is recognised; `seq` counts
 * the device's taps so that gaps (lost taps) can be seen; `monoTime` is milliseconds on the
 * page's monotonic clock (`performance.now()`) within one `bootId`, which survives wall-clock jumps.
 */
export const Tap = z.object({
  tapId: z.uuid({ version: 'v7' }),
  deviceId: z.string().min(1).max(64),
  seq: z.number().int().positive(),
  sessionId: z.string().min(1).max(64),
  credential: Credential,
  /** The person the kiosk resolved from its roster, if any; the server resolves again. */
  personId: z.string().max(64).nullable(),
  wallTime: z.iso.datetime({ offset: true }),
  monoTime: z.number().nonnegative(),
  bootId: z.string().min(1).max(64),
  source: z.enum(['reader', 'manual']),
  /**
   * What the kiosk showed: sign-in (签到), sign-out (签退), already signed in (a repeat inside the
   * gap) or nothing counted (unknown or deny-listed card, outside the session's window). Advisory:
   * the server decides again from the taps of every door.
   */
  direction: z.enum(['in', 'out', 'repeat', 'none']),
  /**
   * The tap's place in its kiosk's signed chain (see tap-chain.ts); `seq` is then its number in the
   * chain. Absent from kiosks paired before chains: accepted from a device that registered no chain.
   */
  chain: TapChainLink.optional(),
});
export type Tap = z.infer<typeof Tap>;

/** The most taps one push may carry; a kiosk with a longer backlog sends several batches. */
export const MAX_PUSH_BATCH = 500;

/**
 * The device's clocks at the moment it sends a push. The server compares the wall time with its
 * own to estimate the device's clock offset, and the monotonic time with each tap's to place taps
 * of this boot even when the wall clock jumped. Optional so that older kiosks keep syncing.
 */
export const DeviceClock = z.object({
  wallTime: z.iso.datetime({ offset: true }),
  monoTime: z.number().nonnegative(),
  bootId: z.string().min(1).max(64),
});
export type DeviceClock = z.infer<typeof DeviceClock>;

export const SyncPushInput = z.object({
  taps: z.array(Tap).min(1).max(MAX_PUSH_BATCH),
  clock: DeviceClock.optional(),
});
export type SyncPushInput = z.infer<typeof SyncPushInput>;

/**
 * Why a stored tap needs a reviewer's eye. A flagged tap is stored, never thrown away. Reviewers
 * see these in the session's tap list; the kiosk is never told them (see `TapStatus`).
 */
export const FlagReason = z.enum([
  'unknown-session', // the session does not exist
  'session-not-assigned', // the session exists but this device was not assigned to it
  'project-not-held', // the session's project is not approved (a draft, under review, rejected)
  'unknown-credential', // no one the session may admit holds this card (no one at all, or another unit's staff)
  'denied-credential', // the card was reported lost (挂失)
  'device-mismatch', // the tap names another device than the token that pushed it
  'seq-reused', // another tap of this device already has this sequence number
  'implausible-time', // the tap is dated far from any moment a kiosk could have recorded it
  // The device's signed chain (tap-chain.ts): each its own reason, see `CHAIN_FLAGS`.
  'chain-bad-signature',
  'chain-fork',
  'chain-break',
  'chain-unknown',
  'unsigned', // an unchained tap from a device that registered a chain: anyone with its token could have made it
]);
export type FlagReason = z.infer<typeof FlagReason>;

/**
 * What the server did with each tap: stored it now, or had it already. Nothing more: whether a
 * card is known, whose it is or why a tap was flagged would let a kiosk's token probe the registry
 * (guess card numbers, read the answers), so the reply is the same for every card.
 */
export const TapStatus = z.object({ tapId: z.string(), status: z.enum(['stored', 'duplicate']) });
export type TapStatus = z.infer<typeof TapStatus>;

export const SyncPushResult = z.object({
  results: z.array(TapStatus),
  serverTime: z.iso.datetime(),
});
export type SyncPushResult = z.infer<typeof SyncPushResult>;

export const SyncPullInput = z.object({
  /** Opaque; `null` asks for everything. */
  cursor: z.string().max(64).nullable(),
  /** The id of the roster key the kiosk holds: until the server hears it, it sends the key again. */
  deviceKeyId: z.string().max(64).optional(),
  /**
   * How the kiosk takes photos. Absent (kiosks before issue 15): inline as data URLs, 1 000 people
   * a page. `hash`: each person names her thumbnail by content hash (`photoHash`) and the kiosk
   * fetches the bytes apart (GET /api/sync/photos), so a page is small and carries more people.
   */
  photos: z.enum(['inline', 'hash']).optional(),
});
export type SyncPullInput = z.infer<typeof SyncPullInput>;

/** A session (场次) of a CME project that this device is assigned to record. */
export const KioskSession = z.object({
  id: z.string(),
  projectId: z.string(),
  projectName: z.string(),
  title: z.string(),
  venue: z.string(),
  startsAt: z.iso.datetime({ offset: true }),
  endsAt: z.iso.datetime({ offset: true }),
  /** The rules the door applies (the province's settings); absent from older servers: defaults. */
  rules: AttendanceRulesSchema.optional(),
});
export type KioskSession = z.infer<typeof KioskSession>;

/**
 * What the kiosk keeps of a person: what the door shows (name, department, photo, card status)
 * and how to find them, nothing more: no ID number, not even masked.
 */
export const RosterPerson = z.object({
  id: z.string(),
  name: z.string(),
  cmeNumber: z.string().nullable(),
  department: z.string().nullable(),
  /** A small JPEG as a data URL, so that the face shows with no network; null when asked for `photos: 'hash'`. */
  photo: z.string().nullable(),
  /** The thumbnail's content hash (SHA-256 of the portrait, hex), sent when asked for `photos: 'hash'`. */
  photoHash: z.string().max(128).nullable().optional(),
  /** Each credential by its `rosterKey`: an ID card only as a digest under this kiosk's own key. */
  credentials: z.array(z.object({ key: z.string(), kind: CredentialKind, status: z.enum(['active', 'lost']) })),
});
export type RosterPerson = z.infer<typeof RosterPerson>;

export const SyncPullResult = z.object({
  cursor: z.string(),
  /** All sessions currently assigned to the device (a small list, sent whole each time). */
  sessions: z.array(KioskSession),
  /** People added or changed since the cursor. */
  people: z.array(RosterPerson),
  /**
   * People who left the roster since the cursor (离职 / 退休 / 死亡, or transferred to another
   * unit): the kiosk forgets them and their cards. Absent from older servers.
   */
  removed: z.array(z.string()).optional(),
  /** More changes wait: pull again with the new cursor. */
  hasMore: z.boolean(),
  serverTime: z.iso.datetime(),
  /**
   * This kiosk's roster key (32 bytes, base64url), made at pairing and replaced at each re-pairing;
   * sent until the kiosk pulls with its id. A kiosk given a key it does not hold drops its roster
   * and pulls it whole again: the ID-card digests of the old one no longer match.
   */
  deviceKey: z.object({ id: z.string(), key: z.string() }).optional(),
  /** The server's public key (P-256, raw, base64url) that ID-card taps are sealed to (`sealIdNumber`). */
  sealingKey: z.string(),
});
export type SyncPullResult = z.infer<typeof SyncPullResult>;

/**
 * Asks for the taps other doors of the same session recorded (`sync.sessionTaps`), so that a
 * person who came in at one door is signed out at another while both are online.
 */
export const SessionTapsInput = z.object({
  sessionId: z.string().min(1).max(64),
  /** Opaque; `null` asks from the session's first tap. */
  cursor: z.string().max(200).nullable(),
});
export type SessionTapsInput = z.infer<typeof SessionTapsInput>;

/**
 * A tap of another door, as much as the door's decision needs: who (the roster's id, which the
 * kiosk already holds) and when (on the server's clock). No card, no ID number, no device.
 */
export const PeerTap = z.object({ tapId: z.string().min(1).max(64), personId: z.string().min(1).max(64), at: z.iso.datetime({ offset: true }) });
export type PeerTap = z.infer<typeof PeerTap>;

export const SessionTapsResult = z.object({
  taps: z.array(PeerTap),
  /** Where the next call goes on from; null while the session has none. */
  cursor: z.string().max(200).nullable(),
  /** More wait: ask again with the new cursor. */
  hasMore: z.boolean(),
});
export type SessionTapsResult = z.infer<typeof SessionTapsResult>;

/**
 * Photos by content hash (issue 15): the kiosk asks for at most this many thumbnails at once
 * (POST /api/sync/photos, `{ hashes }`), in the background once the roster is in.
 */
export const MAX_PHOTOS_PER_REQUEST = 200;
export const RosterPhotosInput = z.object({
  hashes: z
    .array(z.string().regex(/^[0-9a-f]{64}$/))
    .min(1)
    .max(MAX_PHOTOS_PER_REQUEST),
});
export type RosterPhotosInput = z.infer<typeof RosterPhotosInput>;

/**
 * The reply: binary, one record per photo the kiosk may have (those it may not are left out): the
 * 32 bytes of the hash, the length as 4 bytes big-endian, then the JPEG. No base64, no JSON.
 */
export function encodePhotoBundle(photos: readonly { hash: string; bytes: Uint8Array }[]): Uint8Array {
  const out = new Uint8Array(photos.reduce((n, p) => n + 36 + p.bytes.length, 0));
  const view = new DataView(out.buffer);
  let at = 0;
  for (const p of photos) {
    for (let i = 0; i < 32; i++) out[at + i] = Number.parseInt(p.hash.slice(i * 2, i * 2 + 2), 16);
    view.setUint32(at + 32, p.bytes.length);
    out.set(p.bytes, at + 36);
    at += 36 + p.bytes.length;
  }
  return out;
}

export function decodePhotoBundle(bundle: Uint8Array): { hash: string; bytes: Uint8Array<ArrayBuffer> }[] {
  const view = new DataView(bundle.buffer, bundle.byteOffset, bundle.byteLength);
  const photos: { hash: string; bytes: Uint8Array<ArrayBuffer> }[] = [];
  let at = 0;
  while (at < bundle.length) {
    if (at + 36 > bundle.length) throw new Error('photo bundle cut short');
    const hash = Array.from(bundle.subarray(at, at + 32), (b) => b.toString(16).padStart(2, '0')).join('');
    const length = view.getUint32(at + 32);
    if (at + 36 + length > bundle.length) throw new Error('photo bundle cut short');
    photos.push({ hash, bytes: bundle.slice(at + 36, at + 36 + length) });
    at += 36 + length;
  }
  return photos;
}
