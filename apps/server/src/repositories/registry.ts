import { formatCmeNumber, type idDocumentKind, newId } from '@opencme/core';
import type { DB } from '../db/connect.ts';
import { nextVersion } from '../db/connect.ts';
import type { Expression, ExpressionBuilder, Insertable, SqlBool, Updateable } from 'kysely';
import { z } from 'zod';
import type { CredentialTable, Database, PersonTable } from '../db/schema.ts';
import { UserFacingError } from '../errors.ts';
import type { IdNumberVault } from '../pii.ts';
import { provinceCodeOf } from './organisations.ts';
import { photoUrl } from '../photos.ts';

/** Takes the next `count` serials of a named counter, creating it at 1; answers the last. */
async function nextSerial(db: DB, name: string, count = 1): Promise<number> {
  await db
    .insertInto('counters')
    .values({ name, value: 0 })
    .onConflict((oc) => oc.column('name').doNothing())
    .execute();
  const row = await db
    .updateTable('counters')
    .set((eb) => ({ value: eb('value', '+', count) }))
    .where('name', '=', name)
    .returning('value')
    .executeTakeFirstOrThrow();
  return row.value;
}

/** Issues a new CME card number (继教卡号) for a person of this unit, in the year given. */
export async function issueCmeNumber(db: DB, institutionId: string, year: number): Promise<string> {
  const [number] = await issueCmeNumbers(db, institutionId, year, 1);
  return number!;
}

/** Issues `count` CME card numbers at once (an import of a unit's staff), from the same counter as one by one. */
export async function issueCmeNumbers(db: DB, institutionId: string, year: number, count: number): Promise<string[]> {
  if (count === 0) return [];
  const provinceCode = (await provinceCodeOf(db, institutionId)) ?? '00';
  const last = await nextSerial(db, `cme-number:${provinceCode}:${year}`, count);
  return Array.from({ length: count }, (_, i) => formatCmeNumber({ provinceCode, year, serial: last - count + 1 + i }));
}

export async function addCredential(
  db: DB,
  vault: IdNumberVault,
  input: {
    personId: string;
    kind: CredentialTable['kind'];
    value: string;
    category?: 'I' | 'II' | 'III' | null;
    feeYuan?: number | null;
    version: number;
    now: Date;
  },
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
      fee_yuan: input.feeYuan ?? null,
    })
    .execute();
  return id;
}

export function registrant(db: DB, personId: string) {
  return db.selectFrom('persons').selectAll().where('id', '=', personId).executeTakeFirstOrThrow();
}

/** The review's verdict on the person's record: approved with the card number, or rejected with the reason. */
export async function recordReview(
  db: DB,
  personId: string,
  verdict:
    | { status: 'approved'; cmeNumber: string; version: number; reviewer: string; now: Date }
    | { status: 'rejected'; reason: string; reviewer: string; now: Date },
): Promise<void> {
  const reviewed = { reviewed_at: verdict.now.toISOString(), reviewed_by: verdict.reviewer, updated_at: verdict.now.toISOString() };
  await db
    .updateTable('persons')
    .set(
      verdict.status === 'approved'
        ? { registration_status: 'approved', cme_number: verdict.cmeNumber, reject_reason: null, version: verdict.version, ...reviewed }
        : { registration_status: 'rejected', reject_reason: verdict.reason, ...reviewed },
    )
    .where('id', '=', personId)
    .execute();
}

/** Whose staff a list shows: one department, or whole units. */
export type StaffScope = { departmentId: string } | { institutionIds: string[] };

export const STAFF_SORTS = ['name', 'cmeNumber', 'department', 'updatedAt'] as const;
export type StaffSort = (typeof STAFF_SORTS)[number];
/** A person's IC card as the list filters it: one in use, one reported lost (and none since), or none. */
export const CARD_STATES = ['active', 'lost', 'none'] as const;
export type CardState = (typeof CARD_STATES)[number];

