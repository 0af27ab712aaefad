// The hand-off to HR (推送至人力资源社会保障部门): a unit's accepted verification results of one CME
// year, as one signed JSON document (docs/hr-handoff.md). The signature is Ed25519 by the proofs'
// key over the UTF-8 bytes of the `document` member exactly as the server wrote it, which is
// `JSON.stringify(document)`: compact, members in the order given here. Re-serialising the parsed
// document in JavaScript yields the same bytes; other languages take the member's text as it stands.
// The document holds no moment of its making, so every download and every pull of the same accepted
// verification carries the same bytes and the same signature.
import { z } from 'zod';
import { base64UrlDecode, type PublishedProofKey, proofKeyId } from './proof.ts';

export const HR_HANDOFF_FORMAT = 'opencme-hr-handoff/1';

const amount = z.number().min(-1000).max(10_000);

export const hrHandoffPersonSchema = z.object({
  name: z.string(),
  /** The full ID number (身份证号): what an HR system matches people by. */
  idNumber: z.string(),
  department: z.string(),
  /** The title at verification time. */
  title: z.string().nullable(),
  classI: amount,
  classII: amount,
  total: amount,
  /** 达标 by the province's rule set, as accepted. */
  compliant: z.boolean(),
  /** What made the result: credits, six months' further study (进修), or not met. */
  basis: z.enum(['credits', 'further-study', 'not-met']),
});
export type HrHandoffPerson = z.infer<typeof hrHandoffPersonSchema>;

export const hrHandoffDocumentSchema = z.object({
  format: z.literal(HR_HANDOFF_FORMAT),
  unit: z.object({ id: z.string(), name: z.string(), creditCode: z.string().nullable() }),
  cmeYear: z.number().int(),
  /** The verification accepted (备案) by the province: its id and when (ISO instant). */
  verification: z.object({ id: z.string(), round: z.literal('year-end'), acceptedAt: z.string() }),
  people: z.array(hrHandoffPersonSchema),
});
export type HrHandoffDocument = z.infer<typeof hrHandoffDocumentSchema>;

export const hrHandoffSchema = z.object({
  document: hrHandoffDocumentSchema,
  signature: z.object({ alg: z.literal('Ed25519'), keyId: z.string().length(16), value: z.string() }),
});
export type HrHandoff = z.infer<typeof hrHandoffSchema>;

/** The bytes the signature covers. */
export function hrHandoffSignedBytes(document: HrHandoffDocument): Uint8Array {
  return new TextEncoder().encode(JSON.stringify(document));
}

export type HrHandoffCheck = { ok: true; document: HrHandoffDocument } | { ok: false; reason: 'malformed' | 'unknown-key' | 'withdrawn-key' | 'bad-signature' };

/** Checks a hand-off file (parsed JSON) against the server's published proof keys. */
export async function verifyHrHandoff(file: unknown, publishedKeys: readonly PublishedProofKey[]): Promise<HrHandoffCheck> {
  const parsed = hrHandoffSchema.safeParse(file);
  if (!parsed.success) return { ok: false, reason: 'malformed' };
  const { document, signature } = parsed.data;
  let key: { raw: Uint8Array; published: PublishedProofKey } | undefined;
  for (const published of publishedKeys) {
    const raw = base64UrlDecode(published.publicKey);
    if ((await proofKeyId(raw)) === signature.keyId) key = { raw, published };
  }
  if (!key) return { ok: false, reason: 'unknown-key' };
  if (key.published.withdrawnAt !== null) return { ok: false, reason: 'withdrawn-key' };
  let value: Uint8Array;
  try {
    value = base64UrlDecode(signature.value);
  } catch {
    return { ok: false, reason: 'malformed' };
  }
  const imported = await crypto.subtle.importKey('raw', key.raw as Uint8Array<ArrayBuffer>, { name: 'Ed25519' }, false, ['verify']);
  // The file as received, not the schema's parse of it: a member the schema drops must still count.
  const signed = new TextEncoder().encode(JSON.stringify((file as { document: unknown }).document));
  const valid = await crypto.subtle.verify({ name: 'Ed25519' }, imported, value as Uint8Array<ArrayBuffer>, signed);
  return valid ? { ok: true, document } : { ok: false, reason: 'bad-signature' };
}
