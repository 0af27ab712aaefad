// Backups of the live database, and restoring one into a stopped server (docs/backup.md).
// A database in use is never copied as a file: a copy taken mid-write can be torn, and its
// write-ahead log holds what the main file does not yet. A backup is made by SQLite itself, as a
// consistent snapshot while kiosks go on writing: the backup API through the server's own
// connection (on the server's schedule), or `VACUUM INTO` from a connection of its own (the
// `npm run backup` command, beside a running server). The keys are not in a backup: its manifest
// names the key files it needs, by fingerprint, so that whoever restores can tell they hold the right ones.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import { migrations } from './db/migrations.ts';
import { KEY_FILES } from './key-files.ts';

export const BACKUP_FORMAT = 'opencme-backup-1';
const PREFIX = 'opencme-';
const SUFFIX = '.sqlite';

export interface BackupManifest {
  format: typeof BACKUP_FORMAT;
  createdAt: string;
  /** The backup's file name, beside this manifest (`<name>.json`). */
  file: string;
  bytes: number;
  sha256: string;
  /** The last schema migration the backup has: a server of this version or later restores it. */
  lastMigration: string;
  /** The key files that read it (ID numbers, sealed taps, proofs): names and fingerprints, never the keys. */
  keys: { file: string; sha256: string }[];
}

export interface BackupSchedule {
  folder: string;
  /** 0: no scheduled backups. */
  intervalMs: number;
  /** How many backups are kept; older ones are deleted after each new one. */
  keep: number;
}

/**
 * OPENCME_BACKUP_DIR (default `<repo>/backups`, beside data/ and keys/), OPENCME_BACKUP_INTERVAL_HOURS
 * (default 24; 0 turns the schedule off), OPENCME_BACKUP_KEEP (default 14).
 */
export function backupSchedule(root: string, env: NodeJS.ProcessEnv = process.env): BackupSchedule {
  const hours = Number(env.OPENCME_BACKUP_INTERVAL_HOURS ?? 24);
  const keep = Number(env.OPENCME_BACKUP_KEEP ?? 14);
  // A timer waits at most 2^31 ms (24.8 days); beyond that Node would fire it at once, over and over.
  if (!Number.isFinite(hours) || hours < 0 || hours * 3_600_000 > 2 ** 31 - 1)
    throw new Error(`OPENCME_BACKUP_INTERVAL_HOURS is not a number of hours from 0 to 596: ${env.OPENCME_BACKUP_INTERVAL_HOURS}`);
  if (!Number.isInteger(keep) || keep < 1) throw new Error(`OPENCME_BACKUP_KEEP is not a whole number of at least 1: ${env.OPENCME_BACKUP_KEEP}`);
  return { folder: path.resolve(env.OPENCME_BACKUP_DIR ?? path.join(root, 'backups')), intervalMs: hours * 3_600_000, keep };
}

/**
 * A backup through the running server's own connection, with SQLite's online backup API: it copies
 * a few pages at a time between the server's requests, and what the server writes meanwhile goes
 * into the copy as well.
 */
export async function backupLive(sqlite: SQLite.Database, options: { folder: string; keysDir: string; keep: number; now: Date }): Promise<BackupManifest> {
  const { partial, name } = start(options.folder, options.now);
  try {
    await sqlite.backup(partial);
  } catch (error) {
    fs.rmSync(partial, { force: true });
    throw error;
  }
  return finish(partial, name, options);
}

/**
 * A backup from a connection of its own (another process than the server): `VACUUM INTO` reads the
 * database in one read transaction, a consistent snapshot, however much is written meanwhile.
 */
export function backupFile(databaseFile: string, options: { folder: string; keysDir: string; keep: number; now: Date }): BackupManifest {
  if (!fs.existsSync(databaseFile)) throw new Error(`没有数据库文件 / no database file: ${databaseFile}`);
  const { partial, name } = start(options.folder, options.now);
  const source = new SQLite(databaseFile, { readonly: true, fileMustExist: true, timeout: 30_000 });
  try {
    source.prepare('VACUUM INTO ?').run(partial);
  } catch (error) {
    fs.rmSync(partial, { force: true });
    throw error;
  } finally {
    source.close();
  }
  return finish(partial, name, options);
}

