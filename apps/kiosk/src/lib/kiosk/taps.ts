import {
  type AttendanceResult,
  type CardStanding,
  type Credential,
  decideTap,
  evaluateAttendance,
  newId,
  cardRosterKey,
  rosterKey,
  sealIdNumber,
  signChainedTap,
  type TapDecision,
  tapDirectionOf,
} from '@opencme/core';
import { doorRoster, findInStore } from './door-roster.ts';
import { type KioskDb, kioskKeys, type LocalPerson, type LocalTap, readMeta, readMetaOr, writeMeta } from './db.ts';

/** What the door shows for a tap. */
export interface TapOutcome {
  tap: LocalTap;
  person: LocalPerson | null;
  /** The person's door thumbnail (JPEG bytes), once the kiosk has fetched it; older rosters carry `person.photo` instead. */
  photo: Uint8Array<ArrayBuffer> | null;
  /** Decided by core's rules from this door's taps and the other doors' it heard of; the server decides again from every door's. */
  decision: TapDecision;
  /** At a sign-out: whether this door's taps earn credit (provisional: the server decides). */
  provisional: AttendanceResult | null;
}

/** Identifies this page load: monotonic times are only comparable within one. */
export const BOOT_ID = newId();

/**
 * An ID card read before the kiosk's first sync since pairing (or since the update that brought
 * keys): with nothing to seal the number to, the tap cannot be kept without keeping the number.
 */
export class NoKeysYet extends Error {
  constructor() {
    super('kiosk has no keys yet');
  }
}

async function lastSeq(db: KioskDb): Promise<number> {
  return (await db.taps.orderBy('seq').last())?.seq ?? 0;
}

/**
 * Records a tap, first and only, in the local outbox: the result is shown from the local roster
 * and the local taps at once, whether or not the server can be reached. Every tap is recorded,
 * even one that counts for nothing (a repeat, an unknown card, outside the window): it is a fact.
 */
export async function recordTap(
  db: KioskDb,
  input: {
    deviceId: string;
    sessionId: string;
    credential: Credential;
    source: LocalTap['source'];
    now?: Date;
    /**
     * Called with the person's thumbnail as soon as it is read, before the tap is stored: the page
     * decodes it meanwhile, and shows it (with the rest) only once the tap is stored.
     */
    onPhoto?: (photo: Uint8Array<ArrayBuffer>) => void;
  },
): Promise<TapOutcome> {
  const now = input.now ?? new Date();
  // A card number or an IC card needs no key: the door's path then reads nothing before the lookup.
  let credential = input.credential;
  let key: string | null;
  if (credential.kind === 'id-card') {
    const keys = await kioskKeys(db);
    key = await rosterKey(credential, keys.rosterKey);
    // The outbox may wait days for the network on a tablet anyone can pick up: an ID card's tap
    // keeps the number only sealed to the server, which alone can open it.
    if (!keys.sealingKey) throw new NoKeysYet();
    credential = { kind: 'id-card', value: await sealIdNumber(keys.sealingKey, credential.value) };
  } else key = cardRosterKey({ kind: credential.kind, value: credential.value });
  return oneAtATime(db, () => recordInChain(db, input, now, key, credential));
}

/**
 * Taps are chained in the order they are recorded: each names the one before, so two taps in
 * quick succession must not both take the same head. Signing is WebCrypto's (its own promise, which
 * an IndexedDB transaction does not outlive), so the steps of one tap run apart from any other's.
 */
const queues = new WeakMap<KioskDb, Promise<unknown>>();
function oneAtATime<T>(db: KioskDb, work: () => Promise<T>): Promise<T> {
  const run = (queues.get(db) ?? Promise.resolve()).then(work, work);
  queues.set(
    db,
    run.catch(() => undefined),
  );
  return run;
}

