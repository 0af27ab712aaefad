// Runs the real server (`node apps/server/src/main.ts`) as a child process, as `npm start` does,
// on a free port and a fresh data folder, so a test can stop it and start it again.
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

const ROOT = path.resolve(import.meta.dirname, '..');

async function freePort(): Promise<number> {
  const srv = net.createServer();
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
  const port = (srv.address() as net.AddressInfo).port;
  await new Promise((resolve) => srv.close(resolve));
  return port;
}

export class ServerProcess {
  readonly dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'opencme-e2e-'));
  port = 0;
  output = '';
  #child: ChildProcess | null = null;

  get url(): string {
    return `http://localhost:${this.port}`;
  }

  /** The demo kiosk's pairing code, as `npm start` prints it. */
  get pairingCode(): string {
    const match = this.output.match(/pairing code: ([0-9A-Z]{4}-[0-9A-Z]{4})/g)?.at(-1);
    if (!match) throw new Error(`no pairing code printed:\n${this.output}`);
    return match.slice(-9);
  }

  async start(): Promise<void> {
    if (!this.port) this.port = await freePort();
    const child = spawn(process.execPath, [path.join(ROOT, 'apps/server/src/main.ts')], {
      env: { ...process.env, PORT: String(this.port), DATA_DIR: this.dataDir, STATIC_DIR: path.join(ROOT, 'apps/kiosk/build') },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.#child = child;
    // On a restart the earlier run's output is still there: wait for this run's own line.
    const from = this.output.length;
    child.stdout!.on('data', (d) => (this.output += String(d)));
    child.stderr!.on('data', (d) => (this.output += String(d)));
    const deadline = Date.now() + 30_000;
    while (!this.output.slice(from).includes('is running')) {
      if (child.exitCode !== null) throw new Error(`server exited:\n${this.output}`);
      if (Date.now() > deadline) throw new Error(`server did not start:\n${this.output}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  async stop(): Promise<void> {
    const child = this.#child;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
    this.#child = null;
  }

  async dispose(): Promise<void> {
    await this.stop();
    fs.rmSync(this.dataDir, { recursive: true, force: true });
  }
}

/** Signs in as the demo admin and returns the session cookie for API calls from the test. */
export async function adminCookie(url: string): Promise<string> {
  const res = await fetch(`${url}/trpc/auth.login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ json: { login: 'admin', password: 'opencme-demo' } }),
  });
  const cookie = res.headers.get('set-cookie')?.split(';')[0];
  if (!cookie) throw new Error('admin login failed');
  return cookie;
}

/** Calls a tRPC query over plain HTTP (superjson envelope), as the admin. */
export async function adminQuery<T>(url: string, cookie: string, procedure: string, input: unknown): Promise<T> {
  const res = await fetch(`${url}/trpc/${procedure}?input=${encodeURIComponent(JSON.stringify({ json: input }))}`, {
    headers: { cookie },
  });
  const body = (await res.json()) as { result: { data: { json: T } } };
  return body.result.data.json;
}