function start(folder: string, now: Date): { partial: string; name: string } {
  fs.mkdirSync(folder, { recursive: true, mode: 0o700 });
  // Names sort by time: rotation keeps the last ones by name. Milliseconds keep two of one second apart.
  const name = `${PREFIX}${now.toISOString().replace(/[-:]/g, '').replace('T', '-').replace('.', '-').replace('Z', '')}${SUFFIX}`;
  const partial = path.join(folder, `${name}.partial`);
  fs.rmSync(partial, { force: true });
  // Owner-only before a byte is in it: it holds everything the database does.
  fs.closeSync(fs.openSync(partial, 'wx', 0o600));
  return { partial, name };
}

/** Checks the new file, then gives it its name: a backup under its final name is whole. */
function finish(partial: string, name: string, options: { folder: string; keysDir: string; keep: number; now: Date }): BackupManifest {
  let lastMigration: string;
  try {
    // A copy keeps the live database's WAL mode; a backup is one self-contained file instead.
    const copy = new SQLite(partial, { fileMustExist: true });
    copy.pragma('journal_mode = DELETE');
    copy.close();
    lastMigration = verifyBackup(partial).lastMigration;
  } catch (error) {
    fs.rmSync(partial, { force: true });
    throw error;
  }
  const file = path.join(options.folder, name);
  fs.renameSync(partial, file);
  const bytes = fs.readFileSync(file);
  const manifest: BackupManifest = {
    format: BACKUP_FORMAT,
    createdAt: options.now.toISOString(),
    file: name,
    bytes: bytes.length,
    sha256: sha256(bytes),
    lastMigration,
    keys: keyFingerprints(options.keysDir),
  };
  fs.writeFileSync(`${file}.json`, `${JSON.stringify(manifest, null, 2)}\n`, { mode: 0o600 });
  rotate(options.folder, options.keep);
  return manifest;
}

function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** The deployment's key files present in the keys folder, by name and fingerprint. */
export function keyFingerprints(keysDir: string): { file: string; sha256: string }[] {
  return Object.values(KEY_FILES)
    .filter((file) => fs.existsSync(path.join(keysDir, file)))
    .map((file) => ({ file, sha256: sha256(fs.readFileSync(path.join(keysDir, file))) }));
}

/** The backups in a folder, oldest first. */
export function listBackups(folder: string): string[] {
  if (!fs.existsSync(folder)) return [];
  return fs
    .readdirSync(folder)
    .filter((f) => f.startsWith(PREFIX) && f.endsWith(SUFFIX))
    .sort()
    .map((f) => path.join(folder, f));
}

/** Keeps the newest `keep` backups (and their manifests), deleting the others. */
export function rotate(folder: string, keep: number): void {
  const all = listBackups(folder);
  for (const old of all.slice(0, Math.max(0, all.length - keep))) {
    fs.rmSync(old, { force: true });
    fs.rmSync(`${old}.json`, { force: true });
  }
}

/**
 * Whether a backup can be restored: SQLite finds the file whole (`integrity_check`), and it is an
 * OpenCME database of this version or an earlier one (its migrations are all known here).
 */
export function verifyBackup(file: string): { lastMigration: string } {
  let db: SQLite.Database;
  try {
    db = new SQLite(file, { readonly: true, fileMustExist: true });
  } catch (error) {
    throw new Error(`无法打开备份 / cannot open the backup ${file}: ${(error as Error).message}`, { cause: error });
  }
  try {
    let integrity: string;
    try {
      integrity = String(db.pragma('integrity_check', { simple: true }));
    } catch (error) {
      throw new Error(`备份已损坏 / the backup is damaged (${file}): ${(error as Error).message}`, { cause: error });
    }
    if (integrity !== 'ok') throw new Error(`备份已损坏 / the backup is damaged (${file}): ${integrity}`);
    const table = db.prepare("select name from sqlite_master where type = 'table' and name = 'kysely_migration'").get();
    if (!table) throw new Error(`不是 OpenCME 数据库 / not an OpenCME database (no migrations table): ${file}`);
    const applied = (db.prepare('select name from kysely_migration order by name').all() as { name: string }[]).map((r) => r.name);
    const unknown = applied.filter((name) => !(name in migrations));
    if (unknown.length > 0) {
      throw new Error(`备份来自更新的版本 / the backup is of a newer OpenCME (migrations unknown here: ${unknown.join(', ')}): update first`);
    }
    const lastMigration = applied.at(-1);
    if (!lastMigration) throw new Error(`备份是空的 / the backup holds no schema: ${file}`);
    return { lastMigration };
  } finally {
    db.close();
  }
}

