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

// Each server test file boots the real app on a real database and seeds the demo's 200 staff
// with portraits: seconds on a quiet machine, much more on a loaded 2-core one. The limits are for
// hangs, not for speed (speed belongs in `npm run bench`).
export default defineProject({
  test: {
    name: postgres ? '@opencme/server (PostgreSQL)' : '@opencme/server',
    testTimeout: 60_000,
    hookTimeout: 180_000,
    ...(postgres ? { globalSetup: ['test/postgres/global-setup.ts'], exclude: ['**/node_modules/**', 'src/**', ...Object.keys(SQLITE_ONLY)] } : {}),
  },
});
