// Enrolment (报名) in a project and the external people (院外/省外人员) its organiser records.
import { idDocumentKind, newId, type ProjectStatus } from '@opencme/core';
import type { DB } from '../db/connect.ts';
import { nextVersion } from '../db/connect.ts';
import type { EnrolmentTable } from '../db/schema.ts';
import type { IdNumberVault } from '../pii.ts';
import { recomputeAttendance } from './attendance.ts';

/**
 * The public catalogue (项目目录): projects that were approved and have not ended before `since`,
 * soonest first. Only what the project itself announces; nothing about who enrolled.
 */
export async function catalogueProjects(db: DB, since: string) {
  return db
    .selectFrom('projects')
    .innerJoin('organisations as org', 'org.id', 'projects.organiser_id')
    .select([
      'projects.id',
      'projects.number',
      'projects.name',
      'projects.level',
      'projects.credit_class as creditClass',
      'projects.credits',
      'projects.venue',
      'projects.mode',
      'projects.starts_on as startsOn',
      'projects.ends_on as endsOn',
      'projects.status',
      'projects.enrolment_closed_at as closedAt',
      'org.name as organiser',
    ])
    .where('projects.status', 'not in', ['draft', 'submitted', 'rejected'])
    .where('projects.ends_on', '>=', since)
    .orderBy('projects.starts_on')
    .orderBy('projects.number')
    .limit(500)
    .execute();
}

export async function projectForEnrolment(db: DB, projectId: string) {
  return db
    .selectFrom('projects')
    .select(['id', 'organiser_id as organiserId', 'status', 'ends_on as endsOn', 'enrolment_closed_at as closedAt'])
    .where('id', '=', projectId)
    .executeTakeFirst() as Promise<{ id: string; organiserId: string; status: ProjectStatus; endsOn: string; closedAt: string | null } | undefined>;
}

/** The projects (among `projectIds`, or all) the person is enrolled in. */
export async function enrolledProjectIds(db: DB, personId: string): Promise<string[]> {
  const rows = await db.selectFrom('enrolments').select('project_id').where('person_id', '=', personId).execute();
  return rows.map((r) => r.project_id);
}

/** Persons that may be enrolled by their unit: approved staff only, each with their unit. */
export async function enrollablePersons(db: DB, personIds: readonly string[]) {
  if (personIds.length === 0) return [];
  return db.selectFrom('persons').select(['id', 'institution_id as institutionId', 'registration_status as status']).where('id', 'in', personIds).execute();
}

/** Enrols each person once; answers the ones that were enrolled already (left as they were). */
export async function insertEnrolments(
  db: DB,
  input: { projectId: string; personIds: readonly string[]; source: EnrolmentTable['source']; by: string; at: Date },
): Promise<string[]> {
  const existing = input.personIds.length
    ? await db.selectFrom('enrolments').select('person_id').where('project_id', '=', input.projectId).where('person_id', 'in', input.personIds).execute()
    : [];
  const already = new Set(existing.map((e) => e.person_id));
  for (const personId of new Set(input.personIds)) {
    if (already.has(personId)) continue;
    await db
      .insertInto('enrolments')
      .values({
        id: newId(),
        project_id: input.projectId,
        person_id: personId,
        source: input.source,
        enrolled_by: input.by,
        enrolled_at: input.at.toISOString(),
        version: await nextVersion(db),
      })
      .execute();
  }
  return [...already];
}

/** The enrolment list (报名名单) the organiser reads: masked ID numbers only. */
export async function enrolmentList(db: DB, projectId: string) {
  return db
    .selectFrom('enrolments')
    .innerJoin('persons', 'persons.id', 'enrolments.person_id')
    .innerJoin('organisations as unit', 'unit.id', 'persons.institution_id')
    .leftJoin('organisations as dept', 'dept.id', 'persons.department_id')
    .select([
      'enrolments.id',
      'persons.id as personId',
      'persons.name',
      'persons.id_number_masked as idMasked',
      'persons.cme_number as cmeNumber',
      'persons.registration_status as status',
      'persons.workplace',
      'persons.institution_id as institutionId',
      'unit.name as unit',
      'dept.name as department',
      'enrolments.source',
      'enrolments.enrolled_at as enrolledAt',
    ])
    .where('enrolments.project_id', '=', projectId)
    .orderBy('enrolments.enrolled_at')
    .execute();
}

