// CME projects (继续医学教育项目): declaration with courses (课程), review by the offices the
// project's level requires, execution report (执行情况), credit submission and approval into the
// ledger. Every state change is a row of `project_events`: who, when, from what, to what, why.
import { chinaDate, creditClassOfLevel, daysBetween, declaredInTime, newId, projectMayBeHeld, REVIEW_OFFICES, type ReviewOffice, reportIsLate } from '@opencme/core';
import { inSubtree } from './organisations.ts';
import type { Role } from '../role.ts';
import type { DB } from '../db/connect.ts';
import type { Updateable } from 'kysely';
import type { ProjectStatus, ProjectTable } from '../db/schema.ts';
import { UserFacingError } from '../errors.ts';
import { recomputeAttendance } from './attendance.ts';
import { audit } from './audit.ts';
import { appendLedgerEntries } from './ledger.ts';
import { settingsFor } from './settings.ts';
import { cmeYearForDate } from './standing.ts';

// The door's sync (taps.ts) asks here whether a session's project may be held.
export { projectMayBeHeld };

const OFFICE_ROLE: Record<ReviewOffice, Role> = { unit: 'unit-admin', city: 'city-admin', province: 'province-admin' };

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
  courses: CourseInput[];
}

interface Actor {
  userId: string;
  role: Role;
}

async function recordEvent(db: DB, e: { projectId: string; action: string; from: ProjectStatus | null; to: ProjectStatus; reason?: string | null; actor: Actor; now: Date }) {
  await db
    .insertInto('project_events')
    .values({ id: newId(), project_id: e.projectId, action: e.action, from_status: e.from, to_status: e.to, reason: e.reason ?? null, actor_user_id: e.actor.userId, at: e.now.toISOString() })
    .execute();
}

async function loadProject(db: DB, projectId: string) {
  const project = await db.selectFrom('projects').selectAll().where('id', '=', projectId).executeTakeFirst();
  if (!project) throw new UserFacingError('NOT_FOUND', '找不到此项目', 'No such project');
  return project;
}

function expectStatus(project: { status: ProjectStatus }, allowed: readonly ProjectStatus[], zh: string, en: string) {
  if (!allowed.includes(project.status)) throw new UserFacingError('BAD_REQUEST', `${zh}（当前状态：${project.status}）`, `${en} (status: ${project.status})`);
}

/** Moves a project from one status to another, only if it is still in the first (no lost update). */
async function transition(db: DB, project: { id: string; status: ProjectStatus }, to: ProjectStatus, set: Omit<Updateable<ProjectTable>, 'id' | 'status'>) {
  const res = await db.updateTable('projects').set({ ...set, status: to }).where('id', '=', project.id).where('status', '=', project.status).executeTakeFirst();
  if (Number(res.numUpdatedRows) !== 1) throw new UserFacingError('CONFLICT', '项目状态已被他人更改，请刷新后重试', 'The project changed meanwhile: reload and try again');
}

/** Refuses what contradicts itself: a level and a credit class that disagree, the project's dates, and each course's within them. */
function checkDates(p: ProjectInput) {
  const creditClass = creditClassOfLevel(p.level);
  if (p.creditClass !== creditClass) {
    const zh = { I: 'Ⅰ类', II: 'Ⅱ类' }[creditClass];
    throw new UserFacingError('BAD_REQUEST', `此级别的项目授予${zh}学分`, `A project of this level awards Class ${creditClass} credits`, 'creditClass');
  }
  if (p.endsOn < p.startsOn) throw new UserFacingError('BAD_REQUEST', '结束日期早于开始日期', 'The end date is before the start date', 'endsOn');
  p.courses.forEach((c, i) => {
    if (Date.parse(c.endsAt) <= Date.parse(c.startsAt)) throw new UserFacingError('BAD_REQUEST', `第 ${i + 1} 门课程的结束时间不晚于开始时间`, `Course ${i + 1} ends before it starts`);
    if (chinaDate(new Date(c.startsAt)) < p.startsOn || chinaDate(new Date(c.endsAt)) > p.endsOn) {
      throw new UserFacingError('BAD_REQUEST', `第 ${i + 1} 门课程不在项目举办日期内`, `Course ${i + 1} lies outside the project's dates`);
    }
  });
}