/**
 * Whether a process has the database open (a running server): its connection holds SQLite's
 * shared lock, so an exclusive lock cannot be had. A server killed outright holds nothing.
 */
export function databaseInUse(file: string): boolean {
  if (!fs.existsSync(file)) return false;
  const probe = new SQLite(file, { timeout: 0, fileMustExist: true });
  try {
    probe.pragma('locking_mode = EXCLUSIVE');
    probe.exec('BEGIN EXCLUSIVE');
    probe.exec('COMMIT');
    return false;
  } catch (error) {
    if ((error as { code?: string }).code === 'SQLITE_BUSY') return true;
    throw error;
  } finally {
    probe.close();
  }
}

/**
 * Restores a backup into the data folder of a stopped server: refuses while the database is in use,
 * checks the backup first (and its manifest and the keys, where there is a manifest), keeps the
 * database it replaces beside it, and puts the backup in its place. The server's next start brings
 * its schema up to date.
 */
export function restoreBackup(
  backup: string,
  options: { dataDir: string; keysDir: string; now: Date; log?: (line: string) => void },
): { replaced: string | null } {
  const log = options.log ?? (() => undefined);
  const target = path.join(options.dataDir, 'opencme.sqlite');
  if (databaseInUse(target)) {
    throw new Error(`服务器正在运行：请先停止它 / the server is running on ${target}: stop it first, then restore`);
  }
  const { lastMigration } = verifyBackup(backup);
  const manifestFile = `${backup}.json`;
  if (fs.existsSync(manifestFile)) {
    const manifest = JSON.parse(fs.readFileSync(manifestFile, 'utf8')) as BackupManifest;
    if (manifest.sha256 !== sha256(fs.readFileSync(backup))) throw new Error(`备份与其清单不符 / the backup does not match its manifest: ${backup}`);
    const held = new Map(keyFingerprints(options.keysDir).map((k) => [k.file, k.sha256]));
    const wrong = manifest.keys.filter((k) => held.get(k.file) !== k.sha256).map((k) => k.file);
    if (wrong.length > 0) {
      throw new Error(
        `密钥不符 / the keys folder ${options.keysDir} does not hold the keys this backup needs: ${wrong.join(', ')}; restore them from the keys backup first`,
      );
    }
  } else {
    log(`没有清单，未核对密钥 / no manifest beside the backup: the keys were not checked (${manifestFile})`);
  }
  fs.mkdirSync(options.dataDir, { recursive: true, mode: 0o700 });
  let replaced: string | null = null;
  if (fs.existsSync(target)) {
    // The database being replaced is kept, never deleted: a restore of the wrong file is undone by hand.
    replaced = `${target}.before-restore-${options.now.toISOString().replace(/[-:.]/g, '')}`;
    for (const suffix of ['', '-wal', '-shm']) if (fs.existsSync(`${target}${suffix}`)) fs.renameSync(`${target}${suffix}`, `${replaced}${suffix}`);
  }
  const partial = `${target}.restoring`;
  fs.rmSync(partial, { force: true });
  fs.copyFileSync(backup, partial);
  fs.chmodSync(partial, 0o600);
  fs.renameSync(partial, target);
  log(`已恢复 / restored ${backup} (schema ${lastMigration}) into ${target}${replaced ? `; the database it replaced is ${replaced}` : ''}`);
  return { replaced };
}
