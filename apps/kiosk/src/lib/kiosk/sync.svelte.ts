// The sync loop: pushes the outbox to the server and pulls sessions and roster, retrying with
// backoff while the server cannot be reached. A tap leaves the outbox only when the server has
// answered for it, so a reload, a crash or a week offline loses nothing.
import { MAX_PUSH_BATCH, type SyncPullResult, type SyncPushResult } from '@opencme/core';
import { type DeviceIdentity, getMeta, type KioskDb, setMeta } from './db.ts';

export interface SyncTransport {
  push(input: { taps: import('@opencme/core').Tap[] }): Promise<SyncPushResult>;
  pull(input: { cursor: string | null }): Promise<SyncPullResult>;
}

export interface SyncOptions {
  batchSize?: number;
  /** How often an idle kiosk checks in, in ms. */
  idleIntervalMs?: number;
  maxBackoffMs?: number;
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
  #failures = 0;
  #timer: ReturnType<typeof setTimeout> | null = null;
  #running: Promise<void> | null = null;
  #again = false;
  #stopped = false;

  constructor(db: KioskDb, transport: SyncTransport, options: SyncOptions = {}) {
    this.#db = db;
    this.#transport = transport;
    this.#batchSize = Math.min(options.batchSize ?? 100, MAX_PUSH_BATCH);
    this.#idleIntervalMs = options.idleIntervalMs ?? 15_000;
    this.#maxBackoffMs = options.maxBackoffMs ?? 15_000;
  }

  async start(): Promise<void> {
    this.lastSyncAt = (await getMeta<number>(this.#db, 'lastSyncAt')) ?? null;
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
      this.#failures = 0;
      this.online = true;
      this.lastError = null;
      this.lastSyncAt = Date.now();
      await setMeta(this.#db, 'lastSyncAt', this.lastSyncAt);
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
      const { results } = await this.#transport.push({ taps });
      await this.#db.transaction('rw', this.#db.taps, async () => {
        for (const r of results) await this.#db.taps.update(r.tapId, { synced: 1, serverStatus: r.status });
      });
    }
  }

  async #pullAll(): Promise<void> {
    let cursor = (await getMeta<string>(this.#db, 'cursor')) ?? null;
    for (;;) {
      const page = await this.#transport.pull({ cursor });
      const db = this.#db;
      await db.transaction('rw', [db.meta, db.sessions, db.people, db.credentials], async () => {
        await db.sessions.clear();
        await db.sessions.bulkPut(page.sessions);
        // One bulk operation per store for the whole page: a first pull of a large unit is
        // hundreds of pages, and a request per person would be most of its time.
        const ids = page.people.map((p) => p.id);
        await db.people.bulkPut(page.people.map(({ credentials: _c, ...person }) => person));
        await db.credentials.where('personId').anyOf(ids).delete();
        await db.credentials.bulkPut(page.people.flatMap((p) => p.credentials.map((c) => ({ ...c, personId: p.id }))));
        await setMeta(db, 'cursor', page.cursor);
      });
      cursor = page.cursor;
      if (!page.hasMore) return;
    }
  }
}

/** Where a kiosk's sync state is kept between reloads. */
export async function loadIdentity(db: KioskDb): Promise<DeviceIdentity | null> {
  return (await getMeta<DeviceIdentity>(db, 'identity')) ?? null;
}
