// Signed proofs (学分证明 / 电子学分证书). A printed proof carries a QR code with a compact payload
// signed with the server's Ed25519 key, so whoever receives it can check it with no network: the
// signature alone says the server issued exactly these words. The format:
//
//   OC1.<base64url(payload)>.<base64url(signature)>
//
// The payload is a JSON array in a fixed field order (no key names: it has to fit a QR code a
// phone reads off paper), and the signature covers the ASCII text `OC1.<base64url(payload)>`, so
// the bytes signed are the bytes carried and no re-serialisation can change what was signed.
// Verification uses WebCrypto, which the browser and Node both have: one implementation for both.
import { z } from 'zod';
import { chinaDate } from './china-date.ts';

export const PROOF_PREFIX = 'OC1';

const date = z.string().regex(/^\d{4}-\d{2}-\d{2}$/);
const amount = z.number().min(-1000).max(10_000);

/** A person's credit proof (学分证明) over a CME year or a range of years. */
const creditProofSchema = z.object({
  kind: z.literal('credit-proof'),
  /** The proof's id: what revocation names. */
  id: z.string().min(1).max(40),
  name: z.string().min(1).max(50),
  /** The ID number masked (110***********002X): enough to match a person, not to copy. */
  idMasked: z.string().max(20),
  institution: z.string().max(80),
  fromYear: z.number().int(),
  toYear: z.number().int(),
  classI: amount,
  classII: amount,
  total: amount,
  /** Compliant (达标) in every year of the range. */
  compliant: z.boolean(),
  issuedOn: date,
  keyId: z.string().length(16),
});

/** A certificate for attending one CME project (电子学分证书). */
const attendanceCertificateSchema = z.object({
  kind: z.literal('attendance-certificate'),
  id: z.string().min(1).max(40),
  name: z.string().min(1).max(50),
  idMasked: z.string().max(20),
  projectNumber: z.string().max(40),
  projectName: z.string().max(120),
  creditClass: z.enum(['I', 'II']),
  credits: amount,
  cmeYear: z.number().int(),
  issuedOn: date,
  keyId: z.string().length(16),
});

/**
 * An annual certificate: Hunan's 专业科目培训合格证明, issued per person and CME year once the
 * year's credits meet the rule set, which names the professional-subject hours (专业科目学时) it
 * stands for; the public-subject hours (公共科目学时) are the rule set's required figure, which the
 * HR office certifies, printed so the reader knows what remains outside this certificate.
 */
const annualCertificateSchema = z.object({
  kind: z.literal('annual-certificate'),
  id: z.string().min(1).max(40),
  /** The certificate's name in the rule set (专业科目培训合格证明). */
  title: z.string().min(1).max(40),
  name: z.string().min(1).max(50),
  idMasked: z.string().max(20),
  institution: z.string().max(80),
  cmeYear: z.number().int(),
  classI: amount,
  classII: amount,
  professionalHours: z.number().int().min(0).max(1000),
  publicHoursRequired: z.number().int().min(0).max(1000),
  issuedOn: date,
  keyId: z.string().length(16),
});

export const proofPayloadSchema = z.discriminatedUnion('kind', [creditProofSchema, attendanceCertificateSchema, annualCertificateSchema]);
export type ProofPayload = z.infer<typeof proofPayloadSchema>;
export type CreditProofPayload = z.infer<typeof creditProofSchema>;
export type AttendanceCertificatePayload = z.infer<typeof attendanceCertificateSchema>;
export type AnnualCertificatePayload = z.infer<typeof annualCertificateSchema>;

// Field order on the wire, per kind; the first element of the array is the kind's tag.
const FIELDS = {
  'credit-proof': ['id', 'name', 'idMasked', 'institution', 'fromYear', 'toYear', 'classI', 'classII', 'total', 'compliant', 'issuedOn', 'keyId'],
  'attendance-certificate': ['id', 'name', 'idMasked', 'projectNumber', 'projectName', 'creditClass', 'credits', 'cmeYear', 'issuedOn', 'keyId'],
  'annual-certificate': [
    'id',
    'title',
    'name',
    'idMasked',
    'institution',
    'cmeYear',
    'classI',
    'classII',
    'professionalHours',
    'publicHoursRequired',
    'issuedOn',
    'keyId',
  ],
} as const satisfies Record<ProofPayload['kind'], readonly string[]>;
// The tag is signed with the rest: a proof cannot be passed off as a certificate, nor the reverse.
const TAGS = { 'credit-proof': 'P', 'attendance-certificate': 'C', 'annual-certificate': 'A' } as const;
const KINDS = { P: 'credit-proof', C: 'attendance-certificate', A: 'annual-certificate' } as const;

export function base64UrlEncode(bytes: Uint8Array): string {
  let binary = '';
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary).replaceAll('+', '-').replaceAll('/', '_').replace(/=+$/, '');
}

export function base64UrlDecode(text: string): Uint8Array {
  if (!/^[A-Za-z0-9_-]*$/.test(text)) throw new Error('not base64url');
  const binary = atob(text.replaceAll('-', '+').replaceAll('_', '/') + '='.repeat((4 - (text.length % 4)) % 4));
  return Uint8Array.from(binary, (c) => c.charCodeAt(0));
}

