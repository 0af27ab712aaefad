// Registry maintenance (人员信息维护) by the unit's office: adding and editing a person, moving her
// to another department or (调动) to another unit, her leaving (离职 / 退休 / 死亡), replacing (改卡)
// and cancelling (销卡) her card. Her ledger never moves: it is hers wherever she works. Each
// change is one transaction with its audit line; kiosks pull the change by the person's version.
import { chinaDate, chinaYear, idDocumentKind, newId, parseUid, type StaffCategory, type UidEncoding, UidFormatError, validateIdNumber } from '@opencme/core';
import { nextVersion } from '../db/connect.ts';
import type { DB } from '../db/connect.ts';
import type { LeavingReason } from '../db/schema.ts';
import { UserFacingError } from '../errors.ts';
import { storePhoto } from '../photos.ts';
import type { IdNumberVault } from '../pii.ts';
import { checkPortrait } from '../portrait.ts';
import { audit } from '../repositories/audit.ts';
import { findUnit, getDepartment } from '../repositories/organisations.ts';
import { addTransfer, closeTransfer, getTransfer, movePerson, pendingTransferOf, placementOf, recordLeaving } from '../repositories/placements.ts';
import {
  addCredential,
  addRegistrant,
  addTitle,
  endCard,
  getCredential,
  holderOfCard,
  issueCmeNumber,
  personRecord,
  registrantByIdNumberIndex,
  replaceIdNumber,
  touchPerson,
  unitOf,
  updateRegistrant,
} from '../repositories/registry.ts';
import { type CardCategory, type CardFees, cardFeesFor, isProvince, saveCardFees } from '../repositories/settings.ts';
import { takeUploads } from '../repositories/uploads.ts';

/** The fields of a person as registration asks them (and checks them: routers/registration.ts). */
export interface PersonFields {
  name: string;
  phone: string;
  category: StaffCategory;
  specialty: string;
  degree: 'secondary' | 'college' | 'bachelor' | 'master' | 'doctorate';
}

function checkedIdNumber(idNumber: string) {
  const id = validateIdNumber(idNumber);
  if (!id.valid) throw new UserFacingError('BAD_REQUEST', `id-number.${id.reason}`, {}, 'idNumber');
  return id;
}

async function unitOfDepartment(db: DB, departmentId: string): Promise<string> {
  const department = await getDepartment(db, departmentId).catch(() => null);
  if (!department?.parent_id) throw new UserFacingError('BAD_REQUEST', 'registration.choose-unit-department-again', {}, 'departmentId');
  return department.parent_id;
}

/**
 * A person added by the unit's office, as approved at once (the office is who would review her):
 * she gets her CME card number, and her ID card and card number are credentials from the next
 * roster pull. The portrait is optional here: the office may take it later.
 */
export async function addPerson(
  db: DB,
  vault: IdNumberVault,
  input: PersonFields & {
    departmentId: string;
    idNumber: string;
    title: string;
    employedTitle?: string | null | undefined;
    photoUpload?: string | null | undefined;
  },
  by: string,
  now: Date,
): Promise<{ personId: string; cmeNumber: string }> {
  const id = checkedIdNumber(input.idNumber);
  const institutionId = await unitOfDepartment(db, input.departmentId);
  if (await registrantByIdNumberIndex(db, vault.index(id.normalized))) throw new UserFacingError('CONFLICT', 'registry.id-number-registered', {}, 'idNumber');
  let portrait: Buffer | null = null;
  if (input.photoUpload) {
    const [photo] = await takeUploads(db, { ids: [input.photoUpload], purpose: 'photo', ownerUserId: null, now });
    const checked = await checkPortrait(Buffer.from(photo!.bytes));
    if (!checked.ok) throw new UserFacingError('BAD_REQUEST', checked.key, checked.params, 'photoUpload');
    portrait = checked.jpeg;
  }
  const personId = newId();
  const today = chinaDate(now);
  return db.transaction().execute(async (trx) => {
    const version = await nextVersion(trx);
    const cmeNumber = await issueCmeNumber(trx, institutionId, chinaYear(now));
    await addRegistrant(trx, {
      id: personId,
      sealed: vault.seal(id.normalized),
      fields: {
        name: input.name,
        gender: id.gender,
        phone: input.phone,
        institution_id: institutionId,
        department_id: input.departmentId,
        title: input.title,
        employed_title: input.employedTitle || null,
        employed_title_since: input.employedTitle ? today : null,
        category: input.category,
        specialty: input.specialty || null,
        degree: input.degree,
        id_document: idDocumentKind(id.normalized),
        photo_hash: portrait ? await storePhoto(trx, portrait, now) : null,
        version,
        updated_at: now.toISOString(),
        registration_status: 'approved',
        reviewed_at: now.toISOString(),
        reviewed_by: by,
        placed_since: today,
      },
      now,
    });
    await trx.updateTable('persons').set({ cme_number: cmeNumber }).where('id', '=', personId).execute();
    await addCredential(trx, vault, { personId, kind: 'id-card', value: id.normalized, version, now });
    await addCredential(trx, vault, { personId, kind: 'card-number', value: cmeNumber, version, now });
    await addTitle(trx, { personId, kind: 'held', title: input.title, fromDate: today, now });
    if (input.employedTitle) await addTitle(trx, { personId, kind: 'employed', title: input.employedTitle, fromDate: today, now });
    await audit(trx, {
      actor: { userId: by },
      action: 'person.add',
      entity: 'person',
      entityId: personId,
      organisationId: input.departmentId,
      after: { name: input.name, department: input.departmentId, title: input.title, employedTitle: input.employedTitle ?? null, cmeNumber },
      at: now,
    });
    return { personId, cmeNumber };
  });
}