async function requireFreeNumber(db: DB, number: string, except: string | null) {
  let q = db.selectFrom('projects').select('id').where('number', '=', number);
  if (except) q = q.where('id', '!=', except);
  if (await q.executeTakeFirst()) throw new UserFacingError('CONFLICT', `项目编号 ${number} 已存在`, `Project number ${number} is taken`, 'number');
}

/** The project's fields as stored, from what the organiser typed. */
const projectColumns = (p: ProjectInput) => ({
  number: p.number,
  name: p.name,
  level: p.level,
  credit_class: p.creditClass,
  credits: p.credits,
  venue: p.venue,
  starts_on: p.startsOn,
  ends_on: p.endsOn,
  mode: p.mode,
});

/** Its courses, and one session per course for the kiosks. */
async function insertCourses(db: DB, projectId: string, p: ProjectInput, at: string) {
  for (const c of p.courses) {
    const courseId = newId();
    await db.insertInto('courses').values({ id: courseId, project_id: projectId, name: c.name, starts_at: c.startsAt, ends_at: c.endsAt, credits: c.credits, created_at: at }).execute();
    await db.insertInto('sessions').values({ id: newId(), project_id: projectId, course_id: courseId, title: c.name, venue: p.venue, starts_at: c.startsAt, ends_at: c.endsAt, created_at: at }).execute();
  }
}

/** Declares a project as a draft: the project, its courses, and one session per course for the kiosks. */
export async function declareProject(db: DB, input: { project: ProjectInput; organiserId: string; actor: Actor; now: Date }): Promise<string> {
  const p = input.project;
  checkDates(p);
  const at = input.now.toISOString();
  const id = newId();
  return db.transaction().execute(async (trx) => {
    await requireFreeNumber(trx, p.number, null);
    await trx
      .insertInto('projects')
      .values({
        id,
        ...projectColumns(p),
        organiser_id: input.organiserId,
        created_at: at,
        status: 'draft',
        report_summary: null,
        report_submitted_at: null,
        credits_submitted_at: null,
        credits_approved_at: null,
        credits_approved_by: null,
      })
      .execute();
    await insertCourses(trx, id, p, at);
    await recordEvent(trx, { projectId: id, action: 'declare', from: null, to: 'draft', actor: input.actor, now: input.now });
    return id;
  });
}

/** What only a project nobody has reviewed yet may undergo: a draft, or one sent back. */
const AMENDABLE: readonly ProjectStatus[] = ['draft', 'rejected'];

/**
 * Removes a project's courses and sessions, refusing when a kiosk already recorded a tap in one:
 * such a record is evidence and goes nowhere.
 */
async function removeCourses(db: DB, projectId: string) {
  const sessions = (await db.selectFrom('sessions').select('id').where('project_id', '=', projectId).execute()).map((s) => s.id);
  if (sessions.length > 0) {
    const tapped = await db.selectFrom('taps').select('tap_id').where('session_id', 'in', sessions).executeTakeFirst();
    if (tapped) throw new UserFacingError('CONFLICT', '此项目已有签到记录，不能修改课程或删除', 'This project already has attendance records: its courses cannot be changed or deleted');
    await db.deleteFrom('attendance').where('session_id', 'in', sessions).execute();
    await db.deleteFrom('device_sessions').where('session_id', 'in', sessions).execute();
    await db.deleteFrom('sessions').where('id', 'in', sessions).execute();
  }
  await db.deleteFrom('courses').where('project_id', '=', projectId).execute();
}