/**
 * Where a page of the staff list begins or ends: the order it is a place in (`o`, `d`), the sort
 * key and id of the row beside it, and the group it is in (a department for the department order;
 * whether a card number is set for that order). The browser holds it in the address; it names a
 * place in the order, never whose staff: the scope is applied on every query whatever the cursor
 * says. A place in one order means nothing in another (a name is no card number), so a cursor
 * asked of another order is refused rather than read as an empty page.
 */
const staffCursor = z.object({
  o: z.enum(STAFF_SORTS),
  d: z.boolean(),
  g: z.string().max(64).nullable(),
  k: z.string().max(200).nullable(),
  i: z.string().min(1).max(64),
});
type StaffCursor = z.infer<typeof staffCursor>;

export function encodeStaffCursor(cursor: StaffCursor): string {
  return Buffer.from(JSON.stringify(cursor)).toString('base64url');
}

function decodeStaffCursor(text: string): StaffCursor {
  try {
    return staffCursor.parse(JSON.parse(Buffer.from(text, 'base64url').toString('utf8')));
  } catch {
    throw new UserFacingError('BAD_REQUEST', 'registry.list-position-unknown');
  }
}

/**
 * A run of the order whose rows share a filter and sort by one column (then the id): the whole
 * list for name and time; for the department order one department after another by name, then
 * those of none; for the card-number order those with one, then those without. Each run is one
 * index walk, so a page costs its own size wherever it starts.
 */
interface StaffRun {
  id: string | null;
  where: ((eb: ExpressionBuilder<Database, 'persons'>) => Expression<SqlBool>) | null;
  column: 'persons.name' | 'persons.cme_number' | 'persons.updated_at' | null;
}

async function staffRuns(db: DB, scope: StaffScope, sort: StaffSort): Promise<StaffRun[]> {
  if (sort === 'name') return [{ id: null, where: null, column: 'persons.name' }];
  if (sort === 'updatedAt') return [{ id: null, where: null, column: 'persons.updated_at' }];
  if (sort === 'cmeNumber')
    return [
      { id: 'set', where: (eb) => eb('persons.cme_number', 'is not', null), column: 'persons.cme_number' },
      { id: null, where: (eb) => eb('persons.cme_number', 'is', null), column: null },
    ];
  const departments =
    'departmentId' in scope
      ? [{ id: scope.departmentId }]
      : await db
          .selectFrom('organisations')
          .select('id')
          .where('parent_id', 'in', scope.institutionIds.length ? scope.institutionIds : [''])
          .where('kind', '=', 'department')
          .orderBy('name')
          .orderBy('id')
          .execute();
  const runs: StaffRun[] = departments.map((d) => ({ id: d.id, where: (eb) => eb('persons.department_id', '=', d.id), column: 'persons.name' }));
  if ('institutionIds' in scope) runs.push({ id: null, where: (eb) => eb('persons.department_id', 'is', null), column: 'persons.name' });
  return runs;
}

