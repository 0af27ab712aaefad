// Simulated kiosks that speak the real protocol: paired with codes as a tablet is, pushing their
// outbox with `sync.push` over HTTP with their device token, and retrying as the kiosk's sync loop
// does (same tap ids, oldest first, backoff with jitter). What the tablet keeps in IndexedDB
// (`outbox`, and in `meta` its chain key and chain head) survives a reboot; what the page held in
// memory (a push in flight) does not. Every tap is signed into the kiosk's tap chain (刷卡记录链)
// as it is recorded, and a resent tap is the stored one, byte for byte.
import { chinaDate, generateChainKey, newId, signChainedTap, SyncPullResult, SyncPushResult, type Tap, type WebCryptoKey } from '@opencme/core';
import { createTRPCClient, httpLink } from '@trpc/client';
import superjson from 'superjson';
import type { AppRouter } from '../src/router.ts';
import { cardTap } from '../test/harness.ts';

export type Client = ReturnType<typeof createTRPCClient<AppRouter>>;

const DEMO_PASSWORD = 'opencme-demo';

export function trpcClient(url: string, headers: Record<string, string>, timeoutMs = 30_000): Client {
  return createTRPCClient<AppRouter>({
    links: [
      httpLink({
        url: `${url}/trpc`,
        transformer: superjson,
        headers,
        methodOverride: 'POST',
        // A browser gives up on a connection that never answers; so does the simulated kiosk.
        fetch: (input: string | URL | Request, init?: RequestInit) => fetch(input, { ...init, signal: AbortSignal.timeout(timeoutMs) }),
      }),
    ],
  });
}

