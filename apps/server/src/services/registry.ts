// The registry (人员信息库): reviewing registrations, cards, titles, and the views of staff that
// are personal data. Each change is one transaction with its audit line; each view of someone's
// record goes on their unit's log.
import { chinaYear, parseUid, type UidEncoding, UidFormatError } from '@opencme/core';
import { nextVersion } from '../db/connect.ts';
import type { DB } from '../db/connect.ts';
import { UserFacingError } from '../errors.ts';
import type { IdNumberVault } from '../pii.ts';
import { audit, auditPersonalDataOf, viewerOf } from '../repositories/audit.ts';
import { readAuditLog } from '../repositories/audit-log.ts';
import { activateRegistrantAccount } from './accounts.ts';
import { cardFeesFor } from '../repositories/settings.ts';
import { getOrganisation, subtreeIds, unitsAmong } from '../repositories/organisations.ts';
import {
  addCredential,
  addTitle,
  cardSheet,
  currentTitle,
  endTitle,
  getCredential,
  getPerson,
  holderOfCard,
  issueCmeNumber,
  markCardLost,
  personDetail,
  recordReview,
  registrant,
  searchStaff,
  setEmployedTitle,
  setHeldTitle,
  type StaffScope,
  touchPerson,
  unitOf,
} from '../repositories/registry.ts';

/** Who acts: the signed-in account and its organisation. */
export interface Actor {
  id: string;
  organisationId: string;
}

/** The shape `searchStaff` takes for an ID number (matched exactly, through the blind index). */
const ID_NUMBER_QUERY = /^\s*\d{17}[\dXx]\s*$/;
/** The start of a calendar day in China (no daylight saving there). */
const chinaMidnight = (date: string) => new Date(`${date}T00:00:00+08:00`);

function dayBefore(date: string): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) - 86_400_000).toISOString().slice(0, 10);
}

/** A department's staff, a unit's, or those of every unit below an office. */
async function staffScope(db: DB, organisationId: string): Promise<StaffScope> {
  const org = await getOrganisation(db, organisationId);
  if (org.kind === 'department') return { departmentId: org.id };
  if (org.kind === 'institution') return { institutionIds: [org.id] };
  return { institutionIds: await unitsAmong(db, await subtreeIds(db, org.id)) };
}

/** One page of staff; a search by ID number looks up who someone is, so it is audited for every person it finds. */
export async function findStaff(
  db: DB,
  vault: IdNumberVault,
  input: Omit<Parameters<typeof searchStaff>[2], 'scope'> & { organisationId: string },
  viewer: Actor,
  now: Date,
) {
  const found = await searchStaff(db, vault, { ...input, scope: await staffScope(db, input.organisationId) });
  if (ID_NUMBER_QUERY.test(input.query)) {
    await auditPersonalDataOf(db, {
      actor: viewerOf(viewer),
      action: 'person.search-id-number',
      personIds: found.rows.map((r) => r.id),
      detail: { organisationId: input.organisationId },
      at: now,
    });
  }
  return found;
}

export async function viewPerson(db: DB, personId: string, viewer: Actor, now: Date) {
  const detail = await personDetail(db, personId);
  await auditPersonalDataOf(db, { actor: viewerOf(viewer), action: 'person.view', personIds: [personId], at: now });
  return detail;
}

export async function viewCardSheet(db: DB, personIds: readonly string[], viewer: Actor, now: Date) {
  const sheets = await cardSheet(db, personIds);
  await auditPersonalDataOf(db, { actor: viewerOf(viewer), action: 'person.card-sheet', personIds: sheets.map((s) => s.id), at: now });
  return sheets;
}

/**
 * Approves a pending registration: the person gets a CME card number, and their resident ID
 * card and card number become credentials that kiosks accept from their next roster pull.
 * `null`: the registration was not pending.
 */
async function approveRegistration(db: DB, vault: IdNumberVault, personId: string, reviewer: string, now: Date): Promise<string | null> {
  const person = await registrant(db, personId);
  if (person.registration_status !== 'pending') return null;
  const version = await nextVersion(db);
  const cmeNumber = person.cme_number ?? (await issueCmeNumber(db, person.institution_id, chinaYear(now)));
  await recordReview(db, personId, { status: 'approved', cmeNumber, version, reviewer, now });
  await activateRegistrantAccount(db, { ...person, cme_number: cmeNumber }, reviewer, now);
  await addCredential(db, vault, { personId, kind: 'id-card', value: vault.decrypt(person.id_number_enc), version, now });
  await addCredential(db, vault, { personId, kind: 'card-number', value: cmeNumber, version, now });
  await audit(db, {
    actor: { userId: reviewer },
    action: 'registration.approve',
    entity: 'person',
    entityId: personId,
    organisationId: unitOf(person),
    before: { registrationStatus: 'pending' },
    after: { registrationStatus: 'approved', cmeNumber },
    at: now,
  });
  return cmeNumber;
}

/** `false`: the registration was not pending. */
async function rejectRegistration(db: DB, personId: string, reason: string, reviewer: string, now: Date): Promise<boolean> {
  const person = await registrant(db, personId);
  if (person.registration_status !== 'pending') return false;
  await recordReview(db, personId, { status: 'rejected', reason, reviewer, now });
  await audit(db, {
    actor: { userId: reviewer },
    action: 'registration.reject',
    entity: 'person',
    entityId: personId,
    organisationId: unitOf(person),
    before: { registrationStatus: 'pending' },
    after: { registrationStatus: 'rejected', reason },
    at: now,
  });
  return true;
}

