// A production start (security issue 9): never the demo, and no start at all while an account
// still has the demo's published password. `npm start` keeps its demo.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import { openSqlite } from '../../src/db/connect.ts';
import { IdNumberVault, randomKeys } from '../../src/pii.ts';
import { prepareStart } from '../../src/start-mode.ts';
import { startServer, type TestServer } from '../harness.ts';

// Real scrypt and real HTTP on a machine that may be busy: time enough not to flake.
vi.setConfig({ testTimeout: 120_000, hookTimeout: 120_000 });

let demo: TestServer;

beforeAll(async () => {
  demo = await startServer();
});
afterAll(() => demo?.close());

it('refuses a production start while demo accounts have the demo password, naming them', async () => {
  const decision = await prepareStart(demo.db, { production: true, seedDemo: true, vault: demo.vault, now: demo.clock.now });
  expect(decision).toEqual({ run: false, demoLogins: ['admin', 'city', 'province', 'reviewer', 'staff'] });
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

it('the real server, started with NODE_ENV=production on a demo database, exits with the reason', async () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'opencme-production-'));
  try {
    // The demo's database, as a copy (its keys do not matter: only passwords are checked).
    demo.sqlite.pragma('wal_checkpoint(TRUNCATE)');
    fs.copyFileSync(demo.file, path.join(dataDir, 'opencme.sqlite'));
    const child = spawn(process.execPath, [path.resolve(import.meta.dirname, '../../src/main.ts')], {
      env: { ...process.env, NODE_ENV: 'production', PORT: '0', DATA_DIR: dataDir, STATIC_DIR: dataDir },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (d) => (output += String(d)));
    child.stderr.on('data', (d) => (output += String(d)));
    const code = await new Promise<number | null>((resolve) => {
      const timer = setTimeout(() => {
        child.kill('SIGTERM');
        resolve(null);
      }, 60_000);
      child.once('exit', (c) => {
        clearTimeout(timer);
        resolve(c);
      });
    });
    expect(output).not.toContain('is running');
    expect(code).toBe(1);
    expect(output).toContain('refuses a production start');
    expect(output).toContain('admin, city, province, reviewer, staff');
  } finally {
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
});
