// `npm run restore -- FILE`: restores a backup into the deployment's data folder while the server
// is stopped. It refuses while a server has the database open, checks the backup (integrity,
// schema version, manifest, keys) before touching anything, and keeps the database it replaces.
import path from 'node:path';
import { restoreBackup } from '../apps/server/src/backup.ts';
import { deploymentFolders } from '../apps/server/src/deployment.ts';

const ROOT = path.resolve(import.meta.dirname, '..');
const file = process.argv[2];
if (!file) {
  console.error('用法 / usage: npm run restore -- BACKUP_FILE   (DATA_DIR and OPENCME_KEYS_DIR as for npm start)');
  process.exit(2);
}
const folders = deploymentFolders(ROOT);
if (process.env.DATABASE_URL) {
  console.error(
    'npm run restore 只恢复 SQLite；PostgreSQL 请用 pg_restore / npm run restore puts back the SQLite file only: on PostgreSQL (DATABASE_URL) use pg_restore (docs/postgres.md)',
  );
  process.exit(1);
}
try {
  restoreBackup(path.resolve(file), { ...folders, now: new Date(), log: (line) => console.log(line) });
  console.log('启动服务器即可 / start the server (npm start) to use it');
} catch (error) {
  console.error(`恢复失败 / restore refused: ${(error as Error).message}`);
  process.exit(1);
}
