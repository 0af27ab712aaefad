// The sync loop: pushes the outbox to the server and pulls sessions and roster, retrying with
// backoff while the server cannot be reached. A tap leaves the outbox only when the server has
// answered for it, so a reload, a crash or a week offline loses nothing.
import {
  base64UrlDecode,
  decodePhotoBundle,
  importRosterKey,
  importSealingKey,
  MAX_PHOTOS_PER_REQUEST,
  MAX_PUSH_BATCH,
  type SessionTapsInput,
  SessionTapsResult,
  type SyncPullInput,
  SyncPullResult,
  type SyncPushInput,
  SyncPushResult,
} from '@opencme/core';
import { z } from 'zod';
import {
  type DeviceIdentity,
  forgetLegacyDigest,
  type KioskDb,
  type KioskKeys,
  kioskKeys,
  localPerson,
  readMeta,
  readMetaOr,
  whatIsWrong,
  writeMeta,
} from './db.ts';
import { doorRoster } from './door-roster.ts';
import { BOOT_ID, KEEP_SYNCED_TAPS_MS, pruneSyncedTaps } from './taps.ts';

/** What the server answers is parsed before the kiosk keeps any of it (see `MalformedReply`). */
export interface SyncTransport {
  push(input: SyncPushInput): Promise<unknown>;
  pull(input: SyncPullInput): Promise<unknown>;
  /** The taps other doors of a session recorded; absent where there is no server (tests). */
  sessionTaps?(input: SessionTapsInput): Promise<unknown>;
  /** Door thumbnails by content hash (POST /api/sync/photos): the reply's bytes. Absent where there is no server (tests). */
  photos?(hashes: string[]): Promise<Uint8Array>;
}

/** How often a kiosk that syncs clears out taps the server has answered for (they are kept a month). */
const PRUNE_EVERY_MS = 10 * 60_000;

/** Photo requests in flight at once: enough to keep the line busy, few enough to leave room for taps. */
const PHOTO_REQUESTS_AT_ONCE = 3;

/**
 * A server reply that is not the sync protocol (a server of another version, a proxy's page): the
 * kiosk keeps nothing of it, its roster and outbox stay as they were, and it tries again later.
 */
export class MalformedReply extends Error {
  readonly messageKey = 'kiosk.sync-reply-malformed';
  readonly params: { what: string; why: string };
  constructor(what: 'push' | 'pull' | 'sessionTaps', error: z.ZodError) {
    const why = whatIsWrong(error);
    super(`sync ${what} reply cannot be read: ${why}`);
    this.name = 'MalformedReply';
    this.params = { what, why };
  }
}

function parseReply<T>(schema: z.ZodType<T>, what: 'push' | 'pull' | 'sessionTaps', reply: unknown): T {
  const parsed = schema.safeParse(reply);
  if (!parsed.success) throw new MalformedReply(what, parsed.error);
  return parsed.data;
}

export interface SyncOptions {
  batchSize?: number;
  /** How often an idle kiosk checks in, in ms. */
  idleIntervalMs?: number;
  maxBackoffMs?: number;
  /** How long taps the server has answered for are kept on the tablet (default `KEEP_SYNCED_TAPS_MS`). */
  keepSyncedMs?: number;
}

export class SyncEngine {
  online = $state<boolean | null>(null);
  lastSyncAt = $state<number | null>(null);
  lastError = $state<unknown>(null);
  /** Set when the server refuses this device (revoked or unknown token): retrying cannot help. */
  refused = $state(false);

  readonly #db: KioskDb;
  readonly #transport: SyncTransport;
  readonly #batchSize: number;
  readonly #idleIntervalMs: number;
  readonly #maxBackoffMs: number;
  readonly #keepSyncedMs: number;
  #failures = 0;
  #timer: ReturnType<typeof setTimeout> | null = null;
  #running: Promise<void> | null = null;
  #again = false;
  #stopped = false;
  #photos: Promise<void> | null = null;
  #prunedAt = -Infinity;
  /** Photo hashes the pulls since the last photo fetch named; null: not looked yet since start (look at the whole roster once). */
  #namedPhotos: Set<string> | null = null;

  constructor(db: KioskDb, transport: SyncTransport, options: SyncOptions = {}) {
    this.#db = db;
    this.#transport = transport;
    this.#batchSize = Math.min(options.batchSize ?? 100, MAX_PUSH_BATCH);
    this.#idleIntervalMs = options.idleIntervalMs ?? 15_000;
    this.#maxBackoffMs = options.maxBackoffMs ?? 15_000;
    this.#keepSyncedMs = options.keepSyncedMs ?? KEEP_SYNCED_TAPS_MS;
  }