export async function closeEnrolment(db: DB, projectId: string, at: Date): Promise<void> {
  await db
    .updateTable('projects')
    .set({ enrolment_closed_at: at.toISOString() })
    .where('id', '=', projectId)
    .where('enrolment_closed_at', 'is', null)
    .execute();
}

/** The person registered or recorded under an ID number, if any. */
export async function personByIdNumber(db: DB, vault: IdNumberVault, idNumber: string) {
  return db
    .selectFrom('persons')
    .select(['id', 'institution_id as institutionId', 'registration_status as status'])
    .where('id_number_index', '=', vault.index(idNumber))
    .executeTakeFirst();
}

/**
 * Records an external person (院外人员) under the unit that met them: the ID number sealed as every
 * other, and an ID-card credential (its blind index), so that a typed or read number resolves.
 */
export async function insertExternalPerson(
  db: DB,
  vault: IdNumberVault,
  input: { name: string; idNumber: string; gender: 'male' | 'female'; workplace: string; institutionId: string; at: Date },
): Promise<string> {
  const id = newId();
  const at = input.at.toISOString();
  const version = await nextVersion(db);
  const sealed = vault.seal(input.idNumber);
  await db
    .insertInto('persons')
    .values({
      id,
      name: input.name,
      gender: input.gender,
      ...sealed,
      phone: null,
      institution_id: input.institutionId,
      department_id: null,
      title: null,
      category: null,
      cme_number: null,
      photo_hash: null,
      version,
      created_at: at,
      updated_at: at,
      specialty: null,
      degree: null,
      id_document: idDocumentKind(input.idNumber),
      registration_status: 'external',
      registration_token_hash: null,
      submitted_at: null,
      reviewed_at: null,
      reviewed_by: null,
      reject_reason: null,
      workplace: input.workplace,
    })
    .execute();
  await db
    .insertInto('credentials')
    .values({
      id: newId(),
      person_id: id,
      kind: 'id-card',
      value: sealed.id_number_index,
      status: 'active',
      version,
      created_at: at,
      issue_category: null,
      lost_at: null,
    })
    .execute();
  return id;
}

/**
 * Taps of the project's sessions that named no one because the person was not yet enrolled (or
 * recorded) when they arrived, now given to the person: only a tap whose one flag was the unknown
 * card, by one of the person's active credentials. Attendance is recomputed for them.
 */
export async function resolveEnrolledTaps(db: DB, projectId: string, personIds: readonly string[], at: Date): Promise<number> {
  if (personIds.length === 0) return 0;
  const credentials = await db
    .selectFrom('credentials')
    .select(['person_id', 'kind', 'value'])
    .where('person_id', 'in', personIds)
    .where('status', '=', 'active')
    .execute();
  if (credentials.length === 0) return 0;
  const taps = await db
    .selectFrom('taps')
    .innerJoin('sessions', 'sessions.id', 'taps.session_id')
    .select(['taps.tap_id', 'taps.session_id', 'taps.credential_kind', 'taps.credential_value'])
    .where('sessions.project_id', '=', projectId)
    .where('taps.person_id', 'is', null)
    .where('taps.flag_reasons', '=', 'unknown-credential')
    .where(
      'taps.credential_value',
      'in',
      credentials.map((c) => c.value),
    )
    .execute();
  const holder = new Map(credentials.map((c) => [`${c.kind}\u0000${c.value}`, c.person_id]));
  const pairs = new Map<string, { sessionId: string; personId: string }>();
  for (const tap of taps) {
    const personId = holder.get(`${tap.credential_kind}\u0000${tap.credential_value}`);
    if (!personId) continue;
    await db.updateTable('taps').set({ person_id: personId, status: 'accepted', flag_reasons: null }).where('tap_id', '=', tap.tap_id).execute();
    pairs.set(`${tap.session_id}\u0000${personId}`, { sessionId: tap.session_id, personId });
  }
  await recomputeAttendance(db, [...pairs.values()], at.toISOString());
  return taps.length;
}