/** The organiser amends a draft (or a rejected project) before submitting it: fields and courses anew. */
export async function updateProject(db: DB, input: { projectId: string; project: ProjectInput; actor: Actor; now: Date }): Promise<void> {
  const p = input.project;
  checkDates(p);
  const at = input.now.toISOString();
  await db.transaction().execute(async (trx) => {
    const project = await loadProject(trx, input.projectId);
    expectStatus(project, AMENDABLE, '只有草稿或被退回的项目可以修改', 'Only a draft or a rejected project can be changed');
    await requireFreeNumber(trx, p.number, project.id);
    await removeCourses(trx, project.id);
    const res = await trx.updateTable('projects').set(projectColumns(p)).where('id', '=', project.id).where('status', '=', project.status).executeTakeFirst();
    if (Number(res.numUpdatedRows) !== 1) throw new UserFacingError('CONFLICT', '项目状态已被他人更改，请刷新后重试', 'The project changed meanwhile: reload and try again');
    await insertCourses(trx, project.id, p, at);
    await recordEvent(trx, { projectId: project.id, action: 'update', from: project.status, to: project.status, actor: input.actor, now: input.now });
    await audit(trx, {
      actor: { userId: input.actor.userId },
      action: 'project.update',
      entity: 'project',
      entityId: project.id,
      organisationId: project.organiser_id,
      before: { number: project.number, name: project.name, startsOn: project.starts_on, endsOn: project.ends_on },
      after: { number: p.number, name: p.name, startsOn: p.startsOn, endsOn: p.endsOn },
      at: input.now,
    });
  });
}

/**
 * The organiser withdraws a draft (or a rejected project) altogether. Its own history goes with
 * it; the audit log keeps who deleted what.
 */
export async function deleteProject(db: DB, input: { projectId: string; actor: Actor; now: Date }): Promise<void> {
  await db.transaction().execute(async (trx) => {
    const project = await loadProject(trx, input.projectId);
    expectStatus(project, AMENDABLE, '只有草稿或被退回的项目可以删除', 'Only a draft or a rejected project can be deleted');
    await removeCourses(trx, project.id);
    await trx.deleteFrom('credit_awards').where('project_id', '=', project.id).execute();
    await trx.deleteFrom('assessment_results').where('project_id', '=', project.id).execute();
    await trx.deleteFrom('project_attachments').where('project_id', '=', project.id).execute();
    await trx.deleteFrom('project_events').where('project_id', '=', project.id).execute();
    const res = await trx.deleteFrom('projects').where('id', '=', project.id).where('status', '=', project.status).executeTakeFirst();
    if (Number(res.numDeletedRows) !== 1) throw new UserFacingError('CONFLICT', '项目状态已被他人更改，请刷新后重试', 'The project changed meanwhile: reload and try again');
    await audit(trx, {
      actor: { userId: input.actor.userId },
      action: 'project.delete',
      entity: 'project',
      entityId: project.id,
      organisationId: project.organiser_id,
      before: { number: project.number, name: project.name, status: project.status, startsOn: project.starts_on, endsOn: project.ends_on },
      at: input.now,
    });
  });
}

/** Submits a draft (or a rejected project, amended) for review, if it is early enough. */
export async function submitProject(db: DB, input: { projectId: string; actor: Actor; now: Date }): Promise<void> {
  await db.transaction().execute(async (trx) => {
    const project = await loadProject(trx, input.projectId);
    expectStatus(project, ['draft', 'rejected'], '只有草稿或被退回的项目可以提交审核', 'Only a draft or a rejected project can be submitted');
    const { projectLeadDays } = await settingsFor(trx, project.organiser_id);
    const today = chinaDate(input.now);
    if (!declaredInTime(today, project.starts_on, projectLeadDays)) {
      const lead = daysBetween(today, project.starts_on);
      throw new UserFacingError(
        'BAD_REQUEST',
        `项目须在举办前至少 ${projectLeadDays} 天申报（距举办还有 ${lead} 天）`,
        `A project must be declared at least ${projectLeadDays} days before it starts (${lead} days left)`,
        'startsOn',
      );
    }
    await transition(trx, project, 'submitted', { review_step: 0 });
    await recordEvent(trx, { projectId: project.id, action: 'submit', from: project.status, to: 'submitted', actor: input.actor, now: input.now });
  });
}

