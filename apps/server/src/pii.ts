// Personal data at rest (PIPL / 个人信息保护法): a resident ID number is stored encrypted
// (AES-256-GCM), found by a blind index (HMAC-SHA-256 under a separate key), and shown masked.
// A copy of the database without data/keys.json reveals no ID number.
import { createCipheriv, createDecipheriv, createHmac, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { maskIdNumber } from '@opencme/core';

export interface ServerKeys {
  idEncryption: Buffer;
  blindIndex: Buffer;
}

export function randomKeys(): ServerKeys {
  return { idEncryption: randomBytes(32), blindIndex: randomBytes(32) };
}

/** Reads the server's keys, creating them (readable by the owner only) on first start. */
export function loadOrCreateKeys(file: string): ServerKeys {
  if (!fs.existsSync(file)) {
    const keys = randomKeys();
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const body = { version: 1, idEncryption: keys.idEncryption.toString('base64'), blindIndex: keys.blindIndex.toString('base64') };
    fs.writeFileSync(file, `${JSON.stringify(body, null, 2)}\n`, { mode: 0o600, flag: 'wx' });
    return keys;
  }
  const body = JSON.parse(fs.readFileSync(file, 'utf8')) as { idEncryption: string; blindIndex: string };
  const keys = { idEncryption: Buffer.from(body.idEncryption, 'base64'), blindIndex: Buffer.from(body.blindIndex, 'base64') };
  if (keys.idEncryption.length !== 32 || keys.blindIndex.length !== 32) throw new Error(`密钥文件损坏 / damaged key file: ${file}`);
  return keys;
}

const VERSION = 'v1';

export class IdNumberVault {
  readonly #keys: ServerKeys;
  constructor(keys: ServerKeys) {
    this.#keys = keys;
  }

  /** The lookup key of an ID number: equal numbers give equal keys, and nothing else is learnt. */
  index(idNumber: string): string {
    return createHmac('sha256', this.#keys.blindIndex).update(idNumber.trim().toUpperCase()).digest('hex');
  }

  encrypt(idNumber: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.#keys.idEncryption, iv);
    const body = Buffer.concat([cipher.update(idNumber.trim().toUpperCase(), 'utf8'), cipher.final()]);
    return `${VERSION}:${Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64')}`;
  }

  decrypt(stored: string): string {
    const [version, payload] = stored.split(':');
    if (version !== VERSION || !payload) throw new Error('unknown ID number encryption format');
    const raw = Buffer.from(payload, 'base64');
    const decipher = createDecipheriv('aes-256-gcm', this.#keys.idEncryption, raw.subarray(0, 12));
    decipher.setAuthTag(raw.subarray(12, 28));
    return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8');
  }

  /** The three columns a person's ID number is stored as. */
  seal(idNumber: string) {
    return { id_number_enc: this.encrypt(idNumber), id_number_index: this.index(idNumber), id_number_masked: maskIdNumber(idNumber.trim().toUpperCase()) };
  }
}
