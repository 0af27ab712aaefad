import fs from 'node:fs';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import { CompiledQuery, Kysely, SqliteDialect } from 'kysely';
import { type MigrationProvider, Migrator } from 'kysely/migration';
import { type DialectName, migrations } from './migrations.ts';
import type { Database } from './schema.ts';

export type DB = Kysely<Database>;

export interface OpenedDatabase {
  db: DB;
  dialect: DialectName;
  /** The better-sqlite3 handle, for the few places that need the raw driver (benchmarks, backups). */
  sqlite: SQLite.Database;
}

/** Opens (creating if needed) the SQLite file and brings its schema up to date. */
export async function openSqlite(file: string): Promise<OpenedDatabase> {
  if (file !== ':memory:') ownerOnly(file);
  const sqlite = new SQLite(file);
  // WAL lets the admin pages read while a kiosk batch is being written; NORMAL sync is durable
  // across application crashes in WAL mode, which is what a tap needs.
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = NORMAL');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('busy_timeout = 5000');
  // What is deleted or rewritten (a dropped column, a re-keyed value) is overwritten, not left in
  // free pages where a copy of the file would still show it.
  sqlite.pragma('secure_delete = ON');
  const db = new Kysely<Database>({
    dialect: new SqliteDialect({
      database: sqlite,
      onCreateConnection: async (conn) => {
        await conn.executeQuery(CompiledQuery.raw('PRAGMA foreign_keys = ON'));
      },
    }),
  });
  await migrate(db, 'sqlite');
  return { db, dialect: 'sqlite', sqlite };
}

/**
 * The database file is the owner's only (0600), made so before SQLite first opens it: SQLite gives
 * its -wal and -shm files the database file's mode. Files of an earlier, laxer start are narrowed.
 */
function ownerOnly(file: string): void {
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  try {
    fs.closeSync(fs.openSync(file, 'wx', 0o600));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  for (const f of [file, `${file}-wal`, `${file}-shm`]) if (fs.existsSync(f)) fs.chmodSync(f, 0o600);
}

export async function migrate(db: DB, dialect: DialectName): Promise<void> {
  const provider: MigrationProvider = {
    async getMigrations() {
      return Object.fromEntries(Object.entries(migrations).map(([name, make]) => [name, make(dialect)]));
    },
  };
  const { error, results } = await new Migrator({ db, provider }).migrateToLatest();
  const failed = results?.find((r) => r.status === 'Error');
  if (error || failed) {
    throw new Error(`数据库迁移失败 / database migration failed${failed ? ` at ${failed.migrationName}` : ''}: ${String(error)}`);
  }
}

/** Takes the next value of the global change counter (roster versions for `sync.pull`). */
export async function nextVersion(db: DB): Promise<number> {
  const row = await db
    .updateTable('counters')
    .set((eb) => ({ value: eb('value', '+', 1) }))
    .where('name', '=', 'change')
    .returning('value')
    .executeTakeFirstOrThrow();
  return row.value;
}
