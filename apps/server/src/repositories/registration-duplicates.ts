// A self-registration for an ID number that is already registered. Answering "already registered"
// would tell anyone whether a number is in the system, so it is answered like any registration;
// it is kept here, apart from the person's record (which it must not change), and the person's
// unit finds it in its audit log.
import type { DB } from '../db/connect.ts';
import { audit } from './audit.ts';

export async function recordDuplicateRegistration(
  db: DB,
  input: { tokenHash: string; person: { id: string; unitId: string }; name: string; institutionId: string; departmentId: string; photoHash: string; now: Date },
): Promise<void> {
  await db
    .insertInto('registration_duplicates')
    .values({
      token_hash: input.tokenHash,
      person_id: input.person.id,
      name: input.name,
      institution_id: input.institutionId,
      department_id: input.departmentId,
      photo_hash: input.photoHash,
      submitted_at: input.now.toISOString(),
    })
    .execute();
  await audit(db, {
    actor: {},
    action: 'registration.duplicate',
    entity: 'person',
    entityId: input.person.id,
    organisationId: input.person.unitId,
    after: { name: input.name, institution: input.institutionId, department: input.departmentId },
    at: input.now,
  });
}

/** What the duplicate's status link shows: waiting for review, as a new registration does. */
export async function duplicateRegistrationStatus(db: DB, tokenHash: string) {
  const row = await db
    .selectFrom('registration_duplicates as d')
    .innerJoin('organisations as unit', 'unit.id', 'd.institution_id')
    .select(['d.name', 'd.submitted_at as submittedAt', 'unit.name as unit'])
    .where('d.token_hash', '=', tokenHash)
    .executeTakeFirst();
  return row ? { ...row, status: 'pending' as const, cmeNumber: null, rejectReason: null } : null;
}
