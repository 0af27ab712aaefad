// `npm run backup`: a backup of the deployment's database now, beside a running server or a
// stopped one (SQLite's `VACUUM INTO`, a consistent snapshot; never a file copy), into the backup
// folder with rotation. The keys are not in it: see docs/backup.md.
import path from 'node:path';
import { backupFile, backupSchedule } from '../apps/server/src/backup.ts';
import { deploymentFolders } from '../apps/server/src/deployment.ts';

const ROOT = path.resolve(import.meta.dirname, '..');
const folders = deploymentFolders(ROOT);
if (process.env.DATABASE_URL) {
  console.error(
    'npm run backup 只备份 SQLite；PostgreSQL 请用 pg_dump / npm run backup copies the SQLite file only: on PostgreSQL (DATABASE_URL) use pg_dump -Fc (docs/postgres.md)',
  );
  process.exit(1);
}
const schedule = backupSchedule(ROOT);
const folder = process.argv[2] ? path.resolve(process.argv[2]) : schedule.folder;
try {
  const made = backupFile(path.join(folders.dataDir, 'opencme.sqlite'), { folder, keysDir: folders.keysDir, keep: schedule.keep, now: new Date() });
  console.log(`备份完成 / backup made: ${path.join(folder, made.file)} (${made.bytes} bytes, schema ${made.lastMigration})`);
  console.log(`  需要的密钥 / keys it needs (not in the backup; back up ${folders.keysDir} separately):`);
  for (const key of made.keys) console.log(`    ${key.file}  sha256 ${key.sha256}`);
} catch (error) {
  console.error(`备份失败 / backup failed: ${(error as Error).message}`);
  process.exit(1);
}
