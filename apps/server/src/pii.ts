// Personal data at rest (PIPL / 个人信息保护法): a resident ID number is stored encrypted
// (AES-256-GCM), found by a blind index (HMAC-SHA-256 under a separate key), and shown masked.
// No column holds an unkeyed digest or a field that rebuilds the number (the birth date is not
// kept beside the mask), so a copy of the database without the keys folder reveals no ID number.
import {
  createCipheriv,
  createDecipheriv,
  createECDH,
  createHash,
  createHmac,
  createPrivateKey,
  createSecretKey,
  type ECDH,
  generateKeyPairSync,
  hkdfSync,
  type KeyObject,
  randomBytes,
} from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import {
  base64UrlDecode,
  base64UrlEncode,
  ID_CARD_ROSTER_PREFIX,
  ID_SEAL_INFO,
  ID_SEAL_IV_BYTES,
  ID_SEAL_POINT_BYTES,
  idCardDigestMessage,
  maskIdNumber,
  SEALED_ID,
  SEALED_ID_PREFIX,
} from '@opencme/core';
import { KEY_FILES, writeKeyFile } from './key-files.ts';

export interface ServerKeys {
  idEncryption: Buffer;
  blindIndex: Buffer;
  /** The P-256 private key that kiosks seal ID-card taps to (`sealIdNumber` in core). */
  idSealing: KeyObject;
}

export function randomKeys(): ServerKeys {
  return { idEncryption: randomBytes(32), blindIndex: randomBytes(32), idSealing: newSealingKey() };
}

function newSealingKey(): KeyObject {
  return generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
}

/** Reads the deployment's keys from the keys folder, creating any that is missing (owner-readable only). */
export function loadOrCreateKeys(keysDir: string): ServerKeys {
  const file = path.join(keysDir, KEY_FILES.vault);
  if (!fs.existsSync(file)) {
    const body = { version: 1, idEncryption: randomBytes(32).toString('base64'), blindIndex: randomBytes(32).toString('base64') };
    writeKeyFile(file, `${JSON.stringify(body, null, 2)}\n`);
  }
  const body = JSON.parse(fs.readFileSync(file, 'utf8')) as { idEncryption: string; blindIndex: string };
  const idEncryption = Buffer.from(body.idEncryption, 'base64');
  const blindIndex = Buffer.from(body.blindIndex, 'base64');
  if (idEncryption.length !== 32 || blindIndex.length !== 32) throw new Error(`密钥文件损坏 / damaged key file: ${file}`);

  const sealingFile = path.join(keysDir, KEY_FILES.idSealing);
  if (!fs.existsSync(sealingFile)) writeKeyFile(sealingFile, newSealingKey().export({ format: 'pem', type: 'pkcs8' }).toString());
  let idSealing: KeyObject;
  try {
    idSealing = createPrivateKey(fs.readFileSync(sealingFile, 'utf8'));
  } catch (error) {
    throw new Error(`密钥文件损坏 / damaged key file: ${sealingFile}: ${String(error)}`, { cause: error });
  }
  return { idEncryption, blindIndex, idSealing };
}

/** The HMAC that names an ID card in one kiosk's roster (`rosterKey` in core computes the same at the door). */
export function idCardRosterKey(deviceKey: KeyObject, idNumber: string): string {
  return ID_CARD_ROSTER_PREFIX + createHmac('sha256', deviceKey).update(idCardDigestMessage(idNumber)).digest('hex');
}

/** The unkeyed digest kiosks of before issue 9 sent (`LEGACY_ID_CARD_DIGEST`): checked, never stored. */
export function legacyIdCardDigest(idNumber: string): string {
  return `id-card#${createHash('sha256').update(idCardDigestMessage(idNumber)).digest('hex')}`;
}

/**
 * An unkeyed digest that names no one the server can tell, as it is kept: under the blind-index
 * key, so that the copy of a database cannot be swept for it, yet two taps of one card still match.
 */
export function rekeyLegacyDigest(vault: IdNumberVault, digest: string): string {
  return `id-card#rekeyed:${vault.index(digest)}`;
}

