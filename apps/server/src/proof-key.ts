// The server's proof-signing key (Ed25519): made on first start and kept in the keys folder
// beside the ID-number keys, readable by the owner only. Its public half is published, with its
// validity, at /.well-known/opencme-proof-keys.json (repositories/proof-keys.ts) so that a verifier
// can check proofs with no network later.
import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject, sign } from 'node:crypto';
import fs from 'node:fs';
import { base64UrlEncode, encodeProofPayload, type ProofPayload, proofCode, proofKeyId } from '@opencme/core';
import { writeKeyFile } from './key-files.ts';

type Unsigned<T> = T extends unknown ? Omit<T, 'keyId'> : never;

export class ProofSigner {
  readonly #privateKey: KeyObject;
  readonly publicKey: Uint8Array;
  readonly keyId: string;

  private constructor(privateKey: KeyObject, publicKey: Uint8Array, keyId: string) {
    this.#privateKey = privateKey;
    this.publicKey = publicKey;
    this.keyId = keyId;
  }

  static async fromPrivateKey(privateKey: KeyObject): Promise<ProofSigner> {
    const jwk = createPublicKey(privateKey).export({ format: 'jwk' });
    const raw = Buffer.from(jwk.x!, 'base64url');
    return new ProofSigner(privateKey, new Uint8Array(raw), await proofKeyId(raw));
  }

  static generate(): Promise<ProofSigner> {
    return ProofSigner.fromPrivateKey(generateKeyPairSync('ed25519').privateKey);
  }

  /** Signs bytes of a document of its own (the HR hand-off): the base64url Ed25519 signature. */
  signBytes(bytes: Uint8Array): string {
    return base64UrlEncode(new Uint8Array(sign(null, bytes, this.#privateKey)));
  }

  /** Signs a payload (the key id is filled in) and returns the code a QR carries. */
  sign(payload: Unsigned<ProofPayload>): string {
    const text = encodeProofPayload({ ...payload, keyId: this.keyId });
    return proofCode(text, new Uint8Array(sign(null, Buffer.from(text, 'ascii'), this.#privateKey)));
  }
}

/** Reads the proof key, creating it (owner-readable only) on first start. */
export async function loadOrCreateProofSigner(file: string): Promise<ProofSigner> {
  if (!fs.existsSync(file)) {
    const { privateKey } = generateKeyPairSync('ed25519');
    writeKeyFile(file, privateKey.export({ format: 'pem', type: 'pkcs8' }).toString());
  }
  try {
    return await ProofSigner.fromPrivateKey(createPrivateKey(fs.readFileSync(file, 'utf8')));
  } catch (error) {
    throw new Error(`证明签名密钥损坏 / damaged proof key file: ${file}: ${String(error)}`, { cause: error });
  }
}
