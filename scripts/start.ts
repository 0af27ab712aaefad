// `npm start`: builds the kiosk app when it changed (Turborepo caches it) and runs the server,
// which migrates the SQLite file under data/ and seeds the demo on first start.
import { spawnSync } from 'node:child_process';
import path from 'node:path';

const ROOT = path.resolve(import.meta.dirname, '..');
const build = spawnSync('pnpm', ['exec', 'turbo', 'run', 'build', '--filter=@opencme/kiosk', '--output-logs=errors-only'], {
  cwd: ROOT,
  stdio: 'inherit',
});
if (build.status !== 0) process.exit(build.status ?? 1);

await import('../apps/server/src/main.ts');