/**
 * Edits a person's record. The ID number changes only with a reason, and the audit keeps its
 * keyed digests before and after, never the number: the log is read more widely than the vault.
 */
export async function editPerson(
  db: DB,
  vault: IdNumberVault,
  input: Omit<PersonFields, 'phone'> & {
    personId: string;
    phone?: string | undefined;
    idNumber?: string | null | undefined;
    idNumberReason?: string | null | undefined;
  },
  by: string,
  now: Date,
): Promise<void> {
  const person = await personRecord(db, input.personId);
  const newId = input.idNumber ? checkedIdNumber(input.idNumber) : null;
  const changesId = newId !== null && vault.index(newId.normalized) !== person.id_number_index;
  if (changesId && !input.idNumberReason) throw new UserFacingError('BAD_REQUEST', 'registry.id-number-change-needs-reason', {}, 'idNumberReason');
  if (changesId && (await registrantByIdNumberIndex(db, vault.index(newId.normalized)))) {
    throw new UserFacingError('CONFLICT', 'registry.id-number-registered', {}, 'idNumber');
  }
  const fields = { name: input.name, phone: input.phone ?? person.phone, category: input.category, specialty: input.specialty || null, degree: input.degree };
  const changed = (Object.keys(fields) as (keyof typeof fields)[]).filter((k) => (fields[k] ?? null) !== (person[k] ?? null));
  if (!changed.length && !changesId) return;
  await db.transaction().execute(async (trx) => {
    const version = await touchPerson(trx, person.id, now);
    if (changed.length) {
      await updateRegistrant(trx, person.id, fields);
      // The phone is personal data the log need not repeat: that it changed is enough.
      const shown = (record: Partial<Record<keyof typeof fields, string | null>>) =>
        Object.fromEntries(changed.map((k) => [k, k === 'phone' ? '***' : (record[k] ?? null)]));
      await audit(trx, {
        actor: { userId: by },
        action: 'person.edit',
        entity: 'person',
        entityId: person.id,
        organisationId: unitOf(person),
        before: shown(person),
        after: shown(fields),
        at: now,
      });
    }
    if (changesId) {
      const sealed = vault.seal(newId.normalized);
      await replaceIdNumber(trx, person.id, { sealed, gender: newId.gender, idDocument: idDocumentKind(newId.normalized), version });
      await audit(trx, {
        actor: { userId: by },
        action: 'person.change-id-number',
        entity: 'person',
        entityId: person.id,
        organisationId: unitOf(person),
        before: { idNumberDigest: person.id_number_index },
        after: { idNumberDigest: sealed.id_number_index, reason: input.idNumberReason },
        at: now,
      });
    }
  });
}

/** She still works here and is approved: what every move and card change asks first. */
function mustBeCurrent(person: { registration_status: string; left_on: string | null }) {
  if (person.registration_status !== 'approved') throw new UserFacingError('BAD_REQUEST', 'registry.only-approved-people');
  if (person.left_on !== null) throw new UserFacingError('BAD_REQUEST', 'registry.person-has-left');
}