/** Approves or rejects registrations one by one or in bulk, all in one transaction; approval issues the CME card number. */
export async function reviewRegistrations(
  db: DB,
  vault: IdNumberVault,
  input: { decision: 'approve'; personIds: readonly string[] } | { decision: 'reject'; personIds: readonly string[]; reason: string },
  reviewer: string,
  now: Date,
) {
  return db.transaction().execute(async (trx) => {
    const results: { personId: string; cmeNumber: string | null; done: boolean }[] = [];
    for (const personId of input.personIds) {
      if (input.decision === 'approve') {
        const cmeNumber = await approveRegistration(trx, vault, personId, reviewer, now);
        results.push({ personId, cmeNumber, done: cmeNumber !== null });
      } else {
        results.push({ personId, cmeNumber: null, done: await rejectRegistration(trx, personId, input.reason, reviewer, now) });
      }
    }
    return results;
  });
}

/** Binds an IC card to an approved person, from a reader at the admin's desk or the number typed. */
export async function bindCard(
  db: DB,
  vault: IdNumberVault,
  input: { personId: string; typed: string; encoding: UidEncoding; category: 'I' | 'II' | 'III' },
  by: string,
  now: Date,
): Promise<{ uid: string }> {
  let uid: string;
  try {
    uid = parseUid(input.typed, input.encoding);
  } catch (error) {
    if (error instanceof UidFormatError) throw new UserFacingError('BAD_REQUEST', error.messageKey, error.params, 'typed');
    throw error;
  }
  if (await holderOfCard(db, uid)) throw new UserFacingError('CONFLICT', 'registry.card-already-bound-someone');
  const person = await getPerson(db, input.personId);
  if (person.registration_status !== 'approved') throw new UserFacingError('BAD_REQUEST', 'registry.card-bound-once-registration-approved');
  // The card fee (工本费) of its category, where the province charges one.
  const feeYuan = (await cardFeesFor(db, person.institution_id))[input.category] ?? null;
  await db.transaction().execute(async (trx) => {
    const version = await touchPerson(trx, input.personId, now);
    await addCredential(trx, vault, { personId: input.personId, kind: 'ic-card', value: uid, category: input.category, feeYuan, version, now });
    await audit(trx, {
      actor: { userId: by },
      action: 'card.bind',
      entity: 'person',
      entityId: input.personId,
      organisationId: unitOf(person),
      after: { uid, category: input.category, feeYuan },
      at: now,
    });
  });
  return { uid };
}

/** A lost card (挂失) goes on the deny list that kiosks pull with the roster. */
export async function reportCardLost(db: DB, credentialId: string, by: string, now: Date): Promise<void> {
  const credential = await getCredential(db, credentialId);
  if (credential.kind !== 'ic-card') throw new UserFacingError('BAD_REQUEST', 'registry.only-ic-cards-reported-lost');
  if (credential.status === 'lost') return;
  await db.transaction().execute(async (trx) => {
    const version = await touchPerson(trx, credential.person_id, now);
    await markCardLost(trx, credentialId, version, now);
    await audit(trx, {
      actor: { userId: by },
      action: 'card.report-lost',
      entity: 'person',
      entityId: credential.person_id,
      organisationId: unitOf(credential),
      before: { uid: credential.value, status: 'active' },
      after: { uid: credential.value, status: 'lost' },
      at: now,
    });
  });
}

/** A new title held (取得职称) or employed at (聘任职称) from a date; the previous one ends the day before. */
export async function changeTitle(
  db: DB,
  input: { personId: string; kind: 'held' | 'employed'; title: string; fromDate: string },
  by: string,
  now: Date,
): Promise<void> {
  await db.transaction().execute(async (trx) => {
    const person = await getPerson(trx, input.personId);
    const current = await currentTitle(trx, input.personId, input.kind);
    if (current && current.from_date >= input.fromDate) {
      throw new UserFacingError('BAD_REQUEST', 'registry.new-title-start-after-current', { fromDate: current.from_date });
    }
    if (current) await endTitle(trx, current.id, dayBefore(input.fromDate));
    await addTitle(trx, { personId: input.personId, kind: input.kind, title: input.title, fromDate: input.fromDate, now });
    if (input.kind === 'held') await setHeldTitle(trx, input.personId, input.title, now);
    // 达标率 counts by the title she is employed at: kept on her record beside the held one.
    else await setEmployedTitle(trx, input.personId, input.title, input.fromDate, now);
    await audit(trx, {
      actor: { userId: by },
      action: `title.${input.kind}`,
      entity: 'person',
      entityId: input.personId,
      organisationId: unitOf(person),
      before: current ? { title: current.title, fromDate: current.from_date } : null,
      after: { title: input.title, fromDate: input.fromDate },
      at: now,
    });
  });
}

/**
 * The audit log within an organisation's subtree, newest first, a page at a time, narrowed to one
 * action and to days in China (Asia/Shanghai).
 */
export async function auditLogWithin(
  db: DB,
  input: { organisationId: string; page: number; action?: string | undefined; fromDate?: string | undefined; toDate?: string | undefined },
) {
  return readAuditLog(db, {
    organisationIds: await subtreeIds(db, input.organisationId),
    action: input.action,
    from: input.fromDate ? chinaMidnight(input.fromDate) : undefined,
    // The whole of the last day: up to the next midnight.
    until: input.toDate ? new Date(chinaMidnight(input.toDate).getTime() + 86_400_000) : undefined,
    page: input.page,
  });
}