function requireOffice(office: ReviewOffice, actor: Actor) {
  if (actor.role !== OFFICE_ROLE[office]) {
    const zh = { unit: '单位医教科', city: '市州卫健委', province: '省继教办' }[office];
    throw new UserFacingError('FORBIDDEN', `此项目正等待${zh}审核`, `This project waits for the ${office} office's review`);
  }
}

/** What the organiser's accounts do to a project: declare it, submit it, report it, submit its credits. */
const ORGANISER_ACTIONS = ['declare', 'submit', 'report', 'submit-credits'] as const;

/**
 * Separation of duties: an account that declared, submitted, reported or submitted the credits of
 * a project may not decide on it, or one account could approve and credit its own project. (A
 * unit's own project is reviewed by the same office that organises it: by another of its accounts.)
 */
async function requireOtherAccount(db: DB, projectId: string, actor: Actor) {
  const own = await db
    .selectFrom('project_events')
    .select('id')
    .where('project_id', '=', projectId)
    .where('actor_user_id', '=', actor.userId)
    .where('action', 'in', ORGANISER_ACTIONS)
    .executeTakeFirst();
  if (own) {
    throw new UserFacingError('FORBIDDEN', '您参与了此项目的申报或执行，须由另一账号审核', 'You took part in declaring or running this project: another account must review it');
  }
}

