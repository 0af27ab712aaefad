import { chinaYear, formatCmeNumber, newId, provinceCodeOfRegion } from '@opencme/core';
import type { DB } from '../db/connect.ts';
import { nextVersion } from '../db/connect.ts';
import type { CredentialTable } from '../db/schema.ts';
import type { IdNumberVault } from '../pii.ts';
import { audit } from './audit.ts';
import { enclosing } from './organisations.ts';
import { photoUrl } from '../photos.ts';

/** Takes the next serial of a named counter, creating it at 1. */
async function nextSerial(db: DB, name: string): Promise<number> {
  await db.insertInto('counters').values({ name, value: 0 }).onConflict((oc) => oc.column('name').doNothing()).execute();
  const row = await db
    .updateTable('counters')
    .set((eb) => ({ value: eb('value', '+', 1) }))
    .where('name', '=', name)
    .returning('value')
    .executeTakeFirstOrThrow();
  return row.value;
}

/** Issues a new CME card number (继教卡号) for a person of this unit, in the year given. */
export async function issueCmeNumber(db: DB, institutionId: string, year: number): Promise<string> {
  const province = await enclosing(db, institutionId, 'province');
  const provinceCode = provinceCodeOfRegion(province?.region_code) ?? '00';
  return formatCmeNumber({ provinceCode, year, serial: await nextSerial(db, `cme-number:${provinceCode}:${year}`) });
}

export async function addCredential(
  db: DB,
  vault: IdNumberVault,
  input: { personId: string; kind: CredentialTable['kind']; value: string; category?: 'I' | 'II' | 'III' | null; version: number; now: Date },
) {
  const id = newId();
  await db
    .insertInto('credentials')
    .values({
      id,
      person_id: input.personId,
      kind: input.kind,
      value: input.kind === 'id-card' ? vault.index(input.value) : input.value,
      status: 'active',
      version: input.version,
      created_at: input.now.toISOString(),
      issue_category: input.category ?? null,
    })
    .execute();
  return id;
}

/**
 * Approves a pending registration: the person gets a CME card number, and their resident ID
 * card and card number become credentials that kiosks accept from their next roster pull.
 */
export async function approveRegistration(db: DB, vault: IdNumberVault, personId: string, reviewer: string, now: Date) {
  const person = await db.selectFrom('persons').selectAll().where('id', '=', personId).executeTakeFirstOrThrow();
  if (person.registration_status !== 'pending') return null;
  const version = await nextVersion(db);
  const cmeNumber = person.cme_number ?? (await issueCmeNumber(db, person.institution_id, chinaYear(now)));
  await db
    .updateTable('persons')
    .set({ registration_status: 'approved', cme_number: cmeNumber, reviewed_at: now.toISOString(), reviewed_by: reviewer, reject_reason: null, version, updated_at: now.toISOString() })
    .where('id', '=', personId)
    .execute();
  await addCredential(db, vault, { personId, kind: 'id-card', value: vault.decrypt(person.id_number_enc), version, now });
  await addCredential(db, vault, { personId, kind: 'card-number', value: cmeNumber, version, now });
  await audit(db, {
    actor: { userId: reviewer },
    action: 'registration.approve',
    entity: 'person',
    entityId: personId,
    organisationId: person.department_id ?? person.institution_id,
    before: { registrationStatus: 'pending' },
    after: { registrationStatus: 'approved', cmeNumber },
    at: now,
  });
  return cmeNumber;
}

export async function rejectRegistration(db: DB, personId: string, reason: string, reviewer: string, now: Date) {
  const person = await db.selectFrom('persons').select(['registration_status', 'institution_id', 'department_id']).where('id', '=', personId).executeTakeFirstOrThrow();
  if (person.registration_status !== 'pending') return false;
  await db
    .updateTable('persons')
    .set({ registration_status: 'rejected', reviewed_at: now.toISOString(), reviewed_by: reviewer, reject_reason: reason, updated_at: now.toISOString() })
    .where('id', '=', personId)
    .execute();
  await audit(db, {
    actor: { userId: reviewer },
    action: 'registration.reject',
    entity: 'person',
    entityId: personId,
    organisationId: person.department_id ?? person.institution_id,
    before: { registrationStatus: 'pending' },
    after: { registrationStatus: 'rejected', reason },
    at: now,
  });
  return true;
}