/** A move to another department of the same unit, from today, by the unit's office. */
export async function moveToDepartment(db: DB, input: { personId: string; departmentId: string }, by: string, now: Date): Promise<void> {
  const person = await placementOf(db, input.personId);
  mustBeCurrent(person);
  if ((await unitOfDepartment(db, input.departmentId)) !== person.institution_id) {
    throw new UserFacingError('BAD_REQUEST', 'registry.department-of-another-unit', {}, 'departmentId');
  }
  if (person.department_id === input.departmentId) return;
  const today = chinaDate(now);
  await db.transaction().execute(async (trx) => {
    await movePerson(trx, {
      person,
      institutionId: person.institution_id,
      departmentId: input.departmentId,
      from: today,
      now,
    });
    await audit(trx, {
      actor: { userId: by },
      action: 'person.move-department',
      entity: 'person',
      entityId: person.id,
      organisationId: person.institution_id,
      before: { department: person.department_id },
      after: { department: input.departmentId, from: today },
      at: now,
    });
  });
}

/** The sending unit starts a transfer (调动) to another unit; it happens when that unit accepts. */
export async function requestTransfer(
  db: DB,
  input: { personId: string; toUnitId: string; reason: string },
  by: string,
  now: Date,
): Promise<{ transferId: string }> {
  const person = await placementOf(db, input.personId);
  mustBeCurrent(person);
  const target = await findUnit(db, input.toUnitId);
  if (!target || target.status !== 'verified') throw new UserFacingError('BAD_REQUEST', 'registry.transfer-choose-unit', {}, 'toUnitId');
  if (input.toUnitId === person.institution_id) throw new UserFacingError('BAD_REQUEST', 'registry.transfer-same-unit', {}, 'toUnitId');
  if (await pendingTransferOf(db, person.id)) throw new UserFacingError('CONFLICT', 'registry.transfer-already-pending');
  return db.transaction().execute(async (trx) => {
    const transferId = await addTransfer(trx, {
      personId: person.id,
      fromInstitutionId: person.institution_id,
      toInstitutionId: input.toUnitId,
      reason: input.reason,
      by,
      now,
    });
    await audit(trx, {
      actor: { userId: by },
      action: 'transfer.request',
      entity: 'person',
      entityId: person.id,
      organisationId: unitOf(person),
      after: { toUnit: input.toUnitId, reason: input.reason },
      at: now,
    });
    return { transferId };
  });
}

/**
 * The receiving unit accepts a transfer (placing her in one of its departments, from today) or
 * declines it. Her record, cards and ledger go with her; where she was stays in her history.
 */
export async function decideTransfer(
  db: DB,
  input: { transferId: string; accept: boolean; departmentId?: string | null | undefined },
  by: string,
  now: Date,
): Promise<void> {
  const transfer = await getTransfer(db, input.transferId);
  if (!transfer || transfer.status !== 'pending') throw new UserFacingError('CONFLICT', 'registry.transfer-not-pending');
  const person = await placementOf(db, transfer.person_id);
  if (input.accept) {
    mustBeCurrent(person);
    if (!input.departmentId || (await unitOfDepartment(db, input.departmentId)) !== transfer.to_institution_id) {
      throw new UserFacingError('BAD_REQUEST', 'registry.transfer-choose-department', {}, 'departmentId');
    }
  }
  const today = chinaDate(now);
  await db.transaction().execute(async (trx) => {
    const closed = await closeTransfer(trx, transfer.id, {
      status: input.accept ? 'accepted' : 'declined',
      departmentId: input.accept ? input.departmentId! : null,
      by,
      now,
    });
    if (!closed) throw new UserFacingError('CONFLICT', 'registry.transfer-not-pending');
    if (input.accept) {
      await movePerson(trx, {
        person,
        institutionId: transfer.to_institution_id,
        departmentId: input.departmentId!,
        from: today,
        now,
      });
    }
    // On both units' logs: each must be able to tell where she went, or came from.
    for (const organisationId of [transfer.from_institution_id, transfer.to_institution_id]) {
      await audit(trx, {
        actor: { userId: by },
        action: input.accept ? 'transfer.accept' : 'transfer.decline',
        entity: 'person',
        entityId: person.id,
        organisationId,
        before: { unit: transfer.from_institution_id, department: person.department_id },
        after: input.accept ? { unit: transfer.to_institution_id, department: input.departmentId, from: today } : null,
        at: now,
      });
    }
  });
}

/**
 * She left (离职 / 退休 / 死亡) on a day not yet to come: from then on she counts in no unit's
 * compliance and kiosks drop her from their rosters. Her record, history and ledger stay.
 */