/** One office's decision on a submitted project: approve (to the next office, or approved) or reject with a reason. */
export async function reviewProject(db: DB, input: { projectId: string; decision: 'approve' | 'reject'; reason: string | null; actor: Actor; now: Date }): Promise<ProjectStatus> {
  return db.transaction().execute(async (trx) => {
    const project = await loadProject(trx, input.projectId);
    expectStatus(project, ['submitted'], '项目不在审核中', 'The project is not under review');
    const offices = REVIEW_OFFICES[project.level];
    requireOffice(offices[project.review_step]!, input.actor);
    await requireOtherAccount(trx, project.id, input.actor);
    if (input.decision === 'reject') {
      if (!input.reason) throw new UserFacingError('BAD_REQUEST', '退回须填写理由', 'A rejection needs a reason');
      await transition(trx, project, 'rejected', {});
      await recordEvent(trx, { projectId: project.id, action: 'reject', from: 'submitted', to: 'rejected', reason: input.reason, actor: input.actor, now: input.now });
      return 'rejected';
    }
    const last = project.review_step >= offices.length - 1;
    if (last) await transition(trx, project, 'approved', {});
    else await trx.updateTable('projects').set({ review_step: project.review_step + 1 }).where('id', '=', project.id).execute();
    const to: ProjectStatus = last ? 'approved' : 'submitted';
    await recordEvent(trx, { projectId: project.id, action: `approve:${offices[project.review_step]}`, from: 'submitted', to, reason: input.reason, actor: input.actor, now: input.now });
    return to;
  });
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

export interface AttachmentInput {
  name: string;
  contentType: string;
  bytes: Uint8Array;
}

/** The execution report (执行情况) after the event; one past the province's deadline is marked late. */
export async function reportExecution(db: DB, input: { projectId: string; summary: string; attachments: AttachmentInput[]; actor: Actor; now: Date }): Promise<{ late: boolean }> {
  return db.transaction().execute(async (trx) => {
    const project = await loadProject(trx, input.projectId);
    expectStatus(project, ['approved'], '只有已批准的项目可以上报执行情况', 'Only an approved project can report its execution');
    const today = chinaDate(input.now);
    if (today < project.ends_on) throw new UserFacingError('BAD_REQUEST', `项目尚未结束（${project.ends_on} 结束）`, `The project has not ended yet (ends ${project.ends_on})`);
    const { reportDays } = await settingsFor(trx, project.organiser_id);
    const late = reportIsLate(project.ends_on, today, reportDays);
    const at = input.now.toISOString();
    for (const a of input.attachments) {
      await trx.insertInto('project_attachments').values({ id: newId(), project_id: project.id, name: a.name, content_type: a.contentType, bytes: a.bytes, created_at: at }).execute();
    }
    await transition(trx, project, 'reported', { report_summary: input.summary, report_submitted_at: at, report_late: late ? 1 : 0 });
    await recordEvent(trx, { projectId: project.id, action: 'report', from: 'approved', to: 'reported', reason: late ? `逾期上报（期限 ${reportDays} 天） / late (due within ${reportDays} days)` : null, actor: input.actor, now: input.now });
    return { late };
  });
}


/**
 * Submits the credits: every person whose attendance of a course's session is complete and who
 * passed the assessment earns that course's credits. What is submitted is frozen for the reviewer.
 */
export async function submitCredits(db: DB, input: { projectId: string; actor: Actor; now: Date }): Promise<{ awards: number }> {
  return db.transaction().execute(async (trx) => {
    const project = await loadProject(trx, input.projectId);
    expectStatus(project, ['reported'], '请先上报执行情况再提交学分', 'Report the execution before submitting credits');
    // The provincial notices: a report after the deadline earns no credit (逾期不予授分).
    if (project.report_late) throw new UserFacingError('BAD_REQUEST', '执行情况逾期上报，按规定不授予学分', 'The execution report was late: no credits are granted');
    // Attendance is computed as taps arrive; the province may have changed its rules since. What
    // is submitted is computed afresh, by the rules in force now.
    const pairs = await trx
      .selectFrom('attendance')
      .innerJoin('sessions', 'sessions.id', 'attendance.session_id')
      .select(['attendance.session_id as sessionId', 'attendance.person_id as personId'])
      .where('sessions.project_id', '=', project.id)
      .execute();
    await recomputeAttendance(trx, pairs, input.now.toISOString());
    const earned = await trx
      .selectFrom('attendance')
      .innerJoin('sessions', 'sessions.id', 'attendance.session_id')
      .innerJoin('courses', 'courses.id', 'sessions.course_id')
      .innerJoin('assessment_results as a', (j) => j.onRef('a.person_id', '=', 'attendance.person_id').onRef('a.project_id', '=', 'courses.project_id'))
      .innerJoin('persons', 'persons.id', 'attendance.person_id')
      .select(['courses.id as courseId', 'courses.credits', 'courses.starts_at as startsAt', 'attendance.person_id as personId', 'persons.institution_id as institutionId'])
      .where('courses.project_id', '=', project.id)
      .where('attendance.status', '=', 'complete')
      .where('a.passed', '=', 1)
      .distinct()
      .execute();
    await trx.deleteFrom('credit_awards').where('project_id', '=', project.id).execute();
    // The credits count for the attendee's CME year on the day of the course (China date), which
    // the rule set of the attendee's province decides: not every CME year starts on 1 January.
    const years = new Map<string, number>();
    const awards = [];
    for (const e of earned) {
      const day = chinaDate(new Date(e.startsAt));
      const key = `${e.institutionId}|${day}`;
      if (!years.has(key)) years.set(key, await cmeYearForDate(trx, e.institutionId, day));
      awards.push({ course_id: e.courseId, person_id: e.personId, project_id: project.id, credits: e.credits, cme_year: years.get(key)! });
    }
    for (let i = 0; i < awards.length; i += 500) await trx.insertInto('credit_awards').values(awards.slice(i, i + 500)).execute();
    await transition(trx, project, 'credits-submitted', { credits_submitted_at: input.now.toISOString() });
    await recordEvent(trx, { projectId: project.id, action: 'submit-credits', from: 'reported', to: 'credits-submitted', reason: `${awards.length} 条 / entries`, actor: input.actor, now: input.now });
    return { awards: awards.length };
  });
}

/**
 * The approving office's decision on the submitted credits. Approval writes one ledger entry per
 * person and course, in the CME year of the course, naming the course as its source; rejection
 * sends the project back to the organiser with the reason.
 */
export async function reviewCredits(db: DB, input: { projectId: string; decision: 'approve' | 'reject'; reason: string | null; actor: Actor; now: Date }): Promise<{ entries: number }> {
  return db.transaction().execute(async (trx) => {
    const project = await loadProject(trx, input.projectId);
    expectStatus(project, ['credits-submitted'], '项目没有待审核的学分', 'The project has no credits waiting for review');
    const offices = REVIEW_OFFICES[project.level];
    requireOffice(offices[offices.length - 1]!, input.actor);
    await requireOtherAccount(trx, project.id, input.actor);
    if (input.decision === 'reject') {
      if (!input.reason) throw new UserFacingError('BAD_REQUEST', '退回须填写理由', 'A rejection needs a reason');
      await transition(trx, project, 'reported', { credits_submitted_at: null });
      await recordEvent(trx, { projectId: project.id, action: 'reject-credits', from: 'credits-submitted', to: 'reported', reason: input.reason, actor: input.actor, now: input.now });
      return { entries: 0 };
    }
    const awards = await trx
      .selectFrom('credit_awards')
      .innerJoin('courses', 'courses.id', 'credit_awards.course_id')
      .select(['credit_awards.person_id', 'credit_awards.course_id', 'credit_awards.credits', 'credit_awards.cme_year', 'courses.name'])
      .where('credit_awards.project_id', '=', project.id)
      .execute();
    const written = await appendLedgerEntries(
      trx,
      awards.map((a) => ({
        personId: a.person_id,
        cmeYear: a.cme_year,
        creditClass: project.credit_class,
        level: project.level,
        credits: a.credits,
        sourceKind: 'attendance' as const,
        sourceId: a.course_id,
        sourceLabel: `${project.name}（${project.number}）· ${a.name}`,
        approvedBy: input.actor.userId,
        at: input.now,
      })),
    );
    await transition(trx, project, 'credits-approved', { credits_approved_at: input.now.toISOString(), credits_approved_by: input.actor.userId });
    await recordEvent(trx, { projectId: project.id, action: 'approve-credits', from: 'credits-submitted', to: 'credits-approved', reason: input.reason, actor: input.actor, now: input.now });
    return { entries: written.length };
  });
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
      'org.name as organiser',
    ])
    .where('projects.organiser_id', 'in', inSubtree(scopeRoot))
    .orderBy('projects.starts_on', 'desc')
    .execute();
}