export async function adminClient(url: string, login = 'admin'): Promise<Client> {
  const res = await fetch(`${url}/trpc/auth.login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ json: { login, password: DEMO_PASSWORD } }),
  });
  const cookie = res.headers.get('set-cookie')?.split(';')[0];
  if (!cookie) throw new Error(`${login} login failed`);
  return trpcClient(url, { cookie });
}

export interface PairedKiosk {
  deviceId: string;
  token: string;
  /** The chain this pairing opened, and the private half of the key the kiosk made for it (non-extractable). */
  chainId: string;
  chainKey: WebCryptoKey;
}

/** Pairs as the kiosk does: a fresh chain key is made and its public half registered with the code. */
async function pairWithChain(anyone: Client, code: string): Promise<PairedKiosk> {
  const key = await generateChainKey();
  const paired = await anyone.devices.pair.mutate({ code, chainKey: key.publicKey });
  if (!paired.chainId) throw new Error('the server opened no chain for a kiosk that registered a key');
  return { deviceId: paired.deviceId, token: paired.token, chainId: paired.chainId, chainKey: key.privateKey };
}

export interface Door {
  sessionId: string;
  startsAt: string;
  endsAt: string;
  /** CME card numbers of the roster (active cards). */
  cards: string[];
  kiosks: PairedKiosk[];
}

/**
 * Pairs `count` kiosks with the demo's session, as an admin does it: the demo kiosk with the code
 * the first start printed, the others created, assigned to the session and paired in 设备.
 */
export async function pairKiosks(url: string, demoPairingCode: string, count: number): Promise<Door> {
  const anyone = trpcClient(url, {});
  const demo = await pairWithChain(anyone, demoPairingCode);
  const demoClient = trpcClient(url, { authorization: `Bearer ${demo.token}` });
  const cards: string[] = [];
  let cursor: string | null = null;
  let first: SyncPullResult | null = null;
  for (;;) {
    const page: SyncPullResult = await demoClient.sync.pull.query({ cursor });
    first ??= page;
    for (const p of page.people) for (const c of p.credentials) if (c.kind === 'card-number' && c.status === 'active') cards.push(c.key.split(':')[1]!);
    cursor = page.cursor;
    if (!page.hasMore) break;
  }
  const session = first.sessions[0];
  if (!session) throw new Error('the demo kiosk has no session');
  const admin = await adminClient(url);
  const kiosks: PairedKiosk[] = [demo];
  for (let i = 1; i < count; i++) {
    const created = await admin.devices.create.mutate({ name: `混沌测试 ${i}` });
    await admin.devices.assignSession.mutate({ deviceId: created.id, sessionId: session.id });
    kiosks.push(await pairWithChain(anyone, created.pairingCode));
  }
  return { sessionId: session.id, startsAt: session.startsAt, endsAt: session.endsAt, cards, kiosks };
}

/** A tap with the instant it really happened, on the server's clock: what the server should place it at. */
export interface TrueTap {
  tap: Tap;
  trueAt: number;
}

/**
 * The demo's day: the server runs on the machine's clock and seeds today's session (08:00–18:00
 * Beijing time); `at('09:15')` is an instant of that day. Taps of the day may lie ahead of the
 * server's clock (less than a day, which the server allows). The server is not started at another
 * time (OPENCME_CLOCK_START): a restarted server takes that time when its code has loaded, which on
 * a loaded machine is many seconds after the spawn, and its clock would then jump at each restart.
 */
export function demoDay(): { serverNow: () => number; at: (time: string) => number } {
  const day = chinaDate(new Date());
  return { serverNow: () => Date.now(), at: (time: string) => Date.parse(`${day}T${time}:00+08:00`) };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface SimOptions {
  /** Where the server's clock is (the server may run at another time than the machine: OPENCME_CLOCK_START). */
  serverNow: () => number;
  batch: number;
  random: () => number;
  /** The kiosk's backoff, scaled down from the tablet's 1 s … 15 s so that a run takes minutes, not hours. */
  backoffBaseMs?: number;
  maxBackoffMs?: number;
}

export class SimKiosk {
  /** The tablet's IndexedDB: every tap it recorded, and whether the server has answered for it. */
  readonly outbox = new Map<string, { tap: Tap; synced: boolean }>();
  /** Every tap recorded, with its true instant: the ground truth the run is checked against. */
  readonly truth: TrueTap[] = [];
  readonly client: Client;
  pushes = 0;
  failures = 0;
  reboots = 0;
  jumps = 0;
  /** The chain head in IndexedDB `meta`: the last seq given and the hash the next tap names. */
  readonly #head: { seq: number; prevHash: string | null } = { seq: 0, prevHash: null };
  /** Recording is one tap at a time, as the kiosk's Dexie transaction makes it: each tap names the one before. */
  #recording: Promise<unknown> = Promise.resolve();
  #bootId = newId();
  /** When (server clock) this page load began: its monotonic clock counts from there. */
  #bootAt: number;
  /** How far the tablet's wall clock is ahead of the server's; changes when someone sets it. */
  #offsetMs: number;
  /** Bumped by a reboot: a reply to a push of an earlier page load has no page to land in. */
  #generation = 0;

  readonly paired: PairedKiosk;
  readonly #options: SimOptions;

  constructor(paired: PairedKiosk, url: string, options: SimOptions, init: { bootAt: number; offsetMs: number }) {
    this.paired = paired;
    this.#options = options;
    this.client = trpcClient(url, { authorization: `Bearer ${paired.token}` });
    this.#bootAt = init.bootAt;
    this.#offsetMs = init.offsetMs;
  }

  get unsynced(): number {
    let n = 0;
    for (const entry of this.outbox.values()) if (!entry.synced) n += 1;
    return n;
  }

  get acknowledged(): number {
    return this.outbox.size - this.unsynced;
  }

  /** Records a tap that happened at `trueAt` (server clock), as the tablet's clocks then read, signed into the chain. */
  record(sessionId: string, card: string, trueAt: number, direction: Tap['direction']): Promise<Tap> {
    if (trueAt < this.#bootAt) throw new Error('a tap before its page load');
    // The clocks are read when the card is presented; the signing may finish a moment later.
    const unsigned = makeTap({
      deviceId: this.paired.deviceId,
      seq: 0,
      sessionId,
      card,
      wallTime: new Date(trueAt + this.#offsetMs).toISOString(),
      monoTime: trueAt - this.#bootAt,
      bootId: this.#bootId,
      direction,
    });
    const recorded = this.#recording.then(async () => {
      const body = { ...unsigned, seq: this.#head.seq + 1 };
      const { link, hash } = await signChainedTap(this.paired.chainKey, body, { chainId: this.paired.chainId, prevHash: this.#head.prevHash });
      const tap: Tap = { ...body, chain: link };
      // Tap and head are written in one transaction: a reboot sees both or neither.
      this.#head.seq = tap.seq;
      this.#head.prevHash = hash;
      this.outbox.set(tap.tapId, { tap, synced: false });
      this.truth.push({ tap, trueAt });
      return tap;
    });
    this.#recording = recorded;
    return recorded;
  }

  /** The kiosk's chain head, as its IndexedDB holds it. */
  get chainHead(): { seq: number; prevHash: string | null } {
    return { ...this.#head };
  }

  /** The tablet restarts: a new page load (boot id, monotonic clock from zero); IndexedDB (outbox, chain key and head) stays. */
  reboot(): void {
    this.#generation += 1;
    this.#bootId = newId();
    this.#bootAt = this.#options.serverNow();
    this.reboots += 1;
  }

  /** Someone sets the tablet's wall clock (the monotonic clock runs on). */
  jumpClock(ms: number): void {
    this.#offsetMs += ms;
    this.jumps += 1;
  }

  /** Pushes the outbox, oldest first, a batch at a time, until it is empty (the kiosk's `#pushAll`). */
  async pushAll(beforeEachPush: () => void | Promise<void> = () => undefined): Promise<void> {
    for (;;) {
      const batch: Tap[] = [];
      for (const entry of this.outbox.values()) {
        if (entry.synced) continue;
        batch.push(entry.tap);
        if (batch.length === this.#options.batch) break;
      }
      if (batch.length === 0) return;
      await beforeEachPush();
      const generation = this.#generation;
      const now = this.#options.serverNow();
      const clock = { wallTime: new Date(now + this.#offsetMs).toISOString(), monoTime: now - this.#bootAt, bootId: this.#bootId };
      this.pushes += 1;
      const reply = SyncPushResult.parse(await this.client.sync.push.mutate({ taps: batch, clock }));
      // The page that sent this push is gone: its answer lands nowhere, the taps stay pending.
      if (generation !== this.#generation) continue;
      for (const r of reply.results) {
        const entry = this.outbox.get(r.tapId);
        if (entry) entry.synced = true;
      }
    }
  }

  /** Syncs until the outbox is empty, with the kiosk's backoff and jitter between failures. */
  async syncUntilEmpty(options: { stop?: () => boolean; beforeEachPush?: () => void | Promise<void> } = {}): Promise<void> {
    let failures = 0;
    const base = this.#options.backoffBaseMs ?? 100;
    const max = this.#options.maxBackoffMs ?? 2000;
    while (this.unsynced > 0 && !options.stop?.()) {
      try {
        await this.pushAll(options.beforeEachPush);
        failures = 0;
      } catch {
        failures += 1;
        this.failures += 1;
        const backoff = Math.min(max, base * 2 ** (failures - 1));
        await sleep(backoff / 2 + this.#options.random() * (backoff / 2));
      }
    }
  }
}

/** One tap as a kiosk records it, before `SimKiosk.record` gives it its place in the chain. */
export function makeTap(t: Parameters<typeof cardTap>[0] & { direction: Tap['direction'] }): Tap {
  const { direction, ...card } = t;
  return { ...cardTap(card), direction };
}
