import os from 'node:os';
import { defineProject } from 'vitest/config';

/**
 * Server tests that stand on SQLite itself and so are left out of the PostgreSQL run
 * (OPENCME_TEST_DB=postgres), each with why. Everything else runs on both databases.
 */
export const SQLITE_ONLY: Record<string, string> = {
  'test/backup.test.ts': "SQLite's online backup API and file restore; PostgreSQL is backed up with pg_dump (npm run backup refuses it)",
  'test/chaos.test.ts': 'kills the server mid-write and checks the SQLite file with integrity_check',
  'test/security/key-files.test.ts': 'the database file and its -wal/-shm are mode 0600 (PostgreSQL keeps its files itself)',
  'test/security/at-rest.test.ts': 'reads the bytes of a stolen copy of the SQLite file',
};

const postgres = process.env.OPENCME_TEST_DB === 'postgres';

// Each server test file boots the real app on a fresh copy of a database into which the global
// setup seeded the demo once (test/template.ts); the limits are for hangs, not for speed (speed
// belongs in `npm run bench`).
export default defineProject({
  test: {
    name: postgres ? '@opencme/server (PostgreSQL)' : '@opencme/server',
    testTimeout: 60_000,
    // The files share one module graph per worker: each file boots its own app on its own copy of
    // the database, and importing the server's modules again for every file (isolation) was 40 %
    // of the run's CPU. Nothing a test file changes in a module outlives its own app.
    isolate: false,
    // A project listed by its folder does not inherit the root config's maxWorkers, and Vitest's
    // default (one less than the cores) is one worker on a 2-core CI machine, which then waits
    // idle on each file's HTTP round trips, child processes and PostgreSQL.
    maxWorkers: Math.max(2, os.availableParallelism() - 1),
    hookTimeout: 180_000,
    ...(postgres
      ? { globalSetup: ['test/postgres/global-setup.ts'], exclude: ['**/node_modules/**', 'src/**', ...Object.keys(SQLITE_ONLY)] }
      : { globalSetup: ['test/template-setup.ts'] }),
  },
});
