// A real server for integration tests: a real SQLite file in a temporary folder (or, under
// OPENCME_TEST_DB=postgres, a fresh database on a real PostgreSQL: database.ts), the real Express
// app on a free port, and tRPC clients that speak HTTP to it like the kiosk does.
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { generateChainKey, newId, signChainedTap, type Tap } from '@opencme/core';
import { createTRPCClient, httpLink } from '@trpc/client';
import type SQLite from 'better-sqlite3';
import superjson from 'superjson';
import { createApp } from '../src/app.ts';
import { IdNumberVault, randomKeys } from '../src/pii.ts';
import { ProofSigner } from '../src/proof-key.ts';
import type { AppRouter } from '../src/router.ts';
import { DEMO_ADMIN, DEMO_KIOSK_NAME, seedDemo } from '../src/seed.ts';
import { openTestDatabase, TEST_DIALECT } from './database.ts';

export type Client = ReturnType<typeof createTRPCClient<AppRouter>>;

/** A file as a test sends it to POST /api/files. */
export interface TestFile {
  name: string;
  bytes: Uint8Array | string;
  type?: string;
}

/** `staticDir`: an app shell to serve; `trustProxy`: as TRUST_PROXY sets it. */
export async function startServer(options: { staticDir?: string; trustProxy?: string } = {}) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'opencme-test-'));
  const database = await openTestDatabase(dir);
  const { opened, file } = database;
  const clock = { now: new Date('2026-11-22T01:30:00Z') };
  const vault = new IdNumberVault(randomKeys());
  const demo = await seedDemo(opened.db, vault, clock.now);
  const proofSigner = await ProofSigner.generate();
  /**
   * The real app on a free port, over a connection of its own to the database file. The port is
   * chosen first, so that the app is configured with its own address, as `npm start` does.
   */
  async function listen(db: typeof opened.db) {
    // The server keeps an idle connection longer than the test's fetch does (undici: 4 s), so the
    // client always closes it first. With Node's 5 s, a test that blocks the event loop (pdftotext,
    // rendering a PDF in this process) let both timers fire at once and a reused socket was reset
    // under the next request ("fetch failed", ECONNRESET) on a loaded machine.
    const server = http.createServer({ keepAliveTimeout: 120_000 }).listen(0);
    await new Promise((resolve) => server.once('listening', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const app = createApp({
      db,
      vault,
      proofSigner,
      publicUrl: url,
      dialect: opened.dialect,
      now: () => clock.now,
      staticDir: options.staticDir ?? null,
      trustProxy: options.trustProxy,
    });
    server.on('request', app);
    const client = (headers: Record<string, string> = {}): Client =>
      // Queries as POST, as the kiosk sends them (the server refuses GET).
      createTRPCClient<AppRouter>({ links: [httpLink({ url: `${url}/trpc`, transformer: superjson, headers, methodOverride: 'POST' })] });
    return { app, server, url, client };
  }
  const { app, server, url, client } = await listen(opened.db);

  /** Sends files to POST /api/files/<purpose> as the kiosk does; returns their ids, or throws the server's message. */
  async function upload(purpose: string, files: TestFile[], cookie?: string): Promise<string[]> {
    const form = new FormData();
    for (const f of files)
      form.append('file', new Blob([typeof f.bytes === 'string' ? f.bytes : new Uint8Array(f.bytes)], { type: f.type ?? 'application/octet-stream' }), f.name);
    const res = await fetch(`${url}/api/files/${purpose}`, { method: 'POST', headers: { 'x-opencme-upload': '1', ...(cookie ? { cookie } : {}) }, body: form });
    const body = (await res.json()) as { files?: { id: string }[]; messageKey?: string; params?: Record<string, string | number> };
    if (!body.files) throw Object.assign(new Error(body.messageKey), { status: res.status, messageKey: body.messageKey, params: body.params });
    return body.files.map((f) => f.id);
  }

  /** GETs a file from a download route (/api/files/…) as the kiosk does, with the session cookie; the reply and its bytes. */
  async function download(route: string, cookie?: string): Promise<{ res: Response; bytes: Buffer }> {
    const res = await fetch(`${url}${route}`, { headers: cookie ? { cookie } : {} });
    return { res, bytes: Buffer.from(await res.arrayBuffer()) };
  }

  /** Signs in and returns the session cookie. */
  async function login(credentials: { login: string; password: string }): Promise<string> {
    const res = await fetch(`${url}/trpc/auth.login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ json: credentials }),
    });
    const cookie = res.headers.get('set-cookie')?.split(';')[0];
    if (!cookie) throw new Error(`login of ${credentials.login} failed`);
    return cookie;
  }

  async function admin(): Promise<Client> {
    return client({ cookie: await login(DEMO_ADMIN) });
  }

  /** The demo kiosk, paired with the code the seed printed. */
  async function demoKiosk() {
    const paired = await client().devices.pair.mutate({ code: demo.kioskPairingCode! });
    return { ...paired, client: client({ authorization: `Bearer ${paired.token}` }) };
  }

  /**
   * A kiosk paired as the app pairs it, with a signing key: `sign` numbers taps in its chain and
   * signs them in the order given, as the kiosk records them (push them in any order after).
   */
  async function signingKiosk(code: string = demo.kioskPairingCode!) {
    const key = await generateChainKey();
    const paired = await client().devices.pair.mutate({ code, chainKey: key.publicKey });
    const chainId = paired.chainId!;
    let seq = 0;
    let prevHash: string | null = null;
    return {
      ...paired,
      chainId,
      publicKey: key.publicKey,
      privateKey: key.privateKey,
      client: client({ authorization: `Bearer ${paired.token}` }),
      async sign(taps: readonly Tap[]): Promise<Tap[]> {
        const out: Tap[] = [];
        for (const t of taps) {
          const tap = { ...t, seq: ++seq, monoTime: Math.round(t.monoTime) };
          const { link, hash } = await signChainedTap(key.privateKey, tap, { chainId, prevHash });
          out.push({ ...tap, chain: link });
          prevHash = hash;
        }
        return out;
      },
    };
  }

  return {
    app,
    url,
    file,
    db: opened.db,
    dialect: TEST_DIALECT,
    /** What a command-line tool of the server needs to open the same database (DATA_DIR or DATABASE_URL). */
    /** Everything the database holds, as bytes or text an attacker with a copy would read (database.ts). */
    contents: () => database.contents(),
    databaseEnv: database.url ? { DATABASE_URL: database.url } : { DATA_DIR: dir },
    /** The raw better-sqlite3 handle: for the SQLite-only tests (excluded from the PostgreSQL run, apps/server/vitest.config.ts). */
    get sqlite(): SQLite.Database {
      if (!opened.sqlite) throw new Error('server.sqlite is SQLite-only: this test must not run on PostgreSQL (or use server.db)');
      return opened.sqlite;
    },
    clock,
    vault,
    proofSigner,
    client,
    login,
    upload,
    download,
    admin,
    demoKiosk,
    signingKiosk,
    demoKioskName: DEMO_KIOSK_NAME,
    /**
     * A second app on the same database file, as after a restart or in another server process:
     * nothing it knows comes from the first one's memory. Close it before the first.
     */
    async anotherApp() {
      const second = await database.reopen();
      const { app, server, url, client } = await listen(second.db);
      return {
        app,
        url,
        client,
        async close() {
          await new Promise((resolve) => server.close(resolve));
          await second.db.destroy();
        },
      };
    },
    async close() {
      await new Promise((resolve) => server.close(resolve));
      await database.drop();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

export type TestServer = Awaited<ReturnType<typeof startServer>>;

/** Makes taps the way a kiosk does: a fresh UUIDv7 each, consecutive sequence numbers. */
export function makeTaps(options: {
  deviceId: string;
  sessionId: string;
  cards: { kind: Tap['credential']['kind']; value: string }[];
  firstSeq?: number;
  start?: Date;
}): Tap[] {
  const start = options.start ?? new Date('2026-11-22T01:00:00Z');
  return options.cards.map((credential, i) => ({
    tapId: newId(),
    deviceId: options.deviceId,
    seq: (options.firstSeq ?? 1) + i,
    sessionId: options.sessionId,
    credential,
    personId: null,
    wallTime: new Date(start.getTime() + i * 1000).toISOString(),
    monoTime: 1000 + i * 1000,
    bootId: 'test-boot',
    source: 'reader',
    direction: 'in',
  }));
}

/** One tap of a CME card number at a chosen moment, as a kiosk records it. */
export function cardTap(t: { deviceId: string; sessionId: string; card: string; seq: number; wallTime: string; monoTime: number; bootId: string }): Tap {
  return {
    tapId: newId(),
    deviceId: t.deviceId,
    seq: t.seq,
    sessionId: t.sessionId,
    credential: { kind: 'card-number', value: t.card },
    personId: null,
    wallTime: new Date(t.wallTime).toISOString(),
    monoTime: t.monoTime,
    bootId: t.bootId,
    source: 'reader',
    direction: 'in',
  };
}
