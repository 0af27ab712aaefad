// The deployment's keys live in a folder of their own, outside the data folder by default, so that
// a copy of data/ (a backup, a disk image, a database file sent for support) is not also a copy of
// what decrypts it. The folder is the owner's only (0700), and so is each file in it (0600).
import fs from 'node:fs';
import path from 'node:path';

/** The files of the keys folder: the ID-number keys, the tap sealing key, the proof-signing key. */
export const KEY_FILES = { vault: 'keys.json', idSealing: 'id-sealing-key.pem', proof: 'proof-key.pem' } as const;

/** Writes a new key file, readable by the owner only; never overwrites one. */
export function writeKeyFile(file: string, text: string): void {
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  fs.writeFileSync(file, text, { mode: 0o600, flag: 'wx' });
}

/**
 * Makes the keys folder owner-only, and moves into it the keys that versions before issue 9 kept
 * in the data folder. A key found in both places with different contents stops the start: which
 * one encrypts the database is the operator's call, not a guess.
 */
export function prepareKeysFolder(keysDir: string, dataDir: string, log: (line: string) => void): void {
  fs.mkdirSync(keysDir, { recursive: true, mode: 0o700 });
  fs.chmodSync(keysDir, 0o700);
  if (isInside(keysDir, dataDir)) log(`警告：密钥目录在数据目录之内 / warning: the keys folder ${keysDir} is inside the data folder ${dataDir}`);
  for (const name of [KEY_FILES.vault, KEY_FILES.proof]) {
    const old = path.join(dataDir, name);
    const target = path.join(keysDir, name);
    if (old === target || !fs.existsSync(old)) continue;
    if (fs.existsSync(target)) {
      if (!fs.readFileSync(old).equals(fs.readFileSync(target))) {
        throw new Error(`密钥冲突 / two different keys: ${old} and ${target}; keep the one that encrypts the database and remove the other`);
      }
      fs.rmSync(old);
    } else {
      moveFile(old, target);
    }
    log(`密钥已移出数据目录 / key moved out of the data folder: ${old} → ${target}`);
  }
  for (const name of fs.readdirSync(keysDir)) fs.chmodSync(path.join(keysDir, name), 0o600);
}

function moveFile(from: string, to: string): void {
  try {
    fs.renameSync(from, to);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EXDEV') throw error;
    // Another file system: copy, then remove the original only once the copy is whole.
    fs.copyFileSync(from, to, fs.constants.COPYFILE_EXCL);
    fs.rmSync(from);
  }
}

function isInside(child: string, parent: string): boolean {
  const relative = path.relative(path.resolve(parent), path.resolve(child));
  return relative === '' || (!relative.startsWith('..') && !path.isAbsolute(relative));
}
