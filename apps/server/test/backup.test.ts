// Backups that restore: a backup taken with the real command while ten kiosks push to the real
// server process, restored with the real command into a new data folder, and the server started
// on it holds every tap the kiosks were told was stored before the backup began.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Tap } from '@opencme/core';
import { afterAll, describe, expect, it } from 'vitest';
import { demoDay, pairKiosks, SimKiosk } from '../chaos/kiosks.ts';
import { prng } from '../chaos/proxy.ts';
import { ServerProcess } from '../chaos/server-process.ts';
import { backupLive, databaseInUse, listBackups, verifyBackup } from '../src/backup.ts';
import { startServer } from './harness.ts';

const ROOT = path.resolve(import.meta.dirname, '../../..');
const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'opencme-backup-test-'));
const servers: ServerProcess[] = [];
afterAll(async () => {
  for (const s of servers) await s.kill();
  fs.rmSync(scratch, { recursive: true, force: true });
});

/**
 * Runs `npm run backup` / `npm run restore`'s script, as an operator does, with the deployment's
 * folders; without blocking this process, whose kiosks go on pushing meanwhile.
 */
async function command(script: 'backup' | 'restore', args: string[], folders: { dataDir: string; keysDir: string }) {
  const child = spawn(process.execPath, [path.join(ROOT, 'scripts', `${script}.ts`), ...args], {
    env: { ...process.env, DATA_DIR: folders.dataDir, OPENCME_KEYS_DIR: folders.keysDir },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (d) => (output += String(d)));
  child.stderr.on('data', (d) => (output += String(d)));
  const status = await new Promise<number | null>((resolve) => child.once('close', resolve));
  return { status, output };
}

describe('backup and restore', () => {
  // Two server processes booted and a demo seeded: minutes on a loaded 2-core machine.
  it('backs up while ten kiosks push, and the restored server holds every tap acknowledged before the backup began', { timeout: 300_000 }, async () => {
    const day = demoDay();
    const server = new ServerProcess({ dataDir: path.join(scratch, 'live'), keysDir: path.join(scratch, 'keys') });
    servers.push(server);
    await server.start();
    const door = await pairKiosks(server.url, server.pairingCode, 10);
    const random = prng(7);
    const kiosks = door.kiosks.map(
      (paired) => new SimKiosk(paired, server.url, { serverNow: day.serverNow, batch: 25, random }, { bootAt: day.at('00:00'), offsetMs: 0 }),
    );
    for (const [k, kiosk] of kiosks.entries()) {
      for (let i = 0; i < 300; i++) await kiosk.record(door.sessionId, door.cards[(k * 20 + i) % door.cards.length]!, day.at('08:00') + i * 60_000 + k, 'in');
    }
    const acknowledged = () => kiosks.flatMap((k) => [...k.outbox.values()].filter((e) => e.synced).map((e) => e.tap));
    const pushing = Promise.all(kiosks.map((k) => k.syncUntilEmpty()));

    while (acknowledged().length < 600) await new Promise((r) => setTimeout(r, 20));
    const before = acknowledged();
    const backups = path.join(scratch, 'backups');
    const made = await command('backup', [backups], server);
    const after = acknowledged();
    await pushing;
    expect(made.output).toContain('backup made');
    expect(made.status).toBe(0);
    // The kiosks went on pushing while the backup was taken: it was taken from a live database.
    expect(after.length).toBeGreaterThan(before.length);
    expect(after.length).toBeLessThan(3000);
    const [file] = listBackups(backups);
    expect(file).toBeDefined();
    // The manifest names the keys it needs; the keys are not in the backup's folder.
    const manifest = JSON.parse(fs.readFileSync(`${file}.json`, 'utf8')) as { keys: { file: string }[] };
    expect(manifest.keys.map((k) => k.file).sort()).toEqual(['id-sealing-key.pem', 'keys.json', 'proof-key.pem']);
    expect(fs.readdirSync(backups).filter((f) => !f.startsWith('opencme-'))).toEqual([]);

    // Not into a running server.
    const refused = await command('restore', [file!], server);
    expect(refused.status).toBe(1);
    expect(refused.output).toContain('the server is running');
    await server.stop();

    // Not with keys other than the backup's.
    const strangerKeys = path.join(scratch, 'other-keys');
    fs.mkdirSync(strangerKeys);
    fs.writeFileSync(path.join(strangerKeys, 'keys.json'), '{}');
    const wrongKeys = await command('restore', [file!], { dataDir: path.join(scratch, 'elsewhere'), keysDir: strangerKeys });
    expect(wrongKeys.status).toBe(1);
    expect(wrongKeys.output).toContain('keys.json');

    const restoredDir = path.join(scratch, 'restored');
    const restored = await command('restore', [file!], { dataDir: restoredDir, keysDir: server.keysDir });
    expect(restored.output).toContain('restored');
    expect(restored.status).toBe(0);
    const again = new ServerProcess({ dataDir: restoredDir, keysDir: server.keysDir });
    servers.push(again);
    await again.start();
    // Each kiosk sends again what it was told was stored before the backup: the restored server has every one.
    for (const kiosk of kiosks) {
      const mine = before.filter((t: Tap) => t.deviceId === kiosk.paired.deviceId);
      const client = new SimKiosk(kiosk.paired, again.url, { serverNow: day.serverNow, batch: 500, random }, { bootAt: day.at('00:00'), offsetMs: 0 }).client;
      for (let i = 0; i < mine.length; i += 500) {
        const { results } = await client.sync.push.mutate({ taps: mine.slice(i, i + 500) });
        expect(results.filter((r) => r.status !== 'duplicate')).toEqual([]);
      }
    }
    await again.stop();
  });

  it('refuses a damaged backup or one that is no OpenCME database before touching the data folder', async () => {
    const dataDir = path.join(scratch, 'untouched');
    const keysDir = path.join(scratch, 'untouched-keys');
    const damaged = path.join(scratch, 'damaged.sqlite');
    fs.writeFileSync(damaged, Buffer.concat([Buffer.from('SQLite format 3\0'), Buffer.alloc(4096, 7)]));
    const res = await command('restore', [damaged], { dataDir, keysDir });
    expect(res.status).toBe(1);
    expect(res.output).toMatch(/damaged|cannot open/);
    expect(fs.existsSync(path.join(dataDir, 'opencme.sqlite'))).toBe(false);
  });

  it('takes scheduled backups through the live connection, whole and checked, and keeps the newest ones', async () => {
    const server = await startServer();
    try {
      expect(databaseInUse(server.file)).toBe(true);
      const folder = path.join(scratch, 'scheduled');
      const times = ['2026-11-22T01:00:00Z', '2026-11-23T01:00:00Z', '2026-11-24T01:00:00Z'];
      for (const t of times) await backupLive(server.sqlite, { folder, keysDir: path.join(scratch, 'none'), keep: 2, now: new Date(t) });
      const kept = listBackups(folder);
      expect(kept.map((f) => path.basename(f))).toEqual(['opencme-20261123-010000-000.sqlite', 'opencme-20261124-010000-000.sqlite']);
      expect(fs.readdirSync(folder).sort()).toEqual(kept.flatMap((f) => [path.basename(f), `${path.basename(f)}.json`]).sort());
      expect(verifyBackup(kept[1]!).lastMigration).toBeTruthy();
      expect(fs.statSync(kept[1]!).mode & 0o777).toBe(0o600);
    } finally {
      await server.close();
    }
  });
});