/** A project with its courses, sessions and history. */
export async function getProject(db: DB, projectId: string) {
  const project = await loadProject(db, projectId);
  const [courses, sessions, events, attachments] = await Promise.all([
    db.selectFrom('courses').select(['id', 'name', 'starts_at as startsAt', 'ends_at as endsAt', 'credits']).where('project_id', '=', projectId).orderBy('starts_at').execute(),
    db.selectFrom('sessions').select(['id', 'course_id as courseId', 'title', 'starts_at as startsAt', 'ends_at as endsAt']).where('project_id', '=', projectId).orderBy('starts_at').execute(),
    db
      .selectFrom('project_events')
      .innerJoin('users', 'users.id', 'project_events.actor_user_id')
      .select(['project_events.action', 'project_events.from_status as from', 'project_events.to_status as to', 'project_events.reason', 'project_events.at', 'users.display_name as actor'])
      .where('project_id', '=', projectId)
      .orderBy('project_events.at')
      .orderBy('project_events.id')
      .execute(),
    db.selectFrom('project_attachments').select(['id', 'name', 'content_type as contentType']).where('project_id', '=', projectId).execute(),
  ]);
  return {
    project: { ...project, reviewOffices: REVIEW_OFFICES[project.level] },
    courses,
    sessions,
    events,
    attachments,
  };
}
