// CME projects (继续医学教育项目): the SQL of projects, their courses and sessions, their history
// (`project_events`: who, when, from what, to what, why), attachments and credit awards. The
// workflow that moves a project along (declaration, review, report, credits) is services/projects.ts.
import { newId, type ProjectFileKind, projectMayBeHeld, projectReviewChain } from '@opencme/core';
import { inSubtree, isProvinceDirect } from './organisations.ts';
import type { DB } from '../db/connect.ts';
import type { Insertable, Updateable } from 'kysely';
import type { ProjectStatus, ProjectTable } from '../db/schema.ts';

// The door's sync (taps.ts) asks here whether a session's project may be held.
export { projectMayBeHeld };

export interface CourseInput {
  name: string;
  startsAt: string;
  endsAt: string;
  credits: number;
}

export interface ProjectInput {
  number: string;
  name: string;
  level: ProjectTable['level'];
  creditClass: ProjectTable['credit_class'];
  credits: number;
  venue: string;
  startsOn: string;
  endsOn: string;
  mode: ProjectTable['mode'];
  /** 专业: optional, as the organiser names it. */
  specialty?: string | null | undefined;
  courses: CourseInput[];
}

export interface AttachmentInput {
  name: string;
  contentType: string;
  bytes: Uint8Array;
}

export type { ProjectFileKind };

export async function recordEvent(
  db: DB,
  e: { projectId: string; action: string; from: ProjectStatus | null; to: ProjectStatus; reason?: string | null; userId: string; now: Date },
) {
  await db
    .insertInto('project_events')
    .values({
      id: newId(),
      project_id: e.projectId,
      action: e.action,
      from_status: e.from,
      to_status: e.to,
      reason: e.reason ?? null,
      actor_user_id: e.userId,
      at: e.now.toISOString(),
    })
    .execute();
}

export async function findProject(db: DB, projectId: string) {
  return db.selectFrom('projects').selectAll().where('id', '=', projectId).executeTakeFirst();
}

export type ProjectRow = NonNullable<Awaited<ReturnType<typeof findProject>>>;

/**
 * Writes a project's status (and other fields) only if it is still where it was read (status and
 * review step): false when someone else moved it meanwhile (no lost update).
 */
export async function moveProject(
  db: DB,
  project: { id: string; status: ProjectStatus; review_step: number },
  set: Updateable<ProjectTable>,
): Promise<boolean> {
  const res = await db
    .updateTable('projects')
    .set(set)
    .where('id', '=', project.id)
    .where('status', '=', project.status)
    .where('review_step', '=', project.review_step)
    .executeTakeFirst();
  return Number(res.numUpdatedRows) === 1;
}

/** Writes the execution report's review only if it is still where it was read (no lost update). */
export async function moveProjectReport(
  db: DB,
  project: { id: string; report_status: ProjectRow['report_status']; report_review_step: number },
  set: Pick<Updateable<ProjectTable>, 'report_status' | 'report_review_step'>,
): Promise<boolean> {
  const res = await db
    .updateTable('projects')
    .set(set)
    .where('id', '=', project.id)
    .where('report_status', '=', project.report_status)
    .where('report_review_step', '=', project.report_review_step)
    .executeTakeFirst();
  return Number(res.numUpdatedRows) === 1;
}

export async function numberTaken(db: DB, number: string, except: string | null): Promise<boolean> {
  let q = db.selectFrom('projects').select('id').where('number', '=', number);
  if (except) q = q.where('id', '!=', except);
  return (await q.executeTakeFirst()) !== undefined;
}

/** The project's fields as stored, from what the organiser typed. */
export const projectColumns = (p: ProjectInput) => ({
  number: p.number,
  name: p.name,
  level: p.level,
  credit_class: p.creditClass,
  credits: p.credits,
  venue: p.venue,
  starts_on: p.startsOn,
  ends_on: p.endsOn,
  mode: p.mode,
  specialty: p.specialty ?? null,
});

export async function insertProject(db: DB, row: Insertable<ProjectTable>): Promise<void> {
  await db.insertInto('projects').values(row).execute();
}

/** Its courses, and one session per course for the kiosks. */
export async function insertCourses(db: DB, projectId: string, p: ProjectInput, at: string) {
  for (const c of p.courses) {
    const courseId = newId();
    await db
      .insertInto('courses')
      .values({ id: courseId, project_id: projectId, name: c.name, starts_at: c.startsAt, ends_at: c.endsAt, credits: c.credits, created_at: at })
      .execute();
    await db
      .insertInto('sessions')
      .values({
        id: newId(),
        project_id: projectId,
        course_id: courseId,
        title: c.name,
        venue: p.venue,
        starts_at: c.startsAt,
        ends_at: c.endsAt,
        created_at: at,
      })
      .execute();
  }
}