/**
 * One page of a unit's (or department's) staff, by keyset: `after` (or `before`) is the cursor of
 * the row the page follows (or precedes), so any page of 200 000 costs the same. Search is by name
 * (prefix), CME card number or ID number (exact, through the blind index), so that every path uses
 * an index at 200 000 people. A few digits alone are the end of a card number, or (four of them)
 * the end of an ID number, which the mask keeps in the clear: the search never needs the numbers
 * themselves. `total` counts the whole list (null when not asked); `next` and `previous` are the cursors of the pages
 * beside this one, null at either end.
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
    after?: string | null;
    before?: string | null;
    pageSize: number;
    /** Whether to count the whole list: it reads every entry of the scope, so a client paging a list it has counted asks no more. */
    count?: boolean;
  },
) {
  const q = input.query.trim();
  // The count reads the persons alone: a join there would cost a lookup per person counted.
  let base = db.selectFrom('persons').where('persons.registration_status', '=', input.status);
  base =
    'departmentId' in input.scope
      ? base.where('persons.department_id', '=', input.scope.departmentId)
      : base.where('persons.institution_id', 'in', input.scope.institutionIds.length ? input.scope.institutionIds : ['']);
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

  const runs = await staffRuns(db, input.scope, input.sort);
  const cursorOf = (run: StaffRun, row: { id: string; name: string; cmeNumber: string | null; updatedAt: string }): string =>
    encodeStaffCursor({
      o: input.sort,
      d: input.descending,
      g: run.id,
      k:
        run.column === 'persons.name'
          ? row.name
          : run.column === 'persons.cme_number'
            ? row.cmeNumber
            : run.column === 'persons.updated_at'
              ? row.updatedAt
              : null,
      i: row.id,
    });

  /** Up to `limit` rows from a place in the order (exclusive), walking forward or backward, in the walk's order. */
  async function walk(from: StaffCursor | null, backward: boolean, limit: number) {
    const descending = input.descending !== backward;
    const order = descending ? 'desc' : 'asc';
    const inOrder = descending ? [...runs].reverse() : runs;
    let start = 0;
    if (from) {
      if (from.o !== input.sort || from.d !== input.descending) throw new UserFacingError('BAD_REQUEST', 'registry.list-position-unknown');
      start = inOrder.findIndex((r) => r.id === from.g);
      if (start < 0) throw new UserFacingError('BAD_REQUEST', 'registry.list-position-unknown');
    }
    const found: { run: StaffRun; row: Awaited<ReturnType<typeof page>>[number] }[] = [];
    function page(run: StaffRun, after: StaffCursor | null, n: number) {
      let query = base
        .leftJoin('organisations as dept', 'dept.id', 'persons.department_id')
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
          'persons.updated_at as updatedAt',
          'persons.photo_hash as photoHash',
          'dept.name as department',
        ]);
      if (run.where) query = query.where(run.where);
      const key = run.column;
      if (after) {
        const beyond = descending ? '<' : '>';
        query =
          key && after.k !== null
            ? query.where((eb) => eb(eb.refTuple(key, 'persons.id'), beyond, eb.tuple(after.k!, after.i)))
            : query.where('persons.id', beyond, after.i);
      }
      if (key) query = query.orderBy(key, order);
      return query.orderBy('persons.id', order).limit(n).execute();
    }
    for (let r = start; r < inOrder.length && found.length < limit; r++) {
      const run = inOrder[r]!;
      const rows = await page(run, r === start ? from : null, limit - found.length);
      for (const row of rows) found.push({ run, row });
    }
    return found;
  }

  const from = input.before ? decodeStaffCursor(input.before) : input.after ? decodeStaffCursor(input.after) : null;
  const backward = Boolean(input.before);
  // One row beyond the page says whether another page follows in the walk's direction.
  const walked = await walk(from, backward, input.pageSize + 1);
  const more = walked.length > input.pageSize;
  const shown = walked.slice(0, input.pageSize);
  if (backward) shown.reverse();
  const first = shown[0];
  const last = shown.at(-1);
  // Whether rows lie on the other side: none before the list's start; else one row is enough to say.
  const beyond = async (edge: (typeof shown)[number] | undefined, back: boolean) =>
    edge !== undefined && (await walk(decodeStaffCursor(cursorOf(edge.run, edge.row)), back, 1)).length > 0;
  const [hasPrevious, hasNext, total] = await Promise.all([
    backward ? more : from ? beyond(first, true) : false,
    backward ? beyond(last, false) : more,
    input.count === false ? null : base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
  ]);
  // The reviewer compares the face with the person before approving: the queue shows thumbnails.
  const thumbs = input.status === 'pending';
  return {
    rows: shown.map(({ row: { updatedAt: _, ...r } }) => ({
      ...r,
      phone: r.phone ? maskPhone(r.phone) : null,
      thumb: thumbs && r.photoHash ? photoUrl(r.id, 'thumb') : null,
    })),
    total: total ? Number(total.n) : null,
    next: hasNext && last ? cursorOf(last.run, last.row) : null,
    previous: hasPrevious && first ? cursorOf(first.run, first.row) : null,
  };
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
      'persons.employed_title as employedTitle',
      'persons.left_on as leftOn',
      'persons.leaving_reason as leavingReason',
      'persons.institution_id as unitId',
      'dept.name as department',
      'unit.name as unit',
    ])
    .where('persons.id', '=', personId)
    .executeTakeFirstOrThrow();
  const [credentials, titles] = await Promise.all([
    db
      .selectFrom('credentials')
      .select([
        'id',
        'kind',
        'value',
        'status',
        'issue_category as issueCategory',
        'fee_yuan as feeYuan',
        'lost_at as lostAt',
        'ended_at as endedAt',
        'created_at as createdAt',
      ])
      .where('person_id', '=', personId)
      .orderBy('created_at')
      .execute(),
    db
      .selectFrom('title_history')
      .select(['kind', 'title', 'from_date as fromDate', 'to_date as toDate'])
      .where('person_id', '=', personId)
      .orderBy('from_date')
      .execute(),
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

/** What a person's record says of them as a registrant: asked when someone registers with their ID number. */
export function registrantByIdNumberIndex(db: DB, idNumberIndex: string) {
  return db
    .selectFrom('persons')
    .select(['id', 'registration_status', 'name', 'department_id', 'institution_id', 'title', 'reject_reason'])
    .where('id_number_index', '=', idNumberIndex)
    .executeTakeFirst();
}

/** The fields a registration writes, on a new person or on a rejected one submitted again. */
export type RegistrationFields = Omit<Updateable<PersonTable>, 'id' | 'id_number_enc' | 'id_number_index' | 'id_number_masked' | 'cme_number' | 'created_at'>;

/** A new person from a registration: the ID number sealed, no card number until approval. */
export async function addRegistrant(
  db: DB,
  person: {
    id: string;
    sealed: ReturnType<IdNumberVault['seal']>;
    fields: RegistrationFields & Pick<Insertable<PersonTable>, 'name' | 'gender' | 'institution_id' | 'version' | 'updated_at'>;
    now: Date;
  },
): Promise<void> {
  await db
    .insertInto('persons')
    .values({ id: person.id, ...person.sealed, cme_number: null, created_at: person.now.toISOString(), ...person.fields })
    .execute();
}

export async function updateRegistrant(db: DB, personId: string, fields: RegistrationFields): Promise<void> {
  await db.updateTable('persons').set(fields).where('id', '=', personId).execute();
}

/** A title the person holds (or is employed at) from a date, open-ended. */
export async function addTitle(db: DB, title: { personId: string; kind: 'held' | 'employed'; title: string; fromDate: string; now: Date }): Promise<void> {
  await db
    .insertInto('title_history')
    .values({
      id: newId(),
      person_id: title.personId,
      kind: title.kind,
      title: title.title,
      from_date: title.fromDate,
      to_date: null,
      created_at: title.now.toISOString(),
    })
    .execute();
}

/** The title of a kind a person holds now (the one with no end date). */
export function currentTitle(db: DB, personId: string, kind: 'held' | 'employed') {
  return db
    .selectFrom('title_history')
    .select(['id', 'title', 'from_date'])
    .where('person_id', '=', personId)
    .where('kind', '=', kind)
    .where('to_date', 'is', null)
    .executeTakeFirst();
}

export async function endTitle(db: DB, titleId: string, toDate: string): Promise<void> {
  await db.updateTable('title_history').set({ to_date: toDate }).where('id', '=', titleId).execute();
}

/** The title the unit employs the person at (聘任), which 达标率 counts. */
export async function setEmployedTitle(db: DB, personId: string, title: string, since: string, now: Date): Promise<void> {
  await db
    .updateTable('persons')
    .set({ employed_title: title, employed_title_since: since, updated_at: now.toISOString() })
    .where('id', '=', personId)
    .execute();
}

/** The title lists show beside a person's name: the one they hold. */
export async function setHeldTitle(db: DB, personId: string, title: string, now: Date): Promise<void> {
  await db.updateTable('persons').set({ title, updated_at: now.toISOString() }).where('id', '=', personId).execute();
}

/** What the registrant's status link shows: their registration (not a duplicate's). */
export function registrationByToken(db: DB, tokenHash: string) {
  return db
    .selectFrom('persons')
    .innerJoin('organisations as unit', 'unit.id', 'persons.institution_id')
    .select([
      'persons.name',
      'persons.registration_status as status',
      'persons.cme_number as cmeNumber',
      'persons.reject_reason as rejectReason',
      'persons.submitted_at as submittedAt',
      'unit.name as unit',
    ])
    .where('persons.registration_token_hash', '=', tokenHash)
    .executeTakeFirst();
}

/** Where a person works, for the scope of what is done to them: their department, or their unit when they have none. */
export function unitOf(person: { institution_id: string; department_id: string | null }): string {
  return person.department_id ?? person.institution_id;
}

const personQuery = (db: DB, personId: string) =>
  db.selectFrom('persons').select(['id', 'institution_id', 'department_id', 'registration_status', 'title', 'id_number_enc']).where('id', '=', personId);

export const findPerson = (db: DB, personId: string) => personQuery(db, personId).executeTakeFirst();
/** The person, or an error when no such person exists. */
export const getPerson = (db: DB, personId: string) => personQuery(db, personId).executeTakeFirstOrThrow();

/** The person an IC card with this UID is bound to, if any. */
export async function holderOfCard(db: DB, uid: string): Promise<string | null> {
  const row = await db.selectFrom('credentials').select('person_id').where('kind', '=', 'ic-card').where('value', '=', uid).executeTakeFirst();
  return row?.person_id ?? null;
}

/** A credential with its holder's unit. */
export function getCredential(db: DB, credentialId: string) {
  return db
    .selectFrom('credentials')
    .innerJoin('persons', 'persons.id', 'credentials.person_id')
    .select(['credentials.person_id', 'credentials.kind', 'credentials.value', 'credentials.status', 'persons.institution_id', 'persons.department_id'])
    .where('credentials.id', '=', credentialId)
    .executeTakeFirstOrThrow();
}

/** A card reported lost (挂失): kiosks refuse it from the roster version given. */
export async function markCardLost(db: DB, credentialId: string, version: number, now: Date): Promise<void> {
  await db.updateTable('credentials').set({ status: 'lost', lost_at: now.toISOString(), version }).where('id', '=', credentialId).execute();
}

/** The person with this ID number (by its blind index), with their unit's name. */
export function personByIdNumberIndex(db: DB, idNumberIndex: string) {
  return db
    .selectFrom('persons')
    .innerJoin('organisations', 'organisations.id', 'persons.institution_id')
    .select(['persons.id', 'persons.name', 'persons.title', 'persons.institution_id', 'organisations.name as institution'])
    .where('persons.id_number_index', '=', idNumberIndex)
    .executeTakeFirst();
}

/** What an edit compares with: the fields it may change, and the ID number's blind index. */
export function personRecord(db: DB, personId: string) {
  return db
    .selectFrom('persons')
    .select(['id', 'institution_id', 'department_id', 'name', 'phone', 'category', 'specialty', 'degree', 'id_number_index'])
    .where('id', '=', personId)
    .executeTakeFirstOrThrow();
}

/** A corrected ID number: sealed again, and the ID-card credential follows it (its value is the blind index). */
export async function replaceIdNumber(
  db: DB,
  personId: string,
  change: { sealed: ReturnType<IdNumberVault['seal']>; gender: 'male' | 'female'; idDocument: ReturnType<typeof idDocumentKind>; version: number },
): Promise<void> {
  await db
    .updateTable('persons')
    .set({ ...change.sealed, gender: change.gender, id_document: change.idDocument })
    .where('id', '=', personId)
    .execute();
  await db
    .updateTable('credentials')
    .set({ value: change.sealed.id_number_index, version: change.version })
    .where('person_id', '=', personId)
    .where('kind', '=', 'id-card')
    .execute();
}

/** A card replaced (改卡) or cancelled (销卡): kept on record, refused at the door from this roster version. */
export async function endCard(db: DB, credentialId: string, end: { status: 'replaced' | 'cancelled'; version: number; now: Date }): Promise<void> {
  await db
    .updateTable('credentials')
    .set({ status: end.status, ended_at: end.now.toISOString(), version: end.version })
    .where('id', '=', credentialId)
    .execute();
}
