// Revoking a proof (作废): the proof stops verifying, and the unit's log says who did it and why.
import type { DB } from '../db/connect.ts';
import { audit } from '../repositories/audit.ts';
import { institutionOfProof, markProofRevoked } from '../repositories/proofs.ts';

export async function revokeProof(db: DB, input: { proofId: string; reason: string; by: string; at: Date }): Promise<void> {
  await markProofRevoked(db, input);
  await audit(db, {
    actor: { userId: input.by },
    action: 'proof.revoke',
    entity: 'proof',
    entityId: input.proofId,
    organisationId: await institutionOfProof(db, input.proofId),
    after: { reason: input.reason },
    at: input.at,
  });
}