export async function sessionIdsOf(db: DB, projectId: string): Promise<string[]> {
  return (await db.selectFrom('sessions').select('id').where('project_id', '=', projectId).execute()).map((s) => s.id);
}

export async function anyTapIn(db: DB, sessionIds: readonly string[]): Promise<boolean> {
  if (sessionIds.length === 0) return false;
  return (await db.selectFrom('taps').select('tap_id').where('session_id', 'in', sessionIds).executeTakeFirst()) !== undefined;
}

/** A project's courses and their sessions, with what hangs on the sessions (computed attendance, kiosk assignments). */
export async function deleteCourses(db: DB, projectId: string, sessionIds: readonly string[]) {
  if (sessionIds.length > 0) {
    await db.deleteFrom('attendance').where('session_id', 'in', sessionIds).execute();
    await db.deleteFrom('device_sessions').where('session_id', 'in', sessionIds).execute();
    await db.deleteFrom('sessions').where('id', 'in', sessionIds).execute();
  }
  await db.deleteFrom('courses').where('project_id', '=', projectId).execute();
}

/** The project and everything of its own (courses go first, through deleteCourses); false when it moved meanwhile. */
export async function deleteProjectRows(db: DB, project: { id: string; status: ProjectStatus }): Promise<boolean> {
  await db.deleteFrom('credit_awards').where('project_id', '=', project.id).execute();
  await db.deleteFrom('assessment_results').where('project_id', '=', project.id).execute();
  await db.deleteFrom('project_attachments').where('project_id', '=', project.id).execute();
  await db.deleteFrom('project_events').where('project_id', '=', project.id).execute();
  const res = await db.deleteFrom('projects').where('id', '=', project.id).where('status', '=', project.status).executeTakeFirst();
  return Number(res.numDeletedRows) === 1;
}

/** Whether this account did any of these things to the project (its history says). */
export async function actedOn(db: DB, projectId: string, userId: string, actions: readonly string[]): Promise<boolean> {
  const row = await db
    .selectFrom('project_events')
    .select('id')
    .where('project_id', '=', projectId)
    .where('actor_user_id', '=', userId)
    .where('action', 'in', actions)
    .executeTakeFirst();
  return row !== undefined;
}

/** Whether a session belongs to an approved project (only those may be held, so only those get kiosks). */
export async function sessionMayBeHeld(db: DB, sessionId: string): Promise<boolean> {
  const row = await db
    .selectFrom('sessions')
    .innerJoin('projects', 'projects.id', 'sessions.project_id')
    .select('projects.status')
    .where('sessions.id', '=', sessionId)
    .executeTakeFirst();
  return row !== undefined && projectMayBeHeld(row.status);
}

export async function insertAttachments(db: DB, projectId: string, attachments: readonly AttachmentInput[], at: string, kind: ProjectFileKind = 'report') {
  for (const a of attachments) {
    await db
      .insertInto('project_attachments')
      .values({ id: newId(), project_id: projectId, kind, name: a.name, content_type: a.contentType, bytes: a.bytes, created_at: at })
      .execute();
  }
}

/** The kinds of file a project carries, each once. */
export async function fileKindsOf(db: DB, projectId: string): Promise<ProjectFileKind[]> {
  const rows = await db.selectFrom('project_attachments').select('kind').distinct().where('project_id', '=', projectId).execute();
  return rows.map((r) => r.kind);
}

/** One file of a project, with its bytes; none when the file is another project's. */
export function projectFile(db: DB, projectId: string, fileId: string) {
  return db
    .selectFrom('project_attachments')
    .select(['id', 'kind', 'name', 'content_type', 'bytes'])
    .where('id', '=', fileId)
    .where('project_id', '=', projectId)
    .executeTakeFirst();
}

/** Removes a file of a project's declaration; false when there is no such file of this kind set. */
export async function deleteProjectFile(db: DB, projectId: string, fileId: string, kinds: readonly ProjectFileKind[]): Promise<boolean> {
  const res = await db
    .deleteFrom('project_attachments')
    .where('id', '=', fileId)
    .where('project_id', '=', projectId)
    .where('kind', 'in', [...kinds])
    .executeTakeFirst();
  return Number(res.numDeletedRows) === 1;
}

/** Frees the kiosks of a project's sessions (a cancelled project is held nowhere). */
export async function releaseDevices(db: DB, sessionIds: readonly string[]): Promise<number> {
  if (sessionIds.length === 0) return 0;
  const res = await db.deleteFrom('device_sessions').where('session_id', 'in', sessionIds).executeTakeFirst();
  return Number(res.numDeletedRows);
}

