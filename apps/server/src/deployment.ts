// What a running server stands on: the data folder (the SQLite file, or PostgreSQL where
// DATABASE_URL names it), the keys folder, the keys in it and the database brought up to date. `npm start` opens it; tests open it the same way.
import fs from 'node:fs';
import path from 'node:path';
import { displayUrl, openDatabase, postgresUrl } from './db/connect.ts';
import { KEY_FILES, prepareKeysFolder } from './key-files.ts';
import { IdNumberVault, loadOrCreateKeys } from './pii.ts';
import { loadOrCreateProofSigner } from './proof-key.ts';
import { upgradeAtRest } from './repositories/at-rest.ts';

export interface DeploymentFolders {
  dataDir: string;
  keysDir: string;
}

/**
 * DATA_DIR (default `<repo>/data`) and OPENCME_KEYS_DIR (default `<repo>/keys`): the keys sit
 * beside the data folder, not in it, so that whoever copies one does not thereby have the other.
 */
export function deploymentFolders(root: string, env: NodeJS.ProcessEnv = process.env): DeploymentFolders {
  return {
    dataDir: path.resolve(env.DATA_DIR ?? path.join(root, 'data')),
    keysDir: path.resolve(env.OPENCME_KEYS_DIR ?? path.join(root, 'keys')),
  };
}

export async function openDeployment(folders: DeploymentFolders, log: (line: string) => void = console.log, env: NodeJS.ProcessEnv = process.env) {
  fs.mkdirSync(folders.dataDir, { recursive: true, mode: 0o700 });
  fs.chmodSync(folders.dataDir, 0o700);
  prepareKeysFolder(folders.keysDir, folders.dataDir, log);
  const vault = new IdNumberVault(loadOrCreateKeys(folders.keysDir));
  const proofSigner = await loadOrCreateProofSigner(path.join(folders.keysDir, KEY_FILES.proof));
  const url = postgresUrl(env);
  const file = path.join(folders.dataDir, 'opencme.sqlite');
  const opened = await openDatabase({ url, file });
  await upgradeAtRest(opened.db, vault, log);
  // Pages written before the upgrade leave the write-ahead log now rather than at some later checkpoint.
  opened.sqlite?.pragma('wal_checkpoint(TRUNCATE)');
  /** Where the data is, to print: the SQLite file, or the PostgreSQL address without its password. */
  const where = url ? displayUrl(url) : file;
  return { ...opened, file, where, vault, proofSigner };
}
