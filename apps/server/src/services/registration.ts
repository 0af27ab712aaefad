// Self-registration (自助注册) from a phone: no account, a status link with a secret instead.
import { idDocumentKind, newId, type StaffCategory, validateIdNumber } from '@opencme/core';
import { nextVersion } from '../db/connect.ts';
import type { DB } from '../db/connect.ts';
import { UserFacingError } from '../errors.ts';
import { storePhoto } from '../photos.ts';
import type { IdNumberVault } from '../pii.ts';
import { checkPortrait } from '../portrait.ts';
import { audit } from '../repositories/audit.ts';
import { isDepartmentOfVerifiedUnit } from '../repositories/organisations.ts';
import { duplicateRegistrationStatus, recordDuplicateRegistration } from '../repositories/registration-duplicates.ts';
import { addRegistrant, addTitle, registrantByIdNumberIndex, registrationByToken, unitOf, updateRegistrant } from '../repositories/registry.ts';
import { takeUploads } from '../repositories/uploads.ts';
import { setRegistrantPassword } from '../repositories/users.ts';
import { registrantPasswordHash } from './accounts.ts';
import { newToken, sha256 } from '../secrets.ts';

export interface Registration {
  institutionId: string;
  departmentId: string;
  name: string;
  idNumber: string;
  phone: string;
  title: string;
  category: StaffCategory;
  specialty: string;
  degree: 'secondary' | 'college' | 'bachelor' | 'master' | 'doctorate';
  /** The id POST /api/files/photo answered for the cropped portrait. */
  photoUpload: string;
  /** The password of her account, which approval activates. */
  password?: string | undefined;
}

/** Takes a registration; answers with the secret of its status link. */
export async function submitRegistration(db: DB, vault: IdNumberVault, input: Registration, now: Date): Promise<{ statusToken: string }> {
  const id = validateIdNumber(input.idNumber);
  if (!id.valid) throw new UserFacingError('BAD_REQUEST', `id-number.${id.reason}`, {}, 'idNumber');
  if (!(await isDepartmentOfVerifiedUnit(db, input.departmentId, input.institutionId))) {
    throw new UserFacingError('BAD_REQUEST', 'registration.choose-unit-department-again', {}, 'departmentId');
  }
  const [photo] = await takeUploads(db, { ids: [input.photoUpload], purpose: 'photo', ownerUserId: null, now });
  const portrait = await checkPortrait(Buffer.from(photo!.bytes));
  if (!portrait.ok) throw new UserFacingError('BAD_REQUEST', portrait.key, portrait.params, 'photoUpload');

  const existing = await registrantByIdNumberIndex(db, vault.index(id.normalized));
  const token = newToken();
  // The same answer as for a new number: "already registered" would tell anyone who is.
  // Submitted again on the same record: a rejected registration, and an external attendee (院外人员)
  // recorded at a course before she joined a unit of the province, whose credits stay hers.
  const resubmits = existing && (existing.registration_status === 'rejected' || existing.registration_status === 'external');
  if (existing && !resubmits) {
    await db.transaction().execute(async (trx) =>
      recordDuplicateRegistration(trx, {
        tokenHash: sha256(token),
        person: { id: existing.id, unitId: unitOf(existing) },
        name: input.name,
        institutionId: input.institutionId,
        departmentId: input.departmentId,
        photoHash: await storePhoto(trx, portrait.jpeg, now),
        now,
      }),
    );
    return { statusToken: token };
  }
  // On the same record, so its history (a rejection and its reason in the audit log, an external
  // attendee's credits) stays with the person.
  const personId = existing?.id ?? newId();
  const passwordHash = await registrantPasswordHash(input.password);
  await db.transaction().execute(async (trx) => {
    const fields = {
      name: input.name,
      gender: id.gender,
      phone: input.phone,
      institution_id: input.institutionId,
      department_id: input.departmentId,
      title: input.title,
      category: input.category,
      specialty: input.specialty || null,
      degree: input.degree,
      id_document: idDocumentKind(id.normalized),
      photo_hash: await storePhoto(trx, portrait.jpeg, now),
      version: await nextVersion(trx),
      updated_at: now.toISOString(),
      registration_status: 'pending' as const,
      registration_token_hash: sha256(token),
      submitted_at: now.toISOString(),
      reviewed_at: null,
      reviewed_by: null,
      reject_reason: null,
    };
    if (existing) await updateRegistrant(trx, personId, fields);
    else await addRegistrant(trx, { id: personId, sealed: vault.seal(id.normalized), fields, now });
    if (passwordHash) await setRegistrantPassword(trx, { personId, hash: passwordHash, now });
    await addTitle(trx, { personId, kind: 'held', title: input.title, fromDate: now.toISOString().slice(0, 10), now });
    await audit(trx, {
      actor: {},
      action: 'registration.submit',
      entity: 'person',
      entityId: personId,
      organisationId: input.departmentId,
      before: existing
        ? {
            registrationStatus: existing.registration_status,
            name: existing.name,
            department: existing.department_id,
            title: existing.title,
            rejectReason: existing.reject_reason,
          }
        : undefined,
      after: { name: input.name, department: input.departmentId, title: input.title },
      at: now,
    });
  });
  return { statusToken: token };
}

/** What the registrant sees on their phone: pending, approved with the card number, or rejected with the reason. */
export async function registrationStatus(db: DB, token: string) {
  const row = (await registrationByToken(db, sha256(token))) ?? (await duplicateRegistrationStatus(db, sha256(token)));
  if (!row) throw new UserFacingError('NOT_FOUND', 'registration.no-such-registration-link-out');
  return row;
}
