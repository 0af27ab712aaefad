import fs from 'node:fs';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import { CompiledQuery, Kysely, PostgresDialect, SqliteDialect, sql } from 'kysely';
import { type MigrationProvider, Migrator } from 'kysely/migration';
import pg from 'pg';
import { type DialectName, migrations } from './migrations.ts';
import type { Database } from './schema.ts';

export type DB = Kysely<Database>;

export interface OpenedDatabase {
  db: DB;
  dialect: DialectName;
  /**
   * The better-sqlite3 handle, for the few places that need the raw driver (benchmarks, backups);
   * null on PostgreSQL, where those places refuse or do their PostgreSQL equivalent.
   */
  sqlite: SQLite.Database | null;
}

/**
 * The database a server stands on: PostgreSQL when DATABASE_URL names one (postgres://…), else
 * the SQLite file. Either way brought up to date by the same migrations.
 */
export async function openDatabase(target: { url?: string | undefined; file: string }): Promise<OpenedDatabase> {
  return target.url ? openPostgres(target.url) : openSqlite(target.file);
}

/** Whether a DATABASE_URL names a PostgreSQL server (anything else set there is refused). */
export function postgresUrl(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const url = env.DATABASE_URL?.trim();
  if (!url) return undefined;
  if (!/^postgres(ql)?:\/\//.test(url))
    throw new Error(`DATABASE_URL 须为 postgres://… / DATABASE_URL must be a postgres:// address (SQLite needs none: it is DATA_DIR's file)`);
  return url;
}

/** The address without its password, to print. */
export function displayUrl(url: string): string {
  const u = new URL(url);
  if (u.password) u.password = '***';
  return u.toString();
}

// PostgreSQL's 64-bit integers (count(*), sum() of integers) and numerics (sum() of bigints, avg())
// come back as numbers, as they do from SQLite: every count and total in the code is a number, and
// none comes near 2^53.
const NUMBER_TYPES = new Set([pg.types.builtins.INT8, pg.types.builtins.NUMERIC]);
const types = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary'): unknown =>
    NUMBER_TYPES.has(oid) ? (value: string) => Number(value) : (pg.types.getTypeParser(oid, format ?? 'text') as unknown)) as typeof pg.types.getTypeParser,
};

/** Connects to a PostgreSQL database (which must exist) and brings its schema up to date. */
export async function openPostgres(url: string): Promise<OpenedDatabase> {
  const pool = new pg.Pool({ connectionString: url, types, max: Number(process.env.DATABASE_POOL_SIZE ?? 10) });
  // An idle connection the server drops (a restart, a network cut) is reported here, not thrown
  // at whoever happens to be waiting: the pool opens a new one for the next query.
  pool.on('error', (error) => console.error(`PostgreSQL 连接中断 / connection lost: ${error.message}`));
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  try {
    await migrate(db, 'postgres');
    await warnOfCollation(db);
  } catch (error) {
    await db.destroy();
    throw error;
  }
  return { db, dialect: 'postgres', sqlite: null };
}

/**
 * Lists and pages are ordered by text (names), which SQLite compares byte by byte. A PostgreSQL
 * database made with a language's collation orders the same names differently (and pages stay
 * consistent, but not the same as on SQLite): `createdb --locale=C` (or `LC_COLLATE 'C'`) keeps
 * them identical.
 */
async function warnOfCollation(db: DB): Promise<void> {
  const { rows } = await sql<{ collation: string }>`select datcollate as collation from pg_database where datname = current_database()`.execute(db);
  const collation = rows[0]?.collation ?? '';
  if (!['C', 'POSIX', 'C.UTF-8', 'C.utf8', 'ucs_basic'].includes(collation))
    console.warn(
      `PostgreSQL 数据库排序规则为 ${collation}，建议 C / the database collates as ${collation}: create it with --locale=C to order names as SQLite does`,
    );
}

/** Opens (creating if needed) the SQLite file and brings its schema up to date. */
export async function openSqlite(file: string): Promise<OpenedDatabase & { sqlite: SQLite.Database }> {
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
      database: reusingStatements(sqlite),
      onCreateConnection: async (conn) => {
        await conn.executeQuery(CompiledQuery.raw('PRAGMA foreign_keys = ON'));
      },
    }),
  });
  await migrate(db, 'sqlite');
  return { db, dialect: 'sqlite', sqlite };
}

/**
 * The connection as Kysely sees it, with each statement compiled once and kept: Kysely prepares
 * every query it runs, and on a small query (a public lookup, a rate-limit count) compiling the SQL
 * costs more than running it. A statement still being iterated (a stream) is not handed out twice;
 * a statement outlives a schema change, as SQLite compiles it again itself when the schema moved.
 *
 * Kysely opens its transactions with a plain (deferred) `begin`: one that reads and then writes
 * fails at once with SQLITE_BUSY, without waiting, when another process wrote in between (WAL
 * keeps its read snapshot). Two server processes on one file then fail each other's requests, the
 * more often the faster they run: a transaction here takes the write lock when it begins, and
 * waits its turn (busy_timeout) instead. One process has one connection, so nothing waits within it.
 */
function reusingStatements(sqlite: SQLite.Database): { prepare: SQLite.Database['prepare']; close: () => void } {
  const kept = new Map<string, SQLite.Statement>();
  return {
    prepare(text: string) {
      const source = text === 'begin' ? 'begin immediate' : text;
      const found = kept.get(source);
      if (found && !found.busy) return found;
      const statement = sqlite.prepare(source);
      // Queries whose IN lists vary in length are each their own text: the cache starts afresh rather than grow.
      if (kept.size >= 1000) kept.clear();
      if (!found) kept.set(source, statement);
      return statement;
    },
    close: () => sqlite.close(),
  } as { prepare: SQLite.Database['prepare']; close: () => void };
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
