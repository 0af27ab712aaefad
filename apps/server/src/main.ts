// `npm start`: the SQLite file under data/ and its keys under keys/, the demo on first start, the
// app and the API on one port. NODE_ENV=production: no demo, and no start at all while an account
// has the demo password.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createApp, trustProxySetting } from './app.ts';
import { backupLive, backupSchedule } from './backup.ts';
import { deploymentFolders, openDeployment } from './deployment.ts';
import { DEMO_ACCOUNTS } from './seed.ts';
import { prepareStart, refusalMessage } from './start-mode.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const port = Number(process.env.PORT ?? 3000);
const folders = deploymentFolders(root);
const staticDir = path.resolve(process.env.STATIC_DIR ?? path.join(root, 'apps/kiosk/build'));

const backups = backupSchedule(root);
const { db, dialect, where, vault, proofSigner, sqlite } = await openDeployment(folders);
// OPENCME_CLOCK_START runs the server as if it had been started at that moment (its clock then
// runs on from there): for demos of a day other than today, and end-to-end tests of whole events.
const clockSkewMs = process.env.OPENCME_CLOCK_START ? Date.parse(process.env.OPENCME_CLOCK_START) - Date.now() : 0;
if (Number.isNaN(clockSkewMs)) throw new Error(`OPENCME_CLOCK_START is not a time: ${process.env.OPENCME_CLOCK_START}`);
const now = () => new Date(Date.now() + clockSkewMs);
// The address printed on proofs: PUBLIC_URL, else this server's own address; never a request's
// Host header, which whoever prints could forge.
const publicUrl = process.env.PUBLIC_URL ?? `http://localhost:${port}`;
if (!URL.canParse(publicUrl) || !['http:', 'https:'].includes(new URL(publicUrl).protocol))
  throw new Error(`PUBLIC_URL is not an http(s) address: ${publicUrl}`);
const production = process.env.NODE_ENV === 'production';
const start = await prepareStart(db, { production, seedDemo: process.env.OPENCME_DEMO !== '0', vault, now: now() });
if (!start.run) {
  console.error(refusalMessage(start.demoLogins));
  await db.destroy();
  process.exit(1);
}
const demo = start.demo;
// Behind a TLS proxy (nginx, a load balancer), TRUST_PROXY names it ("1" for one hop, or its
// addresses) so that the session cookie is Secure and HSTS is sent; unset, X-Forwarded-* is ignored.
const trustProxy = trustProxySetting(process.env.TRUST_PROXY);

const server = createApp({ db, now, vault, proofSigner, publicUrl, dialect, staticDir, demo: !production, trustProxy }).listen(port, () => {
  const url = `http://localhost:${port}`;
  const lines = [
    `OpenCME 已启动 / is running: ${url}  (${production ? '生产模式 / production' : '演示模式 / demo'})`,
    `  签到机 / kiosk:  ${url}/kiosk`,
    `  管理 / admin:    ${url}/admin`,
  ];
  if (demo) {
    lines.push(`  演示账号 / demo login: ${demo.adminLogin} / ${demo.adminPassword}  (医教科 unit admin)`);
    for (const account of DEMO_ACCOUNTS)
      lines.push(`                          ${account.login} / ${demo.adminPassword}  (${account.displayName} ${account.role})`);
    lines.push(`  自助注册 / self-registration: ${url}/register`);
    lines.push(
      demo.kioskPairingCode
        ? `  演示签到机配对码 / demo kiosk pairing code: ${demo.kioskPairingCode}`
        : '  演示签到机已配对 / the demo kiosk is paired (admin → 设备 issues a new code)',
    );
  }
  lines.push(`  数据 / data: ${where}`, `  密钥 / keys: ${folders.keysDir}`);
  if (backups.intervalMs > 0 && sqlite)
    lines.push(`  备份 / backups: ${backups.folder} (every ${backups.intervalMs / 3_600_000} h, last ${backups.keep} kept)`);
  if (!sqlite) lines.push('  备份 / backups: PostgreSQL 请用 pg_dump / on PostgreSQL back up with pg_dump (docs/postgres.md)');
  console.log(lines.join('\n'));
});

// Backups on a schedule, through the server's own connection (SQLite's online backup API); one that
// fails is reported and the next one tried at its time: the server goes on taking taps. PostgreSQL
// is backed up by its own tools (pg_dump, base backups), not by the server.
const backupTimer =
  backups.intervalMs > 0 && sqlite
    ? setInterval(() => {
        backupLive(sqlite, { folder: backups.folder, keysDir: folders.keysDir, keep: backups.keep, now: new Date() }).then(
          (made) => console.log(`备份完成 / backup made: ${path.join(backups.folder, made.file)}`),
          (error: unknown) => console.error(`备份失败 / backup failed: ${String(error)}`),
        );
      }, backups.intervalMs)
    : null;

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (backupTimer) clearInterval(backupTimer);
    server.close();
    void db.destroy().then(() => process.exit(0));
  });
}