  async start(): Promise<void> {
    this.lastSyncAt = await readMetaOr(this.#db, 'lastSyncAt', null);
    if (typeof window !== 'undefined') window.addEventListener('online', this.#onOnline);
    this.kick();
  }

  stop(): void {
    this.#stopped = true;
    if (typeof window !== 'undefined') window.removeEventListener('online', this.#onOnline);
    if (this.#timer) clearTimeout(this.#timer);
  }

  #onOnline = () => {
    this.#failures = 0;
    this.kick();
  };

  /** Syncs now (after a tap, on reconnecting); a sync already running goes round once more. */
  kick(): void {
    if (this.#stopped) return;
    if (this.#running) {
      this.#again = true;
      return;
    }
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    this.#running = this.#runExclusive().finally(() => {
      this.#running = null;
      if (this.#again) {
        this.#again = false;
        this.kick();
      }
    });
  }

  /** Resolves once the sync that is running (if any) is over; for tests and for pairing. */
  async settled(): Promise<void> {
    while (this.#running) await this.#running;
  }

  /** Resolves once the photos being fetched in the background (if any) are in; for tests and benches. */
  async photosSettled(): Promise<void> {
    while (this.#photos) await this.#photos;
  }

  async #runExclusive(): Promise<void> {
    // Two tabs of the same kiosk would push the same taps twice; the server would only answer
    // "duplicate", but one sync at a time is cheaper and keeps the status bar honest.
    const run = () => this.#run();
    if (typeof navigator !== 'undefined' && navigator.locks) await navigator.locks.request('opencme-sync', run);
    else await run();
  }

  async #run(): Promise<void> {
    try {
      await this.#pushAll();
      await this.#pullAll();
      await this.#pullPeerTaps();
      this.#fetchPhotosInBackground();
      // After a whole sync: the server has just answered for what it holds, and the pull has just
      // said which sessions are still this kiosk's.
      // Not at every sync (one follows each tap): its write on the taps would hold up the door's next lookup.
      if (Date.now() - this.#prunedAt >= PRUNE_EVERY_MS) {
        await pruneSyncedTaps(this.#db, { now: Date.now(), keepMs: this.#keepSyncedMs });
        this.#prunedAt = Date.now();
      }
      this.#failures = 0;
      this.online = true;
      this.lastError = null;
      this.lastSyncAt = Date.now();
      await writeMeta(this.#db, 'lastSyncAt', this.lastSyncAt);
      this.#schedule(this.#idleIntervalMs);
    } catch (error) {
      this.lastError = error;
      console.warn('[opencme] sync failed', error);
      const code = (error as { data?: { code?: string } }).data?.code;
      if (code === 'UNAUTHORIZED') {
        this.refused = true;
        this.online = true;
        return;
      }
      this.online = false;
      this.#failures += 1;
      const backoff = Math.min(this.#maxBackoffMs, 1000 * 2 ** (this.#failures - 1));
      // Jitter keeps a room full of kiosks from hitting a recovering server in step.
      this.#schedule(backoff / 2 + Math.random() * (backoff / 2));
    }
  }

  #schedule(ms: number): void {
    if (this.#stopped) return;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = setTimeout(() => this.kick(), ms);
  }

  async #pushAll(): Promise<void> {
    for (;;) {
      const batch = await this.#db.taps.where('[synced+seq]').between([0, 0], [0, Infinity]).limit(this.#batchSize).toArray();
      if (batch.length === 0) return;
      const taps = batch.map(({ synced: _s, serverStatus: _st, recordedAt: _r, ...tap }) => tap);
      // The clocks at send let the server estimate this device's clock offset and spot jumps.
      const clock = { wallTime: new Date().toISOString(), monoTime: performance.now(), bootId: BOOT_ID };
      const { results } = parseReply(SyncPushResult, 'push', await this.#transport.push({ taps, clock }));
      // One read and one write for the whole batch: the door's next tap waits for this transaction
      // on the outbox, which a round trip per tap would hold for the length of the batch.
      await this.#db.transaction('rw', this.#db.taps, async () => {
        const answered = new Map(results.map((r) => [r.tapId, r.status]));
        const held = (await this.#db.taps.bulkGet([...answered.keys()])).filter((tap) => tap !== undefined);
        for (const tap of held) {
          tap.synced = 1;
          tap.serverStatus = answered.get(tap.tapId)!;
          forgetLegacyDigest(tap);
        }
        await this.#db.taps.bulkPut(held);
      });
    }
  }

  async #pullAll(): Promise<void> {
    const db = this.#db;
    const roster = doorRoster(db);
    // A damaged cursor only costs a whole roster again.
    let cursor = await readMetaOr(db, 'cursor', null);
    let held = await kioskKeys(db);
    const ask = (from: string | null, keys: KioskKeys) => {
      const reply = this.#transport.pull({ cursor: from, photos: 'hash', ...(keys.rosterKeyId ? { deviceKeyId: keys.rosterKeyId } : {}) });
      // Asked ahead: a failure is met when the page is awaited, not as an unhandled rejection.
      reply.catch(() => undefined);
      return reply;
    };
    // The door's map follows the pulls from here: loaded in the background (at once when the store
    // is empty, as before a first pull), while the door looks up through the index until it is in.
    void roster.load().catch((error: unknown) => console.warn('[opencme] door roster not loaded', error));
    let next: Promise<unknown> | null = ask(cursor, held);
    while (next) {
      // Where a pull's time goes, as user timings for the bench and devtools: waiting for the page, reading it, writing it.
      const waitStart = performance.now();
      const reply = await next;
      const parseStart = performance.now();
      performance.measure('opencme:pull-wait', { start: waitStart });
      const page: SyncPullResult = parseReply(SyncPullResult, 'pull', reply);
      performance.measure('opencme:pull-parse', { start: parseStart });
      const keys = await this.#newKeys(held, page);
      // A roster key the kiosk did not hold (its first pull after pairing, or after re-pairing):
      // ID cards in the roster are under the old key, which matches nothing any more. The whole
      // roster comes again; a page that was only a change since the old cursor is not enough.
      const rekeyed = keys.rosterKeyId !== held.rosterKeyId;
      if (rekeyed && cursor !== null) {
        await db.transaction('rw', [db.meta, db.people], async () => {
          await db.people.clear();
          await writeMeta(db, 'keys', keys);
          await db.meta.delete('cursor');
        });
        roster.cleared();
        cursor = null;
        held = keys;
        next = ask(null, keys);
        continue;
      }
      // The next page is asked for while this one is written: the server's work and the tablet's overlap.
      next = page.hasMore ? ask(page.cursor, keys) : null;
      const people = page.people.map(localPerson);
      const removed = page.removed ?? [];
      // An idle kiosk pulls every few seconds and after each tap, mostly to hear that nothing
      // changed: a write then would only hold up the door's lookups (they read the same stores).
      const byId = (a: { id: string }, b: { id: string }) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
      const sessionsChanged = JSON.stringify(page.sessions.toSorted(byId)) !== JSON.stringify(await db.sessions.orderBy('id').toArray());
      const nothingNew = !rekeyed && keys === held && !sessionsChanged && people.length === 0 && removed.length === 0 && page.cursor === cursor;
      if (!nothingNew) {
        const writeStart = performance.now();
        await db.transaction('rw', [db.meta, db.sessions, db.people, db.peerTaps], async () => {
          if (rekeyed) await db.people.clear();
          if (keys !== held) await writeMeta(db, 'keys', keys);
          if (sessionsChanged) {
            await db.sessions.clear();
            await db.sessions.bulkPut(page.sessions);
            // Other doors' taps of a session no longer this kiosk's are of no use to it.
            await db.peerTaps
              .where('sessionId')
              .noneOf(page.sessions.map((s) => s.id))
              .delete();
          }
          // One record per person, her cards in it, and one bulk operation for the whole page: a
          // changed person replaces her record (and her old cards with it), so nothing is read first.
          await Promise.all([db.people.bulkPut(people), removed.length ? db.people.bulkDelete(removed) : null, writeMeta(db, 'cursor', page.cursor)]);
        });
        performance.measure('opencme:pull-write', { start: writeStart });
        // The door's map follows what is committed, never ahead of it.
        if (rekeyed) roster.cleared();
        roster.changed(people, removed);
      }
      for (const p of people) if (p.photoHash) this.#namedPhotos?.add(p.photoHash);
      held = keys;
      cursor = page.cursor;
    }
  }

  /**
   * Fetches the door thumbnails the roster names and the kiosk lacks, a batch at a time, while the
   * door already works by name: a first pull of 200 000 people is usable long before its faces
   * are all in. One such fetch at a time; each sync starts one if none is running.
   */
  #fetchPhotosInBackground(): void {
    const fetchPhotos = this.#transport.photos?.bind(this.#transport);
    if (!fetchPhotos || this.#photos) return;
    this.#photos = this.#fetchMissingPhotos(fetchPhotos)
      .catch((error: unknown) => {
        // What was left is found by looking at the whole roster again next time.
        this.#namedPhotos = null;
        console.warn('[opencme] photo fetch failed', error);
      })
      .finally(() => (this.#photos = null));
  }

  async #fetchMissingPhotos(fetchPhotos: (hashes: string[]) => Promise<Uint8Array>): Promise<void> {
    const db = this.#db;
    // Once after start, the whole roster (from the door's map in memory); after that only the
    // hashes the pulls since brought: a scan of 200 000 people at every sync would hold up the
    // door's own transactions on the people store.
    const named = [...(this.#namedPhotos ?? (await this.#rosterPhotoHashes()))];
    this.#namedPhotos = new Set();
    const held = new Set(await db.photos.where('hash').anyOf(named).primaryKeys());
    const missing = named.filter((hash): hash is string => typeof hash === 'string' && !held.has(hash));
    let at = 0;
    const worker = async () => {
      while (at < missing.length && !this.#stopped) {
        const batch = missing.slice(at, at + MAX_PHOTOS_PER_REQUEST);
        at += batch.length;
        const photos = decodePhotoBundle(await fetchPhotos(batch));
        await db.photos.bulkPut(photos.map((p) => ({ hash: p.hash, jpeg: p.bytes })));
      }
    };
    await Promise.all(Array.from({ length: PHOTO_REQUESTS_AT_ONCE }, worker));
  }

  /** Every photo hash the roster names: from the door's map, loaded for it if need be. */
  async #rosterPhotoHashes(): Promise<Set<string>> {
    const roster = doorRoster(this.#db);
    await roster.load();
    return roster.photoHashes() ?? new Set();
  }

  /**
   * The taps the other doors of the door's session recorded since the last look, kept so that the
   * door decides with them (a person who came in at another door is signed out here) and goes on
   * knowing them offline.
   */
  async #pullPeerTaps(): Promise<void> {
    const sessionId = await readMetaOr(this.#db, 'sessionId', null);
    if (!this.#transport.sessionTaps || sessionId === null || !(await this.#db.sessions.get(sessionId))) return;
    const held = await readMetaOr(this.#db, 'peerTaps', null);
    let cursor = held?.sessionId === sessionId ? held.cursor : null;
    for (;;) {
      let reply: unknown;
      try {
        reply = await this.#transport.sessionTaps({ sessionId, cursor });
      } catch (error) {
        // The session was taken off this kiosk since its last pull: the next pull says so.
        if ((error as { data?: { code?: string } }).data?.code === 'FORBIDDEN') return;
        throw error;
      }
      const page = parseReply(SessionTapsResult, 'sessionTaps', reply);
      const db = this.#db;
      // Nothing new from the other doors: no write to hold up this door's lookups.
      if (page.taps.length > 0 || page.cursor !== cursor || held?.sessionId !== sessionId)
        await db.transaction('rw', [db.meta, db.peerTaps], async () => {
          await db.peerTaps.bulkPut(page.taps.map((t) => ({ ...t, sessionId })));
          await writeMeta(db, 'peerTaps', { sessionId, cursor: page.cursor });
        });
      cursor = page.cursor;
      if (!page.hasMore) return;
    }
  }

  /** The keys after a pull: imported here, since an IndexedDB transaction cannot wait for WebCrypto. */
  async #newKeys(held: KioskKeys, page: SyncPullResult): Promise<KioskKeys> {
    let keys = held;
    if (page.deviceKey && page.deviceKey.id !== held.rosterKeyId) {
      keys = { ...keys, rosterKeyId: page.deviceKey.id, rosterKey: await importRosterKey(base64UrlDecode(page.deviceKey.key)) };
    }
    if (page.sealingKey !== held.sealingKeyText) {
      keys = { ...keys, sealingKey: await importSealingKey(page.sealingKey), sealingKeyText: page.sealingKey };
    }
    return keys;
  }
}

/** The door thumbnails by content hash, over plain HTTP with the device token: bytes, not base64 in JSON. */
export async function fetchRosterPhotos(token: string, hashes: string[]): Promise<Uint8Array> {
  const res = await fetch('/api/sync/photos', {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ hashes }),
  });
  if (!res.ok) throw new Error(`photos: HTTP ${res.status}`);
  return new Uint8Array(await res.arrayBuffer());
}

/** Where a kiosk's sync state is kept between reloads. */
export async function loadIdentity(db: KioskDb): Promise<DeviceIdentity | null> {
  return (await readMeta(db, 'identity')) ?? null;
}