/** The text that is signed: `OC1.<base64url(payload)>`. */
export function encodeProofPayload(payload: ProofPayload): string {
  const parsed = proofPayloadSchema.parse(payload);
  const record = parsed as unknown as Record<string, unknown>;
  const wire = [TAGS[parsed.kind], ...FIELDS[parsed.kind].map((f) => record[f])];
  return `${PROOF_PREFIX}.${base64UrlEncode(new TextEncoder().encode(JSON.stringify(wire)))}`;
}

/** The whole code a QR carries: the signed text and its signature. */
export function proofCode(signedText: string, signature: Uint8Array): string {
  return `${signedText}.${base64UrlEncode(signature)}`;
}

/** A proof's key id: the first 8 bytes of SHA-256 of the raw 32-byte public key, in hex. */
export async function proofKeyId(rawPublicKey: Uint8Array): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', rawPublicKey as Uint8Array<ArrayBuffer>));
  return [...digest.slice(0, 8)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

const instant = z.iso.datetime({ offset: true });

/**
 * One key of the list a server publishes at /.well-known/opencme-proof-keys.json, with its
 * validity: a key signs proofs from `notBefore` until `notAfter` (null while it is the key in use),
 * and once `withdrawnAt` is set (the key leaked, say) nothing it ever signed verifies. Verifiers
 * keep the list, so a withdrawal reaches them the next time they are online.
 */
export const publishedProofKeySchema = z.object({
  keyId: z.string().length(16),
  alg: z.literal('Ed25519'),
  /** The raw 32-byte public key, base64url. */
  publicKey: z.string().regex(/^[A-Za-z0-9_-]{43}$/),
  notBefore: instant.nullable().default(null),
  notAfter: instant.nullable().default(null),
  withdrawnAt: instant.nullable().default(null),
});
export type PublishedProofKey = z.infer<typeof publishedProofKeySchema>;
export const publishedProofKeysSchema = z.object({ keys: z.array(publishedProofKeySchema) });

export type ProofCheck =
  { ok: true; payload: ProofPayload } | { ok: false; reason: 'malformed' | 'unknown-key' | 'bad-signature' | 'withdrawn-key' | 'outside-key-validity' };

/**
 * Finds a proof code in what a scanner or a person gives: the bare code, or a URL that carries
 * it after `#` (what the printed QR holds, so a phone camera opens the verify page).
 */
export function extractProofCode(text: string): string {
  const trimmed = text.trim();
  const hash = trimmed.indexOf('#');
  return hash >= 0 ? trimmed.slice(hash + 1) : trimmed;
}

/**
 * Checks a proof code against the server's published keys: the signature first, and only then
 * the payload, so nothing unsigned is ever read as a fact. A withdrawn key verifies nothing; a
 * proof dated outside its key's validity (China dates) is refused.
 */
export async function verifyProofCode(text: string, publishedKeys: readonly PublishedProofKey[]): Promise<ProofCheck> {
  const parts = extractProofCode(text).split('.');
  if (parts.length !== 3 || parts[0] !== PROOF_PREFIX) return { ok: false, reason: 'malformed' };
  let payloadBytes: Uint8Array;
  let signature: Uint8Array;
  try {
    payloadBytes = base64UrlDecode(parts[1]!);
    signature = base64UrlDecode(parts[2]!);
  } catch {
    return { ok: false, reason: 'malformed' };
  }
  if (signature.length !== 64) return { ok: false, reason: 'malformed' };
  // The key id is read before the signature is checked only to pick the key; a payload is never
  // believed before its signature is.
  const claimed = decodeSignedPayload(payloadBytes);
  if (!claimed) return { ok: false, reason: 'malformed' };
  // The id is recomputed from the key itself: a list entry's own `keyId` label is not trusted.
  let key: { raw: Uint8Array; published: PublishedProofKey } | undefined;
  for (const published of publishedKeys) {
    const raw = base64UrlDecode(published.publicKey);
    if ((await proofKeyId(raw)) === claimed.keyId) key = { raw, published };
  }
  if (!key) return { ok: false, reason: 'unknown-key' };
  if (key.published.withdrawnAt !== null) return { ok: false, reason: 'withdrawn-key' };
  const imported = await crypto.subtle.importKey('raw', key.raw as Uint8Array<ArrayBuffer>, { name: 'Ed25519' }, false, ['verify']);
  const signed = new TextEncoder().encode(`${parts[0]}.${parts[1]}`);
  const valid = await crypto.subtle.verify({ name: 'Ed25519' }, imported, signature as Uint8Array<ArrayBuffer>, signed);
  if (!valid) return { ok: false, reason: 'bad-signature' };
  const { notBefore, notAfter } = key.published;
  if ((notBefore && claimed.issuedOn < chinaDate(new Date(notBefore))) || (notAfter && claimed.issuedOn > chinaDate(new Date(notAfter)))) {
    return { ok: false, reason: 'outside-key-validity' };
  }
  return { ok: true, payload: claimed };
}

function decodeSignedPayload(bytes: Uint8Array): ProofPayload | null {
  let wire: unknown;
  try {
    wire = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch {
    return null;
  }
  if (!Array.isArray(wire)) return null;
  const kind = KINDS[wire[0] as keyof typeof KINDS];
  if (!kind) return null;
  const fields = FIELDS[kind];
  if (wire.length !== fields.length + 1) return null;
  const record: Record<string, unknown> = { kind };
  fields.forEach((f, i) => {
    record[f] = wire[i + 1];
  });
  const parsed = proofPayloadSchema.safeParse(record);
  return parsed.success ? parsed.data : null;
}