/** Every (session, person) of the project that has attendance computed. */
export async function attendancePairsOf(db: DB, projectId: string) {
  return db
    .selectFrom('attendance')
    .innerJoin('sessions', 'sessions.id', 'attendance.session_id')
    .select(['attendance.session_id as sessionId', 'attendance.person_id as personId'])
    .where('sessions.project_id', '=', projectId)
    .execute();
}

/** Each person and course of the project whose attendance is complete and whose assessment passed. */
export async function earnedCourses(db: DB, projectId: string) {
  return db
    .selectFrom('attendance')
    .innerJoin('sessions', 'sessions.id', 'attendance.session_id')
    .innerJoin('courses', 'courses.id', 'sessions.course_id')
    .innerJoin('assessment_results as a', (j) => j.onRef('a.person_id', '=', 'attendance.person_id').onRef('a.project_id', '=', 'courses.project_id'))
    .innerJoin('persons', 'persons.id', 'attendance.person_id')
    .select([
      'courses.id as courseId',
      'courses.credits',
      'courses.starts_at as startsAt',
      'attendance.person_id as personId',
      'persons.institution_id as institutionId',
    ])
    .where('courses.project_id', '=', projectId)
    .where('attendance.status', '=', 'complete')
    .where('a.passed', '=', 1)
    .distinct()
    .execute();
}

export interface CreditAward {
  course_id: string;
  person_id: string;
  project_id: string;
  credits: number;
  cme_year: number;
}

/** The credits submitted for review, instead of any submitted before. */
export async function replaceCreditAwards(db: DB, projectId: string, awards: readonly CreditAward[]) {
  await db.deleteFrom('credit_awards').where('project_id', '=', projectId).execute();
  for (let i = 0; i < awards.length; i += 500)
    await db
      .insertInto('credit_awards')
      .values(awards.slice(i, i + 500))
      .execute();
}

/** Takes a person's course out of the credits submitted for review (their attendance was voided). */
export async function dropCreditAward(db: DB, courseId: string, personId: string): Promise<void> {
  await db.deleteFrom('credit_awards').where('course_id', '=', courseId).where('person_id', '=', personId).execute();
}

export async function creditAwardsOf(db: DB, projectId: string) {
  return db
    .selectFrom('credit_awards')
    .innerJoin('courses', 'courses.id', 'credit_awards.course_id')
    .select(['credit_awards.person_id', 'credit_awards.course_id', 'credit_awards.credits', 'credit_awards.cme_year', 'courses.name'])
    .where('credit_awards.project_id', '=', projectId)
    .execute();
}

/** Projects whose organiser lies within the caller's part of the organisation tree, newest first. */
export async function listProjects(db: DB, scopeRoot: string) {
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
      'projects.starts_on as startsOn',
      'projects.ends_on as endsOn',
      'projects.status',
      'projects.review_step as reviewStep',
      'projects.report_late as reportLate',
      'projects.report_status as reportStatus',
      'projects.specialty',
      'projects.organiser_id as organiserId',
      'org.name as organiser',
    ])
    .where('projects.organiser_id', 'in', inSubtree(scopeRoot))
    .orderBy('projects.starts_on', 'desc')
    .orderBy('projects.id')
    .execute();
}

/** A project with its courses, sessions and history. */
export async function projectDetail(db: DB, project: ProjectRow) {
  const projectId = project.id;
  const [courses, sessions, events, attachments] = await Promise.all([
    db
      .selectFrom('courses')
      .select(['id', 'name', 'starts_at as startsAt', 'ends_at as endsAt', 'credits'])
      .where('project_id', '=', projectId)
      .orderBy('starts_at')
      .execute(),
    db
      .selectFrom('sessions')
      .select(['id', 'course_id as courseId', 'title', 'starts_at as startsAt', 'ends_at as endsAt'])
      .where('project_id', '=', projectId)
      .orderBy('starts_at')
      .execute(),
    db
      .selectFrom('project_events')
      .innerJoin('users', 'users.id', 'project_events.actor_user_id')
      .select([
        'project_events.action',
        'project_events.from_status as from',
        'project_events.to_status as to',
        'project_events.reason',
        'project_events.at',
        'users.display_name as actor',
      ])
      .where('project_id', '=', projectId)
      .orderBy('project_events.at')
      .orderBy('project_events.id')
      .execute(),
    db
      .selectFrom('project_attachments')
      .select(['id', 'kind', 'name', 'content_type as contentType'])
      .where('project_id', '=', projectId)
      .orderBy('created_at')
      .orderBy('id')
      .execute(),
  ]);
  return {
    project: { ...project, reviewOffices: projectReviewChain(project.level, await isProvinceDirect(db, project.organiser_id)) },
    courses,
    sessions,
    events,
    attachments,
  };
}
