import { describe, expect, it } from 'vitest';
import {
  base64UrlDecode,
  base64UrlEncode,
  type CreditProofPayload,
  encodeProofPayload,
  proofCode,
  proofKeyId,
  type PublishedProofKey,
  publishedProofKeysSchema,
  verifyProofCode,
} from './proof.ts';

/** A key pair, and its public half as a server publishes it (`validity` overrides the dates). */
async function keyPair(validity: Partial<PublishedProofKey> = {}) {
  const pair = await crypto.subtle.generateKey({ name: 'Ed25519' }, true, ['sign', 'verify']);
  const raw = new Uint8Array(await crypto.subtle.exportKey('raw', pair.publicKey));
  const keyId = await proofKeyId(raw);
  const published: PublishedProofKey = {
    keyId,
    alg: 'Ed25519',
    publicKey: base64UrlEncode(raw),
    notBefore: '2026-01-01T00:00:00Z',
    notAfter: null,
    withdrawnAt: null,
    ...validity,
  };
  return { privateKey: pair.privateKey, keyId, published };
}

async function sign(payload: CreditProofPayload, privateKey: CryptoKey): Promise<string> {
  const text = encodeProofPayload(payload);
  const signature = new Uint8Array(await crypto.subtle.sign({ name: 'Ed25519' }, privateKey, new TextEncoder().encode(text)));
  return proofCode(text, signature);
}

const payload = (keyId: string): CreditProofPayload => ({
  kind: 'credit-proof',
  id: '019a4f7e-0000-7000-8000-000000000001',
  name: '王秀英',
  idMasked: '340102********1234',
  institution: '合肥市第一人民医院',
  fromYear: 2025,
  toYear: 2025,
  classI: 10,
  classII: 15.5,
  total: 25.5,
  compliant: true,
  issuedOn: '2026-11-22',
  keyId,
});

describe('proof codes', () => {
  it('round-trips a signed payload, Chinese text included', async () => {
    const key = await keyPair();
    const code = await sign(payload(key.keyId), key.privateKey);
    expect(code).toMatch(/^OC1\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{86}$/);
    expect(await verifyProofCode(code, [key.published])).toEqual({ ok: true, payload: payload(key.keyId) });
    // What a printed QR holds: the verify page's URL with the code after '#'.
    expect((await verifyProofCode(`https://cme.example/verify#${code}`, [key.published])).ok).toBe(true);
  });

  it('stays small enough for a QR code read off paper', async () => {
    const key = await keyPair();
    expect((await sign(payload(key.keyId), key.privateKey)).length).toBeLessThan(400);
  });

  it('refuses a payload changed after signing (a credit total raised)', async () => {
    const key = await keyPair();
    const [prefix, body, signature] = (await sign(payload(key.keyId), key.privateKey)).split('.');
    const forged = new TextDecoder().decode(base64UrlDecode(body!)).replace('25.5', '35.5');
    const tampered = `${prefix}.${base64UrlEncode(new TextEncoder().encode(forged))}.${signature}`;
    expect(await verifyProofCode(tampered, [key.published])).toEqual({ ok: false, reason: 'bad-signature' });
  });

  it("refuses a proof signed by another key that claims the server's key id", async () => {
    const server = await keyPair();
    const forger = await keyPair();
    const code = await sign(payload(server.keyId), forger.privateKey);
    expect(await verifyProofCode(code, [server.published])).toEqual({ ok: false, reason: 'bad-signature' });
  });

  it('says when the key that signed it is not known here', async () => {
    const server = await keyPair();
    const other = await keyPair();
    const code = await sign(payload(server.keyId), server.privateKey);
    expect(await verifyProofCode(code, [other.published])).toEqual({ ok: false, reason: 'unknown-key' });
    expect(await verifyProofCode(code, [])).toEqual({ ok: false, reason: 'unknown-key' });
  });

  it('verifies nothing a withdrawn key signed, whenever it was signed', async () => {
    const key = await keyPair();
    const code = await sign(payload(key.keyId), key.privateKey);
    expect((await verifyProofCode(code, [key.published])).ok).toBe(true);
    const withdrawn = { ...key.published, notAfter: '2026-12-01T00:00:00Z', withdrawnAt: '2026-12-01T00:00:00Z' };
    expect(await verifyProofCode(code, [withdrawn])).toEqual({ ok: false, reason: 'withdrawn-key' });
  });

  it('verifies a retired key’s proofs dated within its validity, in China dates, and refuses others', async () => {
    // Retired at 00:30 on 22 November in Beijing (16:30 UTC the day before): proofs of that day still count.
    const key = await keyPair({ notBefore: '2026-03-01T00:00:00+08:00', notAfter: '2026-11-21T16:30:00Z' });
    const on = (issuedOn: string) => sign({ ...payload(key.keyId), issuedOn }, key.privateKey);
    expect((await verifyProofCode(await on('2026-11-22'), [key.published])).ok).toBe(true);
    expect((await verifyProofCode(await on('2026-03-01'), [key.published])).ok).toBe(true);
    expect(await verifyProofCode(await on('2026-11-23'), [key.published])).toEqual({ ok: false, reason: 'outside-key-validity' });
    expect(await verifyProofCode(await on('2026-02-28'), [key.published])).toEqual({ ok: false, reason: 'outside-key-validity' });
  });

  it('reads a published key list, and an older one without validity dates', async () => {
    const key = await keyPair();
    const { notBefore: _n, notAfter: _a, withdrawnAt: _w, ...bare } = key.published;
    expect(publishedProofKeysSchema.parse({ keys: [bare] }).keys[0]).toEqual({ ...bare, notBefore: null, notAfter: null, withdrawnAt: null });
    expect(publishedProofKeysSchema.safeParse({ keys: [{ ...key.published, publicKey: 'short' }] }).success).toBe(false);
  });

  it.each(['', 'hello', 'OC1..', 'OC2.e30.AAAA', 'OC1.!!!.AAAA', `OC1.${base64UrlEncode(new TextEncoder().encode('[]'))}.${'A'.repeat(86)}`])(
    'calls %j malformed',
    async (text) => {
      const key = await keyPair();
      expect(await verifyProofCode(text, [key.published])).toEqual({ ok: false, reason: 'malformed' });
    },
  );

  it('refuses to encode a payload that breaks the schema', () => {
    expect(() => encodeProofPayload({ ...payload('0123456789abcdef'), issuedOn: '22/11/2026' })).toThrow();
  });
});
