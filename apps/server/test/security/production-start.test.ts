// A production start (security issue 9): never the demo, and no start at all while an account
// still has the demo's published password. `npm start` keeps its demo.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { openSqlite } from '../../src/db/connect.ts';
import { IdNumberVault, randomKeys } from '../../src/pii.ts';
import { prepareStart } from '../../src/start-mode.ts';
import { startServer, type TestServer } from '../harness.ts';

let demo: TestServer;

beforeAll(async () => {
  demo = await startServer();
}, 60_000);
afterAll(() => demo?.close());

it('refuses a production start while demo accounts have the demo password, naming them', async () => {
  const decision = await prepareStart(demo.db, { production: true, seedDemo: true, vault: demo.vault, now: demo.clock.now });
  expect(decision).toEqual({ run: false, demoLogins: ['admin', 'admin-b', 'city', 'director', 'province', 'reviewer', 'staff', 'staff-b'] });
});

it('never seeds the demo in production, and starts on a database without the demo password', async () => {
  const empty = await openSqlite(':memory:');
  try {
    const decision = await prepareStart(empty.db, { production: true, seedDemo: true, vault: new IdNumberVault(randomKeys()), now: new Date() });
    expect(decision).toEqual({ run: true, demo: null });
    expect(await empty.db.selectFrom('users').select('id').execute()).toEqual([]);
    expect(await empty.db.selectFrom('organisations').select('id').execute()).toEqual([]);
  } finally {
    await empty.db.destroy();
  }
});

/** Runs the real `main.ts` until it prints that it runs (then stops it) or exits by itself. */
async function runMain(env: Record<string, string>): Promise<{ code: number | null; output: string }> {
  const child = spawn(process.execPath, [path.resolve(import.meta.dirname, '../../src/main.ts')], {
    env: { ...process.env, PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const code = await new Promise<number | null>((resolve) => {
    const timer = setTimeout(() => child.kill('SIGTERM'), 90_000);
    const read = (d: unknown) => {
      output += String(d);
      if (output.includes('is running')) child.kill('SIGTERM');
    };
    child.stdout.on('data', read);
    child.stderr.on('data', read);
    child.once('exit', (c) => {
      clearTimeout(timer);
      resolve(c);
    });
  });
  return { code, output };
}

it('the real server, started with NODE_ENV=production on a demo database, exits with the reason', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'opencme-production-'));
  try {
    // A demo deployment as `npm start` leaves it (its data and its keys, apart), then the same
    // folders started for production.
    const folders = { DATA_DIR: path.join(dir, 'data'), OPENCME_KEYS_DIR: path.join(dir, 'keys'), STATIC_DIR: dir };
    const first = await runMain({ ...folders, NODE_ENV: 'development' });
    expect(first.output).toContain('is running');
    const { code, output } = await runMain({ ...folders, NODE_ENV: 'production' });
    expect(output).not.toContain('is running');
    expect(code).toBe(1);
    expect(output).toContain('refuses a production start');
    expect(output).toContain('admin, admin-b, city, director, province, reviewer, staff, staff-b');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}, 240_000);