const VERSION = 'v1';

export class IdNumberVault {
  // Key objects, not buffers: OpenSSL then sets each key up once, not at every call, which is
  // most of the cost of a roster pull's decrypt + HMAC per person.
  readonly #encryption: KeyObject;
  readonly #blindIndex: KeyObject;
  readonly #ecdh: ECDH;
  /** The public half of the sealing key, as kiosks import it (raw uncompressed point, base64url). */
  readonly sealingKey: string;

  constructor(keys: ServerKeys) {
    this.#encryption = createSecretKey(keys.idEncryption);
    this.#blindIndex = createSecretKey(keys.blindIndex);
    this.#ecdh = createECDH('prime256v1');
    this.#ecdh.setPrivateKey(Buffer.from(keys.idSealing.export({ format: 'jwk' }).d!, 'base64url'));
    this.sealingKey = base64UrlEncode(this.#ecdh.getPublicKey());
  }

  /** The lookup key of an ID number: equal numbers give equal keys, and nothing else is learnt. */
  index(idNumber: string): string {
    return createHmac('sha256', this.#blindIndex).update(idNumber.trim().toUpperCase()).digest('hex');
  }

  encrypt(idNumber: string): string {
    return this.#encrypt(Buffer.from(idNumber.trim().toUpperCase(), 'utf8'));
  }

  decrypt(stored: string): string {
    return this.#decrypt(stored).toString('utf8');
  }

  /** Another secret kept under the ID-number key (a kiosk's roster key), bound to what it is for. */
  encryptSecret(secret: Buffer, purpose: string): string {
    return this.#encrypt(secret, purpose);
  }

  decryptSecret(stored: string, purpose: string): Buffer {
    return this.#decrypt(stored, purpose);
  }

  #encrypt(plain: Buffer, purpose?: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.#encryption, iv);
    if (purpose) cipher.setAAD(Buffer.from(purpose, 'utf8'));
    const body = Buffer.concat([cipher.update(plain), cipher.final()]);
    return `${VERSION}:${Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64')}`;
  }

  #decrypt(stored: string, purpose?: string): Buffer {
    const [version, payload] = stored.split(':');
    if (version !== VERSION || !payload) throw new Error('unknown ID number encryption format');
    const raw = Buffer.from(payload, 'base64');
    const decipher = createDecipheriv('aes-256-gcm', this.#encryption, raw.subarray(0, 12));
    if (purpose) decipher.setAAD(Buffer.from(purpose, 'utf8'));
    decipher.setAuthTag(raw.subarray(12, 28));
    return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]);
  }

  /** Opens an ID number a kiosk sealed to this server (`sealIdNumber`); `null` if it is not one or was tampered with. */
  openSealed(sealed: string): string | null {
    if (!SEALED_ID.test(sealed)) return null;
    try {
      const bytes = Buffer.from(base64UrlDecode(sealed.slice(SEALED_ID_PREFIX.length)));
      const point = bytes.subarray(0, ID_SEAL_POINT_BYTES);
      const iv = bytes.subarray(ID_SEAL_POINT_BYTES, ID_SEAL_POINT_BYTES + ID_SEAL_IV_BYTES);
      const body = bytes.subarray(ID_SEAL_POINT_BYTES + ID_SEAL_IV_BYTES);
      const shared = this.#ecdh.computeSecret(point);
      const key = Buffer.from(hkdfSync('sha256', shared, point, ID_SEAL_INFO, 32));
      const decipher = createDecipheriv('aes-256-gcm', key, iv);
      decipher.setAuthTag(body.subarray(-16));
      return Buffer.concat([decipher.update(body.subarray(0, -16)), decipher.final()]).toString('utf8');
    } catch {
      return null;
    }
  }

  /** The three columns a person's ID number is stored as. */
  seal(idNumber: string) {
    return { id_number_enc: this.encrypt(idNumber), id_number_index: this.index(idNumber), id_number_masked: maskIdNumber(idNumber.trim().toUpperCase()) };
  }
}