/** Which of `personIds` are enrolled in the projects of `sessionIds`: keys `session\0person`. */
export async function enrolledInSessions(db: DB, sessionIds: readonly string[], personIds: readonly string[]): Promise<Set<string>> {
  if (sessionIds.length === 0 || personIds.length === 0) return new Set();
  const rows = await db
    .selectFrom('enrolments')
    .innerJoin('sessions', 'sessions.project_id', 'enrolments.project_id')
    .select(['sessions.id as sessionId', 'enrolments.person_id as personId'])
    .where('sessions.id', 'in', sessionIds)
    .where('enrolments.person_id', 'in', personIds)
    .execute();
  return new Set(rows.map((r) => `${r.sessionId}\u0000${r.personId}`));
}

/** A kiosk newly assigned to a session of the project must pull its enrolled again, whatever its cursor. */
export async function touchEnrolmentsOfSession(db: DB, sessionId: string): Promise<void> {
  const rows = await db
    .selectFrom('enrolments')
    .innerJoin('sessions', 'sessions.project_id', 'enrolments.project_id')
    .select('enrolments.id')
    .where('sessions.id', '=', sessionId)
    .execute();
  for (const r of rows)
    await db
      .updateTable('enrolments')
      .set({ version: await nextVersion(db) })
      .where('id', '=', r.id)
      .execute();
}

/** Whether the person is enrolled in the project and attended one of its sessions. */
export async function enrolledAttendee(db: DB, projectId: string, personId: string) {
  return db
    .selectFrom('enrolments')
    .innerJoin('persons', 'persons.id', 'enrolments.person_id')
    .select(['persons.registration_status as status'])
    .select((eb) =>
      eb
        .exists(
          eb
            .selectFrom('attendance')
            .innerJoin('sessions', 'sessions.id', 'attendance.session_id')
            .select('attendance.person_id')
            .where('sessions.project_id', '=', projectId)
            .where('attendance.person_id', '=', personId),
        )
        .as('attended'),
    )
    .where('enrolments.project_id', '=', projectId)
    .where('enrolments.person_id', '=', personId)
    .executeTakeFirst();
}

export async function recordAssessment(db: DB, input: { projectId: string; personId: string; passed: boolean; by: string; at: Date }): Promise<void> {
  const values = { passed: input.passed ? 1 : 0, score: null, recorded_by: input.by, recorded_at: input.at.toISOString() };
  await db
    .insertInto('assessment_results')
    .values({ project_id: input.projectId, person_id: input.personId, ...values })
    .onConflict((oc) => oc.columns(['project_id', 'person_id']).doUpdateSet(values))
    .execute();
}

/** Each enrolled person's assessment and the attendance credits the project's courses gave them (for their certificates). */
export async function enrolmentOutcomes(db: DB, projectId: string) {
  const [assessed, entries] = await Promise.all([
    db.selectFrom('assessment_results').select(['person_id', 'passed']).where('project_id', '=', projectId).execute(),
    db
      .selectFrom('ledger_entries')
      .innerJoin('courses', 'courses.id', 'ledger_entries.source_id')
      .innerJoin('enrolments', (j) =>
        j.onRef('enrolments.person_id', '=', 'ledger_entries.person_id').onRef('enrolments.project_id', '=', 'courses.project_id'),
      )
      .select([
        'ledger_entries.id',
        'ledger_entries.person_id',
        'ledger_entries.credits',
        'ledger_entries.credit_class as creditClass',
        'courses.name as course',
      ])
      .where('courses.project_id', '=', projectId)
      .where('ledger_entries.source_kind', '=', 'attendance')
      .execute(),
  ]);
  return { passed: new Map(assessed.map((a) => [a.person_id, a.passed === 1])), entries: Map.groupBy(entries, (e) => e.person_id) };
}