async function recordInChain(
  db: KioskDb,
  input: { deviceId: string; sessionId: string; source: LocalTap['source']; onPhoto?: (photo: Uint8Array<ArrayBuffer>) => void },
  now: Date,
  key: string | null,
  credential: Credential,
): Promise<TapOutcome> {
  // The holder from the door's roster in memory (loaded once; read from IndexedDB's index until then).
  const lookupStart = performance.now();
  const roster = doorRoster(db);
  // A load that fails leaves the map unloaded: the door goes on through the index, and the next tap tries again.
  roster.load().catch((error: unknown) => console.warn('[opencme] door roster not loaded', error));
  const inMemory = key === null ? undefined : roster.find(key);
  const holder = inMemory === null ? await findInStore(db, key!) : inMemory;
  const person = holder?.person ?? null;
  // Read-only, one round of requests asked together: the lookup waits for no other reader (the
  // sync's pulls, the photo fetch), and the chain's head cannot move under it, taps being recorded
  // one at a time (`oneAtATime`).
  const decided = await db.transaction('r', [db.meta, db.taps, db.peerTaps, db.sessions, db.photos], async () => {
    const [session, chain, photo, earlier, peers] = await Promise.all([
      db.sessions.get(input.sessionId),
      readMeta(db, 'chain').then((c) => c ?? null),
      person?.photoHash ? db.photos.get(person.photoHash).then((p) => p?.jpeg ?? null) : null,
      person ? db.taps.where('[sessionId+personId]').equals([input.sessionId, person.id]).toArray() : [],
      person ? db.peerTaps.where('[sessionId+personId]').equals([input.sessionId, person.id]).toArray() : [],
    ]);
    if (!session) throw new Error(`session ${input.sessionId} is not on this kiosk`);
    const wallTime = now.toISOString();
    const card: CardStanding = !person ? 'unknown' : holder?.lost ? 'denied' : 'active';
    // Only taps that counted are earlier sign-ins or sign-outs; a deny-listed tap is not. The other
    // doors' taps (the server sends only those that counted) come in as well, as far as this door
    // has heard of them: someone who came in at the east door is signed out at the west door.
    const counted = [...earlier.filter((t) => t.direction !== 'none').map((t) => ({ at: t.wallTime })), ...peers.map((t) => ({ at: t.at }))];
    const rules = session.rules ? { rules: session.rules } : {};
    const decision = decideTap({ card, earlier: counted, at: wallTime, window: session, ...rules });
    const provisional = decision.kind === 'sign-out' ? evaluateAttendance({ taps: [...counted, { at: wallTime }], window: session, ...rules }) : null;
    // A chain numbers its own taps from 1. Without one (paired before chains), a damaged counter
    // goes on from the outbox's last tap: numbers are never given twice.
    const seq = chain ? chain.seq + 1 : (await readMetaOr(db, 'seq', null).then((n) => n ?? lastSeq(db))) + 1;
    const tap: LocalTap = {
      tapId: newId(),
      deviceId: input.deviceId,
      seq,
      sessionId: input.sessionId,
      credential,
      personId: person?.id ?? null,
      wallTime,
      // Whole milliseconds: the chain's encoding writes integers only (fractions differ between languages).
      monoTime: Math.round(performance.now()),
      bootId: BOOT_ID,
      source: input.source,
      direction: tapDirectionOf(decision),
      synced: 0,
      serverStatus: null,
      recordedAt: now.getTime(),
    };
    return { tap, person, photo, decision, provisional, chain };
  });
  // The parts of tap to screen, as user timings for the bench and devtools.
  performance.measure('opencme:tap-lookup', { start: lookupStart });
  if (decided.photo) input.onPhoto?.(decided.photo);
  const storeStart = performance.now();
  const { chain, ...outcome } = decided;
  let head = chain;
  if (chain) {
    const signed = await signChainedTap(chain.privateKey, outcome.tap, { chainId: chain.chainId, prevHash: chain.head });
    outcome.tap.chain = signed.link;
    head = { ...chain, seq: outcome.tap.seq, head: signed.hash };
  }
  // The tap and the counters in one transaction, their requests asked together (one round to the storage process).
  await db.transaction('rw', [db.meta, db.taps], () =>
    Promise.all([db.taps.add(outcome.tap), writeMeta(db, 'seq', outcome.tap.seq), head ? writeMeta(db, 'chain', head) : null]),
  );
  performance.measure('opencme:tap-store', { start: storeStart });
  return outcome;
}

/**
 * How long the kiosk keeps a tap the server has answered for: a month of doors to look back on,
 * and then the tablet need not carry it (IndexedDB would otherwise grow for as long as the kiosk lives).
 */
export const KEEP_SYNCED_TAPS_MS = 30 * 24 * 3_600_000;

/**
 * Deletes the taps the server has answered for that were recorded more than `keepMs` ago, except
 * those of a session the kiosk still holds (the door decides sign-in or sign-out from them). A tap
 * the server has not answered for is never deleted, however old. No index on the recording time
 * is needed: sequence numbers grow with it, so the walk along `[synced+seq]` stops at the first
 * answered tap that is recent enough (a tablet clock set back only makes it stop early, keeping more).
 */
export async function pruneSyncedTaps(db: KioskDb, options: { now: number; keepMs?: number }): Promise<number> {
  const cutoff = options.now - (options.keepMs ?? KEEP_SYNCED_TAPS_MS);
  return db.transaction('rw', [db.taps, db.sessions], async () => {
    const held = new Set(await db.sessions.toCollection().primaryKeys());
    const old = await db.taps
      .where('[synced+seq]')
      .between([1, -Infinity], [1, Infinity])
      .until((t) => t.recordedAt > cutoff)
      .filter((t) => t.synced === 1 && t.recordedAt <= cutoff && !held.has(t.sessionId))
      .primaryKeys();
    await db.taps.bulkDelete(old);
    return old.length;
  });
}
