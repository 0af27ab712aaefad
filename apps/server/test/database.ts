// The database a test server stands on: a fresh SQLite file (the default), or under
// OPENCME_TEST_DB=postgres a fresh database on the run's PostgreSQL test cluster
// (postgres/global-setup.ts), copied from the seeded template and dropped at the end.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { sql } from 'kysely';
import pg from 'pg';
import { inject } from 'vitest';
import { type OpenedDatabase, openPostgres, openSqlite } from '../src/db/connect.ts';
import type { DialectName } from '../src/db/migrations.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The PostgreSQL test cluster's address, for its maintenance database `postgres` (postgres/global-setup.ts). */
    postgresAdminUrl: string;
  }
}

export const TEST_DIALECT: DialectName = process.env.OPENCME_TEST_DB === 'postgres' ? 'postgres' : 'sqlite';

export interface TestDatabase {
  opened: OpenedDatabase;
  /** The SQLite file (whose folder the test server keeps its files in either way). */
  file: string;
  /** The PostgreSQL address, or null on SQLite. */
  url: string | null;
  /** Another connection to the same database, as a second server process would open. */
  reopen(): Promise<OpenedDatabase>;
  /**
   * Everything the database holds, as an attacker with a copy would read it: the SQLite file's
   * bytes (write-ahead log checkpointed first), or every row of every PostgreSQL table as text.
   */
  contents(): Promise<string>;
  /** Closes the connection and drops the database (the SQLite file goes with its folder). */
  drop(): Promise<void>;
}

async function admin<T>(adminUrl: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/**
 * `template`: a SQLite file to start from (the run's seeded template); on PostgreSQL the seeded
 * template database is copied, unless `empty` asks for a database with nothing in it, for a server
 * process that migrates and seeds with its own keys.
 */
export async function openTestDatabase(dir: string, template: string | null = null, options: { empty?: boolean } = {}): Promise<TestDatabase> {
  const file = path.join(dir, 'opencme.sqlite');
  if (TEST_DIALECT === 'sqlite') {
    if (template) fs.copyFileSync(template, file);
    const opened = await openSqlite(file);
    return {
      opened,
      file,
      url: null,
      reopen: () => openSqlite(file),
      contents: async () => {
        opened.sqlite.pragma('wal_checkpoint(TRUNCATE)');
        return fs.readFileSync(file).toString('latin1');
      },
      drop: () => opened.db.destroy(),
    };
  }
  const adminUrl = inject('postgresAdminUrl');
  const name = `test_${randomBytes(6).toString('hex')}`;
  await admin(adminUrl, (c) => c.query(options.empty ? `create database ${name}` : `create database ${name} template opencme_template`));
  const url = adminUrl.replace(/\/postgres$/, `/${name}`);
  const opened = await openPostgres(url);
  return {
    opened,
    file,
    url,
    reopen: () => openPostgres(url),
    async contents() {
      const tables = await sql<{ name: string }>`select table_name as name from information_schema.tables where table_schema = 'public'`.execute(opened.db);
      const parts: string[] = [];
      for (const { name } of tables.rows) {
        const rows = await sql<{ row: string }>`select t::text as row from ${sql.table(name)} t`.execute(opened.db);
        parts.push(...rows.rows.map((r) => r.row));
      }
      return parts.join('\n');
    },
    async drop() {
      await opened.db.destroy();
      await admin(adminUrl, (c) => c.query(`drop database if exists ${name} with (force)`));
    },
  };
}