export async function recordPersonLeaving(db: DB, input: { personId: string; reason: LeavingReason; on: string }, by: string, now: Date): Promise<void> {
  const person = await placementOf(db, input.personId);
  mustBeCurrent(person);
  if (input.on > chinaDate(now)) throw new UserFacingError('BAD_REQUEST', 'registry.leaving-date-not-future', {}, 'on');
  if (await pendingTransferOf(db, person.id)) throw new UserFacingError('CONFLICT', 'registry.transfer-already-pending');
  await db.transaction().execute(async (trx) => {
    await recordLeaving(trx, person.id, { on: input.on, reason: input.reason, version: await nextVersion(trx), now });
    await audit(trx, {
      actor: { userId: by },
      action: 'person.leave',
      entity: 'person',
      entityId: person.id,
      organisationId: unitOf(person),
      after: { reason: input.reason, on: input.on },
      at: now,
    });
  });
}

/** The card fee of a category where the holder's province charges one (null: not charged). */
export async function cardFeeOf(db: DB, organisationId: string, category: CardCategory): Promise<number | null> {
  return (await cardFeesFor(db, organisationId))[category] ?? null;
}

/** The UID typed or read, in canonical hex; a message on the field when it is not one. */
export function typedUid(typed: string, encoding: UidEncoding): string {
  try {
    return parseUid(typed, encoding);
  } catch (error) {
    if (error instanceof UidFormatError) throw new UserFacingError('BAD_REQUEST', error.messageKey, error.params, 'typed');
    throw error;
  }
}

/**
 * Replaces an IC card (改卡) with a new one: the old card goes on the deny list the kiosks refuse
 * (as a lost one does), the new one is hers from the next pull, and its fee is recorded.
 */
export async function replaceCard(
  db: DB,
  vault: IdNumberVault,
  input: { credentialId: string; typed: string; encoding: UidEncoding; category: CardCategory },
  by: string,
  now: Date,
): Promise<{ uid: string; feeYuan: number | null }> {
  const old = await getCredential(db, input.credentialId);
  if (old.kind !== 'ic-card' || old.status === 'replaced' || old.status === 'cancelled') throw new UserFacingError('BAD_REQUEST', 'registry.card-not-in-use');
  mustBeCurrent(await placementOf(db, old.person_id));
  const uid = typedUid(input.typed, input.encoding);
  if (await holderOfCard(db, uid)) throw new UserFacingError('CONFLICT', 'registry.card-already-bound-someone', {}, 'typed');
  const feeYuan = await cardFeeOf(db, old.institution_id, input.category);
  await db.transaction().execute(async (trx) => {
    const version = await touchPerson(trx, old.person_id, now);
    await endCard(trx, input.credentialId, { status: 'replaced', version, now });
    await addCredential(trx, vault, { personId: old.person_id, kind: 'ic-card', value: uid, category: input.category, feeYuan, version, now });
    await audit(trx, {
      actor: { userId: by },
      action: 'card.replace',
      entity: 'person',
      entityId: old.person_id,
      organisationId: unitOf(old),
      before: { uid: old.value, status: old.status },
      after: { uid, category: input.category, feeYuan },
      at: now,
    });
  });
  return { uid, feeYuan };
}

/** Cancels an IC card (销卡): it stays on record, and the door refuses it from the next pull. */
export async function cancelCard(db: DB, input: { credentialId: string }, by: string, now: Date): Promise<void> {
  const card = await getCredential(db, input.credentialId);
  if (card.kind !== 'ic-card' || card.status === 'replaced' || card.status === 'cancelled')
    throw new UserFacingError('BAD_REQUEST', 'registry.card-not-in-use');
  await db.transaction().execute(async (trx) => {
    const version = await touchPerson(trx, card.person_id, now);
    await endCard(trx, input.credentialId, { status: 'cancelled', version, now });
    await audit(trx, {
      actor: { userId: by },
      action: 'card.cancel',
      entity: 'person',
      entityId: card.person_id,
      organisationId: unitOf(card),
      before: { uid: card.value, status: card.status },
      after: { uid: card.value, status: 'cancelled' },
      at: now,
    });
  });
}

/** A province's card fees (工本费), set by its office. */
export async function saveProvinceCardFees(db: DB, input: { provinceId: string; fees: CardFees }, by: string, now: Date): Promise<void> {
  if (!(await isProvince(db, input.provinceId))) throw new UserFacingError('BAD_REQUEST', 'projects.settings-belong-province');
  await db.transaction().execute(async (trx) => {
    await saveCardFees(trx, input.provinceId, input.fees, now);
    await audit(trx, {
      actor: { userId: by },
      action: 'settings.card-fees',
      entity: 'organisation',
      entityId: input.provinceId,
      organisationId: input.provinceId,
      after: input.fees,
      at: now,
    });
  });
}
