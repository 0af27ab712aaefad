import { describe, expect, it } from 'vitest';
import { ID_SEAL_INFO, ID_SEAL_IV_BYTES, ID_SEAL_POINT_BYTES, importSealingKey, SEALED_ID, SEALED_ID_PREFIX, sealIdNumber } from './id-seal.ts';
import { base64UrlDecode, base64UrlEncode } from './proof.ts';

/** The server's side, in WebCrypto: what apps/server/src/pii.ts does with node:crypto. */
async function open(privateKey: CryptoKey, sealed: string): Promise<string> {
  const bytes = base64UrlDecode(sealed.slice(SEALED_ID_PREFIX.length));
  const point = bytes.slice(0, ID_SEAL_POINT_BYTES);
  const iv = bytes.slice(ID_SEAL_POINT_BYTES, ID_SEAL_POINT_BYTES + ID_SEAL_IV_BYTES);
  const ephemeral = await crypto.subtle.importKey('raw', point, { name: 'ECDH', namedCurve: 'P-256' }, false, []);
  const shared = await crypto.subtle.deriveBits({ name: 'ECDH', public: ephemeral }, privateKey, 256);
  const hkdf = await crypto.subtle.importKey('raw', shared, 'HKDF', false, ['deriveKey']);
  const key = await crypto.subtle.deriveKey(
    { name: 'HKDF', hash: 'SHA-256', salt: point, info: new TextEncoder().encode(ID_SEAL_INFO) },
    hkdf,
    { name: 'AES-GCM', length: 256 },
    false,
    ['decrypt'],
  );
  return new TextDecoder().decode(await crypto.subtle.decrypt({ name: 'AES-GCM', iv }, key, bytes.slice(ID_SEAL_POINT_BYTES + ID_SEAL_IV_BYTES)));
}

describe('sealIdNumber', () => {
  it('seals a number that only the holder of the private key opens, differently each time', async () => {
    const server = await crypto.subtle.generateKey({ name: 'ECDH', namedCurve: 'P-256' }, true, ['deriveBits']);
    const published = base64UrlEncode(new Uint8Array(await crypto.subtle.exportKey('raw', server.publicKey)));
    const sealingKey = await importSealingKey(published);
    const a = await sealIdNumber(sealingKey, '11010519491231002x');
    const b = await sealIdNumber(sealingKey, '11010519491231002X');
    expect(a).toMatch(SEALED_ID);
    expect(a).not.toBe(b);
    expect(a.length).toBeLessThanOrEqual(200);
    expect(a).not.toContain('110105');
    expect(await open(server.privateKey, a)).toBe('11010519491231002X');
    expect(await open(server.privateKey, b)).toBe('11010519491231002X');
  });
});
