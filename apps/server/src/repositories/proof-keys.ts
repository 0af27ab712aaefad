// The proof-signing keys and their validity: what /.well-known/opencme-proof-keys.json publishes.
// The key in the data folder registers itself the first time it is used; a new key closes the
// validity of the one before it (whose proofs keep verifying); a withdrawn key verifies nothing.
import { base64UrlEncode, type PublishedProofKey } from '@opencme/core';
import type { DB } from '../db/connect.ts';
import { UserFacingError } from '../errors.ts';
import type { ProofSigner } from '../proof-key.ts';
import { audit } from './audit.ts';

/** The signer's key as recorded, recording it (and retiring its predecessors) if it is new. */
async function signingKeyRecord(db: DB, signer: ProofSigner, now: Date) {
  const found = await db.selectFrom('proof_keys').selectAll().where('key_id', '=', signer.keyId).executeTakeFirst();
  if (found) return found;
  const at = now.toISOString();
  const row = {
    key_id: signer.keyId,
    public_key: base64UrlEncode(signer.publicKey),
    not_before: at,
    not_after: null,
    withdrawn_at: null,
    withdrawn_reason: null,
  };
  await db.transaction().execute(async (trx) => {
    await trx.updateTable('proof_keys').set({ not_after: at }).where('not_after', 'is', null).where('key_id', '<>', signer.keyId).execute();
    await trx
      .insertInto('proof_keys')
      .values(row)
      .onConflict((oc) => oc.column('key_id').doNothing())
      .execute();
  });
  return row;
}

/** Refuses to sign with a withdrawn key: what it signs would verify nowhere. */
export async function requireUsableSigningKey(db: DB, signer: ProofSigner, now: Date): Promise<void> {
  const key = await signingKeyRecord(db, signer, now);
  if (key.withdrawn_at) {
    throw new UserFacingError('PRECONDITION_FAILED', 'proof-keys.proof-signing-key-withdrawn-system');
  }
}

/** Every key ever used, newest first, with its validity: verifiers keep them all. */
export async function publishedProofKeys(db: DB, signer: ProofSigner, now: Date): Promise<{ keys: PublishedProofKey[] }> {
  await signingKeyRecord(db, signer, now);
  const rows = await db.selectFrom('proof_keys').selectAll().orderBy('not_before', 'desc').execute();
  return {
    keys: rows.map((r) => ({
      keyId: r.key_id,
      alg: 'Ed25519',
      publicKey: r.public_key,
      notBefore: r.not_before,
      notAfter: r.not_after,
      withdrawnAt: r.withdrawn_at,
    })),
  };
}

/**
 * Withdraws a key (it leaked, or was made in error): from the next time verifiers fetch the list,
 * nothing it signed verifies. Its validity ends then too. False when no such key is recorded.
 */
export async function withdrawProofKey(db: DB, input: { keyId: string; reason: string; at: Date }): Promise<boolean> {
  const at = input.at.toISOString();
  const key = await db.selectFrom('proof_keys').select(['withdrawn_at', 'not_after']).where('key_id', '=', input.keyId).executeTakeFirst();
  if (!key) return false;
  if (key.withdrawn_at) return true;
  await db.transaction().execute(async (trx) => {
    await trx
      .updateTable('proof_keys')
      .set({ withdrawn_at: at, withdrawn_reason: input.reason, not_after: key.not_after ?? at })
      .where('key_id', '=', input.keyId)
      .execute();
    // The system's operator acts here, not an account of the organisation tree.
    await audit(trx, {
      actor: {},
      action: 'proof-key.withdraw',
      entity: 'proof-key',
      entityId: input.keyId,
      organisationId: null,
      after: { reason: input.reason },
      at: input.at,
    });
  });
  return true;
}