/** Whose staff a list shows: one department, or whole units. */
export type StaffScope = { departmentId: string } | { institutionIds: string[] };

export const STAFF_SORTS = ['name', 'cmeNumber', 'department', 'updatedAt'] as const;
export type StaffSort = (typeof STAFF_SORTS)[number];
/** A person's IC card as the list filters it: one in use, one reported lost (and none since), or none. */
export const CARD_STATES = ['active', 'lost', 'none'] as const;
export type CardState = (typeof CARD_STATES)[number];

/**
 * One page of a unit's (or department's) staff. Search is by name (prefix), CME card number or ID
 * number (exact, through the blind index), so that every path uses an index at 200 000 people.
 * A few digits alone are the end of a card number, or (four of them) the end of an ID number,
 * which the mask keeps in the clear: the search never needs the numbers themselves.
 */
export async function searchStaff(
  db: DB,
  vault: IdNumberVault,
  input: {
    scope: StaffScope;
    query: string;
    status: 'approved' | 'pending' | 'rejected';
    title?: string | null;
    card?: CardState | null;
    sort: StaffSort;
    descending: boolean;
    page: number;
    pageSize: number;
  },
) {
  const q = input.query.trim();
  let base = db
    .selectFrom('persons')
    .leftJoin('organisations as dept', 'dept.id', 'persons.department_id')
    .where('persons.registration_status', '=', input.status);
  base =
    'departmentId' in input.scope
      ? base.where('persons.department_id', '=', input.scope.departmentId)
      : base.where('persons.institution_id', 'in', input.scope.institutionIds);
  if (/^\d{17}[\dXx]$/.test(q)) base = base.where('persons.id_number_index', '=', vault.index(q));
  else if (/^\d{11}[\dXx]$/.test(q)) base = base.where('persons.cme_number', '=', q.toUpperCase());
  else if (/^\d{3}[\dXx]$/.test(q)) {
    const end = q.toUpperCase();
    base = base.where((eb) => eb.or([eb('persons.id_number_masked', 'like', `%${end}`), eb('persons.cme_number', 'like', `%${end}`)]));
  } else if (/^\d{4,11}$/.test(q)) base = base.where('persons.cme_number', 'like', `%${q}`);
  // A prefix as a range, which every database answers from the name index.
  else if (q) base = base.where('persons.name', '>=', q).where('persons.name', '<', `${q}\u{10FFFF}`);

  if (input.title) base = base.where('persons.title', '=', input.title);
  if (input.card) {
    const cards = (status?: 'active' | 'lost') => {
      const q = db.selectFrom('credentials').select('credentials.person_id').where('credentials.kind', '=', 'ic-card');
      return status ? q.where('credentials.status', '=', status) : q;
    };
    if (input.card === 'active') base = base.where('persons.id', 'in', cards('active'));
    else if (input.card === 'lost') base = base.where('persons.id', 'in', cards('lost')).where('persons.id', 'not in', cards('active'));
    else base = base.where('persons.id', 'not in', cards());
  }

  const sortColumn = { name: 'persons.name', cmeNumber: 'persons.cme_number', department: 'dept.name', updatedAt: 'persons.updated_at' } as const;
  const [rows, total] = await Promise.all([
    base
      .select([
        'persons.id',
        'persons.name',
        'persons.gender',
        'persons.id_number_masked as maskedIdNumber',
        'persons.cme_number as cmeNumber',
        'persons.title',
        'persons.category',
        'persons.phone',
        'persons.registration_status as registrationStatus',
        'persons.submitted_at as submittedAt',
        'persons.photo_hash as photoHash',
        'dept.name as department',
      ])
      .orderBy(sortColumn[input.sort], input.descending ? 'desc' : 'asc')
      .orderBy('persons.id')
      .limit(input.pageSize)
      .offset((input.page - 1) * input.pageSize)
      .execute(),
    base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
  ]);
  // The reviewer compares the face with the person before approving: the queue shows thumbnails.
  const thumbs = input.status === 'pending';
  return { rows: rows.map((r) => ({ ...r, phone: r.phone ? maskPhone(r.phone) : null, thumb: thumbs && r.photoHash ? photoUrl(r.id, 'thumb') : null })), total: Number(total.n) };
}

/** 139****1234: enough to recognise, not enough to call. */
export function maskPhone(phone: string): string {
  return phone.length >= 7 ? `${phone.slice(0, 3)}****${phone.slice(-4)}` : '****';
}

