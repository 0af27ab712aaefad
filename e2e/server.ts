import { chinaDate, chinaYear, formatCmeNumber } from '@opencme/core';
import { type Browser, type BrowserContextOptions, expect, type Page } from '@playwright/test';
// Runs the real server (`node apps/server/src/main.ts`) as a child process, as `npm start` does,
// on a free port and a data folder of its own, so a test can stop it and start it again. The
// folder starts as a copy of the demo seeded once for the run (global-setup.ts) when the server's
// clock is on the day it was seeded for; on another day the server seeds its own, as before.
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

/** Where global-setup.ts tells the specs' servers about the seeded data folder. */
export const SEEDED_TEMPLATE_ENV = 'OPENCME_E2E_TEMPLATE';

/** A data folder and keys folder in which the demo was seeded on `day` (Beijing time). */
export interface SeededTemplate {
  day: string;
  dataDir: string;
  keysDir: string;
}

function seededTemplate(): SeededTemplate | null {
  const json = process.env[SEEDED_TEMPLATE_ENV];
  return json ? (JSON.parse(json) as SeededTemplate) : null;
}

export class ServerProcess {
  readonly dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'opencme-e2e-'));
  /** Beside the data folder, as in a deployment, and not the repository's own keys/. */
  readonly keysDir = `${this.dataDir}-keys`;
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

  #skewMs: number | null = null;

  #started = false;

  /**
   * `clockStart`: the server runs as if started at that moment (OPENCME_CLOCK_START); a restart
   * without it goes on with the same clock. `template: false`: seed on the first start even where
   * the run's seeded data folder would do.
   */
  async start(options: { clockStart?: Date; template?: boolean } = {}): Promise<void> {
    if (!this.port) this.port = await freePort();
    if (options.clockStart) this.#skewMs = options.clockStart.getTime() - Date.now();
    if (!this.#started) {
      this.#started = true;
      const template = options.template === false ? null : seededTemplate();
      if (template && template.day === chinaDate(new Date(Date.now() + (this.#skewMs ?? 0)))) {
        fs.cpSync(template.dataDir, this.dataDir, { recursive: true });
        fs.cpSync(template.keysDir, this.keysDir, { recursive: true });
      }
    }
    const clock = this.#skewMs === null ? {} : { OPENCME_CLOCK_START: new Date(Date.now() + this.#skewMs).toISOString() };
    const child = spawn(process.execPath, [path.join(ROOT, 'apps/server/src/main.ts')], {
      env: {
        ...process.env,
        PORT: String(this.port),
        DATA_DIR: this.dataDir,
        OPENCME_KEYS_DIR: this.keysDir,
        STATIC_DIR: path.join(ROOT, 'apps/kiosk/build'),
        ...clock,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.#child = child;
    // On a restart the earlier run's output is still there: wait for this run's own line.
    const from = this.output.length;
    child.stdout.on('data', (d) => (this.output += String(d)));
    child.stderr.on('data', (d) => (this.output += String(d)));
    // Generous: on a loaded machine (CI, several builds at once) Node alone can take half a minute to boot.
    const deadline = Date.now() + 90_000;
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
    fs.rmSync(this.keysDir, { recursive: true, force: true });
  }
}

/**
 * 10:00 Beijing time today: inside the demo session (08:00–18:00), so that taps count whatever
 * the hour the tests run at. Give it to the server (`start`) and to the browser (`clock.install`).
 */
export function demoMorning(): Date {
  const day = chinaDate(new Date());
  return new Date(`${day}T10:00:00+08:00`);
}

/** A fresh browser context signed in with a demo account (password `opencme-demo`) on a page of the app. */
export async function signedIn(browser: Browser, url: string, pathName: string, login: string, context: BrowserContextOptions = {}): Promise<Page> {
  const page = await (await browser.newContext(context)).newPage();
  await page.goto(`${url}${pathName}`);
  await page.getByLabel('用户名').fill(login);
  await page.getByLabel('密码').fill('opencme-demo');
  await page.getByRole('button', { name: '登录' }).click();
  await expect(page.getByRole('button', { name: '退出' })).toBeVisible();
  return page;
}

/** Signs in as the demo admin (or another demo account) and returns the session cookie for API calls from the test. */
export async function adminCookie(url: string, login = 'admin'): Promise<string> {
  const res = await fetch(`${url}/trpc/auth.login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ json: { login, password: 'opencme-demo' } }),
  });
  const cookie = res.headers.get('set-cookie')?.split(';')[0];
  if (!cookie) throw new Error(`${login} login failed`);
  return cookie;
}

/** Calls a tRPC query over plain HTTP (superjson envelope), as the admin; as POST, like the app (the server refuses GET). */
export async function adminQuery<T>(url: string, cookie: string, procedure: string, input: unknown): Promise<T> {
  const res = await fetch(`${url}/trpc/${procedure}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', cookie },
    body: JSON.stringify({ json: input }),
  });
  return trpcData<T>(res, procedure);
}

/** The data of a tRPC answer (superjson envelope); an error throws the server's message. */
async function trpcData<T>(res: Response, procedure: string): Promise<T> {
  const body = (await res.json()) as { result?: { data: { json: T } }; error?: { json: { message: string } } };
  if (body.error) throw new Error(`${procedure}: ${body.error.json.message}`);
  return body.result!.data.json;
}

/** The CME card number the demo seed gave its n-th staff member (1 … 200), issued this year in Anhui (34). */
export function demoCardNumber(n: number): string {
  return formatCmeNumber({ provinceCode: '34', year: chinaYear(new Date()), serial: n });
}

/** Calls a tRPC mutation over plain HTTP (superjson envelope), as the admin; throws the server's message. */
export async function adminMutation<T>(url: string, cookie: string, procedure: string, input: unknown): Promise<T> {
  const res = await fetch(`${url}/trpc/${procedure}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', cookie },
    body: JSON.stringify({ json: input }),
  });
  return trpcData<T>(res, procedure);
}

/**
 * What the browser refused under the server's Content-Security-Policy on this page (Chromium
 * reports each refusal on the console): the strict policy must let every part of the app run.
 */
export function cspViolations(page: Page): string[] {
  const seen: string[] = [];
  page.on('console', (message) => {
    if (/Content Security Policy|Refused to (load|execute|apply|connect|frame|create)/i.test(message.text())) seen.push(message.text());
  });
  return seen;
}

/** The admin PIN the e2e kiosks are given right after pairing. */
export const KIOSK_PIN = '2468';

/** Right after pairing, the kiosk asks for the admin PIN that leaves kiosk mode. */
export async function setKioskPin(page: Page): Promise<void> {
  await page.getByLabel('新的管理员 PIN').fill(KIOSK_PIN);
  await page.getByLabel('再次输入 PIN').fill(KIOSK_PIN);
  await page.getByRole('button', { name: '保存 PIN' }).click();
}

/** From the door, through the admin PIN, to where the kiosk should go (e.g. link 读卡器设置). */
export async function leaveKioskMode(page: Page): Promise<void> {
  await page.getByRole('button', { name: '退出签到模式' }).click();
  await page.getByLabel('管理员 PIN').fill(KIOSK_PIN);
  await page.getByRole('button', { name: '确定' }).click();
}

/** A kiosk paired with the demo server (its clock set at `time`), its admin PIN set, at the demo session's door once it has synced. */
export async function kioskAtDoor(page: Page, server: ServerProcess, time: Date): Promise<void> {
  await page.clock.install({ time });
  await page.goto(`${server.url}/kiosk`);
  await page.getByLabel('配对码').fill(server.pairingCode);
  await page.getByRole('button', { name: '配对' }).click();
  await setKioskPin(page);
  await page.getByRole('button', { name: /急危重症诊疗新进展学习班/ }).click();
  await expect(page.getByTestId('status-last-sync')).not.toContainText('从未');
}
