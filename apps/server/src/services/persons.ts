// A person's full ID number: shown for the rare case that needs it, and every view is on the log.
import type { DB } from '../db/connect.ts';
import { UserFacingError } from '../errors.ts';
import type { IdNumberVault } from '../pii.ts';
import { auditPersonalData } from '../repositories/audit.ts';
import { findPerson } from '../repositories/registry.ts';
import type { Actor } from './registry.ts';

export async function revealIdNumber(db: DB, vault: IdNumberVault, personId: string, viewer: Actor, now: Date): Promise<{ idNumber: string }> {
  const person = await findPerson(db, personId);
  if (!person) throw new UserFacingError('NOT_FOUND', 'proofs.no-such-person');
  await auditPersonalData(db, {
    actor: { userId: viewer.id, organisationId: viewer.organisationId },
    action: 'person.reveal-id-number',
    persons: [{ id: person.id, institutionId: person.institution_id }],
    at: now,
  });
  return { idNumber: vault.decrypt(person.id_number_enc) };
}