export async function personDetail(db: DB, personId: string) {
  const person = await db
    .selectFrom('persons')
    .leftJoin('organisations as dept', 'dept.id', 'persons.department_id')
    .innerJoin('organisations as unit', 'unit.id', 'persons.institution_id')
    .select([
      'persons.id',
      'persons.name',
      'persons.gender',
      // No birth date beside the mask: together they rebuild the number, which a viewer of the
      // detail may not see (`persons.revealIdNumber` shows it, audited).
      'persons.id_number_masked as maskedIdNumber',
      'persons.phone',
      'persons.cme_number as cmeNumber',
      'persons.title',
      'persons.category',
      'persons.specialty',
      'persons.degree',
      'persons.id_document as idDocument',
      'persons.photo_hash as photoHash',
      'persons.registration_status as registrationStatus',
      'persons.reject_reason as rejectReason',
      'dept.name as department',
      'unit.name as unit',
    ])
    .where('persons.id', '=', personId)
    .executeTakeFirstOrThrow();
  const [credentials, titles] = await Promise.all([
    db
      .selectFrom('credentials')
      .select(['id', 'kind', 'value', 'status', 'issue_category as issueCategory', 'lost_at as lostAt', 'created_at as createdAt'])
      .where('person_id', '=', personId)
      .orderBy('created_at')
      .execute(),
    db.selectFrom('title_history').select(['kind', 'title', 'from_date as fromDate', 'to_date as toDate']).where('person_id', '=', personId).orderBy('from_date').execute(),
  ]);
  return {
    ...person,
    // Full size, for the reviewer to compare with the person (its download audits the view).
    photo: person.photoHash ? photoUrl(person.id, 'full') : null,
    phone: person.phone ? maskPhone(person.phone) : null,
    // An ID-card credential's value is a blind index: meaningless to show.
    credentials: credentials.map((c) => ({ ...c, value: c.kind === 'id-card' ? null : c.value })),
    titles,
  };
}

/** What the card application sheet prints for each person, in the order asked. */
export async function cardSheet(db: DB, personIds: readonly string[]) {
  const rows = await db
    .selectFrom('persons')
    .innerJoin('organisations as unit', 'unit.id', 'persons.institution_id')
    .leftJoin('organisations as dept', 'dept.id', 'persons.department_id')
    .select([
      'persons.id',
      'persons.name',
      'persons.gender',
      'persons.id_number_masked as maskedIdNumber',
      'persons.cme_number as cmeNumber',
      'persons.title',
      'persons.category',
      'unit.name as unit',
      'dept.name as department',
      'persons.photo_hash as photoHash',
    ])
    .where('persons.id', 'in', personIds)
    .execute();
  const cards = await db
    .selectFrom('credentials')
    .select(['person_id', 'issue_category', 'value', 'status', 'created_at'])
    .where('person_id', 'in', personIds)
    .where('kind', '=', 'ic-card')
    .orderBy('created_at', 'desc')
    .execute();
  const byId = new Map(rows.map((r) => [r.id, r]));
  return personIds.flatMap((id) => {
    const row = byId.get(id);
    if (!row) return [];
    const { photoHash, ...person } = row;
    const card = cards.find((c) => c.person_id === id && c.status === 'active');
    return [{ ...person, photo: photoHash ? photoUrl(id, 'full') : null, issueCategory: card?.issue_category ?? null, cardUid: card?.value ?? null }];
  });
}

/** The title a person held (or was employed at) on a date: what annual verification asks. */
export async function titleAt(db: DB, personId: string, kind: 'held' | 'employed', date: string): Promise<string | null> {
  const row = await db
    .selectFrom('title_history')
    .select('title')
    .where('person_id', '=', personId)
    .where('kind', '=', kind)
    .where('from_date', '<=', date)
    .where((eb) => eb.or([eb('to_date', 'is', null), eb('to_date', '>=', date)]))
    .orderBy('from_date', 'desc')
    .executeTakeFirst();
  return row?.title ?? null;
}

/** Bumps a person's roster version so that kiosks pull the change (a new card, a lost card). */
export async function touchPerson(db: DB, personId: string, now: Date): Promise<number> {
  const version = await nextVersion(db);
  await db.updateTable('persons').set({ version, updated_at: now.toISOString() }).where('id', '=', personId).execute();
  return version;
}

