// The real server (`node apps/server/src/main.ts`, as `npm start` runs it) as a child process on a
// data folder and a keys folder of its own, so that a run can kill it (SIGKILL: no shutdown code
// runs, as on a power cut) and start it again on the same files.
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

const ROOT = path.resolve(import.meta.dirname, '../../..');
export const MAIN = path.join(ROOT, 'apps/server/src/main.ts');

export async function freePort(): Promise<number> {
  const srv = net.createServer();
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
  const port = (srv.address() as net.AddressInfo).port;
  await new Promise((resolve) => srv.close(resolve));
  return port;
}

export class ServerProcess {
  readonly dataDir: string;
  readonly keysDir: string;
  port = 0;
  output = '';
  #child: ChildProcess | null = null;
  readonly #env: Record<string, string>;

  /** `clockStart`: the server runs as if started at that moment (OPENCME_CLOCK_START), across restarts. */
  constructor(options: { dataDir?: string; keysDir?: string; clockStart?: Date; env?: Record<string, string> } = {}) {
    this.dataDir = options.dataDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'opencme-chaos-'));
    this.keysDir = options.keysDir ?? `${this.dataDir}-keys`;
    this.#skewMs = options.clockStart ? options.clockStart.getTime() - Date.now() : null;
    this.#env = options.env ?? {};
  }

  readonly #skewMs: number | null;

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get running(): boolean {
    return this.#child !== null && this.#child.exitCode === null && this.#child.signalCode === null;
  }

  /** The demo kiosk's pairing code, as the first start prints it. */
  get pairingCode(): string {
    const match = /pairing code: ([0-9A-Z]{4}-[0-9A-Z]{4})/.exec(this.output);
    if (!match) throw new Error(`no pairing code printed:\n${this.output}`);
    return match[1]!;
  }

  async start(): Promise<void> {
    if (!this.port) this.port = await freePort();
    const clock = this.#skewMs === null ? {} : { OPENCME_CLOCK_START: new Date(Date.now() + this.#skewMs).toISOString() };
    const child = spawn(process.execPath, [MAIN], {
      env: {
        ...process.env,
        PORT: String(this.port),
        DATA_DIR: this.dataDir,
        OPENCME_KEYS_DIR: this.keysDir,
        STATIC_DIR: this.dataDir,
        ...clock,
        ...this.#env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.#child = child;
    const from = this.output.length;
    child.stdout.on('data', (d) => (this.output += String(d)));
    child.stderr.on('data', (d) => (this.output += String(d)));
    // Generous: on a loaded 2-core machine Node alone can take many seconds to boot.
    const deadline = Date.now() + 120_000;
    while (!this.output.slice(from).includes('is running')) {
      if (child.exitCode !== null) throw new Error(`server exited:\n${this.output.slice(from)}`);
      if (Date.now() > deadline) throw new Error(`server did not start:\n${this.output.slice(from)}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /** SIGKILL: the process ends wherever it is, a transaction half written included. */
  async kill(): Promise<void> {
    await this.#end('SIGKILL');
  }

  /** SIGTERM: the server closes its database and exits. */
  async stop(): Promise<void> {
    await this.#end('SIGTERM');
  }

  async #end(signal: NodeJS.Signals): Promise<void> {
    const child = this.#child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill(signal);
    await exited;
    this.#child = null;
  }

  async dispose(): Promise<void> {
    await this.kill();
    fs.rmSync(this.dataDir, { recursive: true, force: true });
    fs.rmSync(this.keysDir, { recursive: true, force: true });
  }
}
