// For tests: a kiosk that has synced once holds its roster key and the server's sealing key.
import { base64UrlEncode, importRosterKey, importSealingKey, type WebCryptoKey } from '@opencme/core';
import { type KioskDb, type KioskKeys, writeMeta } from './db.ts';

/** A server's sealing key pair, and its public half as `sync.pull` publishes it. */
export const SERVER_KEYS = await crypto.subtle.generateKey({ name: 'ECDH', namedCurve: 'P-256' }, true, ['deriveBits']);
export const SEALING_KEY = base64UrlEncode(new Uint8Array(await crypto.subtle.exportKey('raw', SERVER_KEYS.publicKey)));

export async function giveKeys(db: KioskDb): Promise<KioskKeys & { rosterKey: WebCryptoKey }> {
  const keys = {
    rosterKeyId: 'k1',
    rosterKey: await importRosterKey(crypto.getRandomValues(new Uint8Array(32))),
    sealingKey: await importSealingKey(SEALING_KEY),
    sealingKeyText: SEALING_KEY,
  };
  await writeMeta(db, 'keys', keys);
  return keys;
}
