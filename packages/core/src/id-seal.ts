// An ID-card tap leaves the kiosk with its number sealed to the server: ECIES on P-256 (an
// ephemeral ECDH key per tap, HKDF-SHA-256, AES-256-GCM). The kiosk can seal but not open, so an
// outbox that waits days for the network on a tablet anyone can pick up holds no number; the
// server opens it and keeps only the blind index. Unlike a digest, a sealed number names anyone,
// a visitor from another unit too, without the server keeping a table per kiosk.
import type { WebCryptoKey } from './credential-key.ts';
import { base64UrlDecode, base64UrlEncode } from './proof.ts';

export const SEALED_ID_PREFIX = 'sealed-id:v1:';
export const SEALED_ID = /^sealed-id:v1:[A-Za-z0-9_-]{140,200}$/;
/** HKDF's info; the salt is the ephemeral public key. */
export const ID_SEAL_INFO = 'opencme-id-seal-v1';
/** Lengths inside a sealed number: the ephemeral point (uncompressed P-256), then the GCM nonce. */
export const ID_SEAL_POINT_BYTES = 65;
export const ID_SEAL_IV_BYTES = 12;

const P256 = { name: 'ECDH', namedCurve: 'P-256' } as const;

/** The server's sealing key as published in `sync.pull` (the raw uncompressed point, base64url). */
export function importSealingKey(rawPublicKey: string): Promise<WebCryptoKey> {
  return crypto.subtle.importKey('raw', new Uint8Array(base64UrlDecode(rawPublicKey)), P256, false, []);
}

export async function sealIdNumber(serverKey: WebCryptoKey, idNumber: string): Promise<string> {
  const ephemeral = await crypto.subtle.generateKey(P256, true, ['deriveBits']);
  const point = new Uint8Array(await crypto.subtle.exportKey('raw', ephemeral.publicKey));
  const shared = await crypto.subtle.deriveBits({ name: 'ECDH', public: serverKey }, ephemeral.privateKey, 256);
  const hkdf = await crypto.subtle.importKey('raw', shared, 'HKDF', false, ['deriveKey']);
  const key = await crypto.subtle.deriveKey(
    { name: 'HKDF', hash: 'SHA-256', salt: point, info: new TextEncoder().encode(ID_SEAL_INFO) },
    hkdf,
    { name: 'AES-GCM', length: 256 },
    false,
    ['encrypt'],
  );
  const iv = crypto.getRandomValues(new Uint8Array(ID_SEAL_IV_BYTES));
  const body = new Uint8Array(await crypto.subtle.encrypt({ name: 'AES-GCM', iv }, key, new TextEncoder().encode(idNumber.trim().toUpperCase())));
  const sealed = new Uint8Array(point.length + iv.length + body.length);
  sealed.set(point, 0);
  sealed.set(iv, point.length);
  sealed.set(body, point.length + iv.length);
  return SEALED_ID_PREFIX + base64UrlEncode(sealed);
}
