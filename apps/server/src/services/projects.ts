// The project workflow (继续医学教育项目): declaration with courses (课程), review by the offices
// the project's level requires, execution report (执行情况), credit submission and approval into
// the ledger. Each step runs in one transaction and leaves a row of `project_events`; the review
// steps follow core's review chain (review-chain.ts), so projects and claims climb it alike.
import {
  addDays,
  approvalsBelow,
  chinaDate,
  creditClassOfLevel,
  daysBetween,
  decide,
  declaredInTime,
  newId,
  projectDeadline,
  type DeclarationFileKind,
  projectMayBeCancelled,
  projectReviewChain,
  type ReviewChain,
  type ReviewOutcome,
  type ReviewRecord,
  reportIsLate,
  reviewState,
} from '@opencme/core';
import type { Role } from '../role.ts';
import type { DB } from '../db/connect.ts';
import type { ProjectStatus } from '../db/schema.ts';
import { UserFacingError } from '../errors.ts';
import { recomputeAttendance } from '../repositories/attendance.ts';
import { audit } from '../repositories/audit.ts';
import { appendLedgerEntries } from '../repositories/ledger.ts';
import {
  actedOn,
  anyTapIn,
  type AttachmentInput,
  attendancePairsOf,
  creditAwardsOf,
  deleteCourses,
  deleteProjectRows,
  earnedCourses,
  deleteProjectFile,
  fileKindsOf,
  findProject,
  insertAttachments,
  listProjects,
  projectFile,
  releaseDevices,
  insertCourses,
  insertProject,
  moveProject,
  moveProjectReport,
  numberTaken,
  projectColumns,
  projectDetail,
  type ProjectInput,
  type ProjectRow,
  recordEvent,
  replaceCreditAwards,
  sessionIdsOf,
} from '../repositories/projects.ts';
import { isProvince, saveSettings, settingsFor } from '../repositories/settings.ts';
import { cmeYearForDate } from '../repositories/standing.ts';
import { isProvinceDirect } from '../repositories/organisations.ts';
import { officeOfRole } from './review-offices.ts';
import { requireNotBarred } from './sanctions.ts';

export type { AttachmentInput, ProjectInput } from '../repositories/projects.ts';

interface Actor {
  userId: string;
  role: Role;
}

async function loadProject(db: DB, projectId: string): Promise<ProjectRow> {
  const project = await findProject(db, projectId);
  if (!project) throw new UserFacingError('NOT_FOUND', 'projects.no-such-project');
  return project;
}

/** Refuses an act the project's status does not allow; the page words the status with `project.status.*`. */
function expectStatus(project: { status: ProjectStatus }, allowed: readonly ProjectStatus[], messageKey: string) {
  if (!allowed.includes(project.status)) throw new UserFacingError('BAD_REQUEST', messageKey, { status: project.status });
}

const changedMeanwhile = () => new UserFacingError('CONFLICT', 'projects.project-changed-meanwhile-reload-try');

/** Moves a project on, only if nobody moved it since it was read. */
async function transition(db: DB, project: ProjectRow, set: Parameters<typeof moveProject>[2]) {
  if (!(await moveProject(db, project, set))) throw changedMeanwhile();
}

/** Refuses what contradicts itself: a level and a credit class that disagree, the project's dates, and each course's within them. */
function checkDates(p: ProjectInput) {
  const creditClass = creditClassOfLevel(p.level);
  if (p.creditClass !== creditClass) {
    throw new UserFacingError('BAD_REQUEST', creditClass === 'I' ? 'projects.level-awards-class-i' : 'projects.level-awards-class-ii', {}, 'creditClass');
  }
  if (p.endsOn < p.startsOn) throw new UserFacingError('BAD_REQUEST', 'projects.end-date-before-start-date', {}, 'endsOn');
  p.courses.forEach((c, i) => {
    if (Date.parse(c.endsAt) <= Date.parse(c.startsAt)) throw new UserFacingError('BAD_REQUEST', 'projects.course-ends-before-starts', { course: i + 1 });
    if (chinaDate(new Date(c.startsAt)) < p.startsOn || chinaDate(new Date(c.endsAt)) > p.endsOn) {
      throw new UserFacingError('BAD_REQUEST', 'projects.course-outside-project-dates', { course: i + 1 });
    }
  });
}

async function requireFreeNumber(db: DB, number: string, except: string | null) {
  if (await numberTaken(db, number, except)) throw new UserFacingError('CONFLICT', 'projects.project-number-taken', { number }, 'number');
}

/** Declares a project as a draft: the project, its courses, and one session per course for the kiosks. */
export async function declareProject(db: DB, input: { project: ProjectInput; organiserId: string; actor: Actor; now: Date }): Promise<string> {
  const p = input.project;
  checkDates(p);
  const at = input.now.toISOString();
  const id = newId();
  return db.transaction().execute(async (trx) => {
    await requireNotBarred(trx, input.organiserId, input.now);
    await requireFreeNumber(trx, p.number, null);
    await insertProject(trx, {
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
    });
    await insertCourses(trx, id, p, at);
    await recordEvent(trx, { projectId: id, action: 'declare', from: null, to: 'draft', userId: input.actor.userId, now: input.now });
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
  const sessions = await sessionIdsOf(db, projectId);
  if (await anyTapIn(db, sessions)) {
    throw new UserFacingError('CONFLICT', 'projects.project-already-attendance-records-courses');
  }
  await deleteCourses(db, projectId, sessions);
}

/** The organiser amends a draft (or a rejected project) before submitting it: fields and courses anew. */
export async function updateProject(db: DB, input: { projectId: string; project: ProjectInput; actor: Actor; now: Date }): Promise<void> {
  const p = input.project;
  checkDates(p);
  const at = input.now.toISOString();
  await db.transaction().execute(async (trx) => {
    const project = await loadProject(trx, input.projectId);
    expectStatus(project, AMENDABLE, 'projects.only-draft-amended');
    await requireFreeNumber(trx, p.number, project.id);
    await removeCourses(trx, project.id);
    await transition(trx, project, projectColumns(p));
    await insertCourses(trx, project.id, p, at);
    await recordEvent(trx, { projectId: project.id, action: 'update', from: project.status, to: project.status, userId: input.actor.userId, now: input.now });
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
    expectStatus(project, AMENDABLE, 'projects.only-draft-deleted');
    await removeCourses(trx, project.id);
    if (!(await deleteProjectRows(trx, project))) throw changedMeanwhile();
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

/** The province's lead time, and the earliest start a project declared today may have. */
export async function leadTime(db: DB, organisationId: string, now: Date): Promise<{ leadDays: number; earliestStart: string }> {
  const { projectLeadDays } = await settingsFor(db, organisationId);
  const earliest = addDays(chinaDate(now), projectLeadDays);
  return { leadDays: projectLeadDays, earliestStart: earliest };
}

/** Submits a draft (or a rejected project, amended) for review, if it is early enough. */
export async function submitProject(db: DB, input: { projectId: string; actor: Actor; now: Date }): Promise<void> {
  await db.transaction().execute(async (trx) => {
    const project = await loadProject(trx, input.projectId);
    expectStatus(project, ['draft', 'rejected'], 'projects.only-draft-submitted');
    await requireNotBarred(trx, project.organiser_id, input.now);
    const { projectLeadDays } = await settingsFor(trx, project.organiser_id);
    const today = chinaDate(input.now);
    if (!declaredInTime(today, project.starts_on, projectLeadDays)) {
      const lead = daysBetween(today, project.starts_on);
      throw new UserFacingError('BAD_REQUEST', 'projects.project-declared-least-days-before', { projectLeadDays, lead }, 'startsOn');
    }
    // The files the province requires with a declaration (办班通知, 日程安排), before anyone reviews it.
    const { declarationFiles } = await settingsFor(trx, project.organiser_id);
    const present = await fileKindsOf(trx, project.id);
    const missing = declarationFiles.filter((k) => !present.includes(k));
    if (missing.length > 0) throw new UserFacingError('BAD_REQUEST', `projects.declaration-needs-${missing[0]!}`);
    // A resubmission climbs the chain afresh, from its first office.
    await transition(trx, project, { status: 'submitted', review_step: 0, submitted_at: input.now.toISOString() });
    await recordEvent(trx, { projectId: project.id, action: 'submit', from: project.status, to: 'submitted', userId: input.actor.userId, now: input.now });
  });
}

/** What the organiser's accounts do to a project: declare it, submit it, report it, submit its credits. */
const ORGANISER_ACTIONS = ['declare', 'submit', 'report', 'submit-credits'] as const;

/**
 * Separation of duties: an account that declared, submitted, reported or submitted the credits of
 * a project may not decide on it, or one account could approve and credit its own project. (A
 * unit's own project is reviewed by the same office that organises it: by another of its accounts.)
 */
async function requireOtherAccount(db: DB, projectId: string, actor: Actor) {
  if (await actedOn(db, projectId, actor.userId, ORGANISER_ACTIONS)) {
    throw new UserFacingError('FORBIDDEN', 'projects.took-part-in-declaring-running');
  }
}

/**
 * One office's decision on a project by the review chain. A project sent back (退回) is returned to
 * its organiser, who may amend it and submit it again. The order of refusals: not this office's
 * turn, then an account of the organiser's, then a missing reason.
 */
async function decideOnProject(
  db: DB,
  project: ProjectRow,
  review: { chain: ReviewChain; decisions: readonly ReviewRecord[]; decision: 'approve' | 'reject'; reason: string | null; actor: Actor },
): Promise<ReviewOutcome & { ok: true }> {
  const waiting = reviewState(review.chain, review.decisions);
  const office = officeOfRole(review.actor.role);
  const outcome: ReviewOutcome = office
    ? decide({ chain: review.chain, decisions: review.decisions, office, decision: review.decision === 'reject' ? 'return' : 'approve', reason: review.reason })
    : { ok: false, reason: 'not-in-chain' };
  const refuse = (o: ReviewOutcome & { ok: false }) => {
    if (o.reason === 'reason-required') return new UserFacingError('BAD_REQUEST', 'projects.rejection-needs-reason');
    if (!waiting.ok || waiting.state.status !== 'pending') return new UserFacingError('BAD_REQUEST', 'projects.not-under-review');
    return new UserFacingError('FORBIDDEN', `projects.waits-for-${waiting.state.office}`);
  };
  if (!outcome.ok && outcome.reason !== 'reason-required') throw refuse(outcome);
  await requireOtherAccount(db, project.id, review.actor);
  if (!outcome.ok) throw refuse(outcome);
  return outcome;
}

/** One office's decision on a submitted project: approve (to the next office, or approved) or reject with a reason. */
export async function reviewProject(
  db: DB,
  input: { projectId: string; decision: 'approve' | 'reject'; reason: string | null; actor: Actor; now: Date },
): Promise<ProjectStatus> {
  return db.transaction().execute(async (trx) => {
    const project = await loadProject(trx, input.projectId);
    expectStatus(project, ['submitted'], 'projects.not-under-review');
    const chain = projectReviewChain(project.level, await isProvinceDirect(trx, project.organiser_id));
    const office = chain[project.review_step]!;
    const { state } = await decideOnProject(trx, project, { chain, decisions: approvalsBelow(chain, project.review_step), ...input });
    const event = { projectId: project.id, from: 'submitted' as const, reason: input.reason, userId: input.actor.userId, now: input.now };
    if (state.status === 'returned' || state.status === 'rejected') {
      await transition(trx, project, { status: 'rejected' });
      await recordEvent(trx, { ...event, action: 'reject', to: 'rejected' });
      return 'rejected';
    }
    // While a project waits, review_step names its office; once approved, it keeps the last one.
    const to: ProjectStatus = state.status === 'approved' ? 'approved' : 'submitted';
    await transition(trx, project, state.status === 'approved' ? { status: 'approved' } : { review_step: state.step });
    await recordEvent(trx, { ...event, action: `approve:${office}`, to });
    return to;
  });
}

/**
 * The execution report (执行情况) after the event; one past the province's deadline is marked late.
 * It then climbs the same offices as the declaration (逐级审核); one sent back is amended and sent
 * again, and keeps the lateness of its first sending (the organiser reported in time or did not).
 */
export async function reportExecution(
  db: DB,
  input: { projectId: string; summary: string; attachments: AttachmentInput[]; actor: Actor; now: Date },
): Promise<{ late: boolean }> {
  return db.transaction().execute(async (trx) => {
    const project = await loadProject(trx, input.projectId);
    const again = project.status === 'reported' && project.report_status === 'returned';
    if (!again) expectStatus(project, ['approved'], 'projects.only-approved-reported');
    const today = chinaDate(input.now);
    if (today < project.ends_on) throw new UserFacingError('BAD_REQUEST', 'projects.project-not-ended-yet-ends', { endsOn: project.ends_on });
    const { reportDays } = await settingsFor(trx, project.organiser_id);
    const late = again ? project.report_late === 1 : reportIsLate(project.ends_on, today, reportDays);
    const at = input.now.toISOString();
    await insertAttachments(trx, project.id, input.attachments, at, 'report');
    await transition(trx, project, {
      status: 'reported',
      report_summary: input.summary,
      report_submitted_at: at,
      report_late: late ? 1 : 0,
      report_status: 'pending',
      report_review_step: 0,
    });
    await recordEvent(trx, {
      projectId: project.id,
      action: 'report',
      from: project.status,
      to: 'reported',
      reason: late ? `逾期上报（期限 ${reportDays} 天） / late (due within ${reportDays} days)` : null,
      userId: input.actor.userId,
      now: input.now,
    });
    return { late };
  });
}

/**
 * One office's decision on an execution report, by the declaration's chain (执行情况逐级审核):
 * approve (on to the next office, or approved after the last) or return it with the reason.
 */
export async function reviewReport(
  db: DB,
  input: { projectId: string; decision: 'approve' | 'return'; reason: string | null; actor: Actor; now: Date },
): Promise<{ reportStatus: 'pending' | 'returned' | 'approved' }> {
  return db.transaction().execute(async (trx) => {
    const project = await loadProject(trx, input.projectId);
    if (project.report_status !== 'pending') throw new UserFacingError('BAD_REQUEST', 'projects.no-report-to-review');
    const chain = projectReviewChain(project.level, await isProvinceDirect(trx, project.organiser_id));
    const step = project.report_review_step;
    const { state } = await decideOnProject(trx, project, {
      chain,
      decisions: approvalsBelow(chain, step),
      decision: input.decision === 'return' ? 'reject' : 'approve',
      reason: input.reason,
      actor: input.actor,
    });
    const reportStatus = state.status === 'approved' ? 'approved' : state.status === 'pending' ? 'pending' : 'returned';
    const moved = await moveReport(trx, project, { report_status: reportStatus, report_review_step: state.step });
    if (!moved) throw changedMeanwhile();
    await recordEvent(trx, {
      projectId: project.id,
      action: reportStatus === 'returned' ? 'return-report' : `approve-report:${chain[step]!}`,
      from: project.status,
      to: project.status,
      reason: input.reason,
      userId: input.actor.userId,
      now: input.now,
    });
    return { reportStatus };
  });
}

/** Moves the report's review on, only if nobody moved it since it was read. */
function moveReport(db: DB, project: ProjectRow, set: { report_status: 'pending' | 'returned' | 'approved'; report_review_step: number }) {
  return moveProjectReport(db, { id: project.id, report_status: project.report_status, report_review_step: project.report_review_step }, set);
}

/**
 * 项目废止: the organiser or an office above it cancels a project under review or approved, with
 * the reason. The record stays (its history, its courses, any tap already recorded: evidence);
 * its kiosks are freed, and its sessions take no further taps and its list no further enrolments.
 */
export async function cancelProject(db: DB, input: { projectId: string; reason: string; actor: Actor; now: Date }): Promise<{ devicesFreed: number }> {
  return db.transaction().execute(async (trx) => {
    const project = await loadProject(trx, input.projectId);
    if (!projectMayBeCancelled(project.status)) throw new UserFacingError('BAD_REQUEST', 'projects.cannot-be-cancelled', { status: project.status });
    if (!input.reason.trim()) throw new UserFacingError('BAD_REQUEST', 'projects.cancellation-needs-reason', {}, 'reason');
    const at = input.now.toISOString();
    await transition(trx, project, { status: 'cancelled', cancel_reason: input.reason, cancelled_at: at, cancelled_by: input.actor.userId });
    const devicesFreed = await releaseDevices(trx, await sessionIdsOf(trx, project.id));
    await recordEvent(trx, {
      projectId: project.id,
      action: 'cancel',
      from: project.status,
      to: 'cancelled',
      reason: input.reason,
      userId: input.actor.userId,
      now: input.now,
    });
    await audit(trx, {
      actor: { userId: input.actor.userId },
      action: 'project.cancel',
      entity: 'project',
      entityId: project.id,
      organisationId: project.organiser_id,
      before: { number: project.number, name: project.name, status: project.status },
      after: { status: 'cancelled', reason: input.reason, devicesFreed },
      at: input.now,
    });
    return { devicesFreed };
  });
}

/** A file as the declaration may carry it: a PDF, a Word document or an image, told by its first bytes (not by what the browser claimed). */
function declarationFileType(file: { fileName: string; bytes: Uint8Array }): string | null {
  const b = Buffer.from(file.bytes.subarray(0, 8));
  const name = file.fileName.toLowerCase();
  if (b.subarray(0, 5).toString('latin1') === '%PDF-') return 'application/pdf';
  if (b.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) return 'image/png';
  if (b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return 'image/jpeg';
  if (b.subarray(0, 4).equals(Buffer.from('PK\x03\x04', 'latin1')) && name.endsWith('.docx'))
    return 'application/vnd.openxmlformats-officedocument.wordprocessingml.document';
  if (b.equals(Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1])) && name.endsWith('.doc')) return 'application/msword';
  return null;
}

/** The organiser adds files of one kind (办班通知, 日程安排) to a declaration not yet under review. */
export async function attachDeclarationFiles(
  db: DB,
  input: { projectId: string; kind: DeclarationFileKind; files: readonly { fileName: string; bytes: Uint8Array }[]; actor: Actor; now: Date },
): Promise<void> {
  const typed = input.files.map((f) => {
    const contentType = declarationFileType(f);
    if (!contentType) throw new UserFacingError('BAD_REQUEST', 'projects.file-not-pdf-word-image', { fileName: f.fileName });
    return { name: f.fileName, contentType, bytes: f.bytes };
  });
  await db.transaction().execute(async (trx) => {
    const project = await loadProject(trx, input.projectId);
    expectStatus(project, AMENDABLE, 'projects.only-draft-amended');
    await insertAttachments(trx, project.id, typed, input.now.toISOString(), input.kind);
    await recordEvent(trx, {
      projectId: project.id,
      action: `attach:${input.kind}`,
      from: project.status,
      to: project.status,
      reason: typed.map((f) => f.name).join('、'),
      userId: input.actor.userId,
      now: input.now,
    });
  });
}

/** The organiser removes a file of a declaration not yet under review. */
export async function removeDeclarationFile(db: DB, input: { projectId: string; fileId: string; actor: Actor; now: Date }): Promise<void> {
  await db.transaction().execute(async (trx) => {
    const project = await loadProject(trx, input.projectId);
    expectStatus(project, AMENDABLE, 'projects.only-draft-amended');
    if (!(await deleteProjectFile(trx, project.id, input.fileId, ['notice', 'schedule']))) throw new UserFacingError('NOT_FOUND', 'projects.no-such-file');
  });
}

/** A file of a project, for those who may see the project (its organiser and the offices above it). */
export async function fileOfProject(db: DB, input: { projectId: string; fileId: string }) {
  const file = await projectFile(db, input.projectId, input.fileId);
  if (!file) throw new UserFacingError('NOT_FOUND', 'projects.no-such-file');
  return file;
}

/** The projects of the caller's part of the tree, each with the deadline it waits on now (逾期 N 天 when past it). */
export async function projectsWithDeadlines(db: DB, organisationId: string, now: Date) {
  const projects = await listProjects(db, organisationId);
  const today = chinaDate(now);
  const days = new Map<string, Awaited<ReturnType<typeof settingsFor>>>();
  const out = [];
  for (const p of projects) {
    let settings = days.get(p.organiserId);
    if (!settings) days.set(p.organiserId, (settings = await settingsFor(db, p.organiserId)));
    out.push({ ...p, deadline: projectDeadline(p, settings, today) });
  }
  return out;
}

/**
 * Submits the credits: every person whose attendance of a course's session is complete and who
 * passed the assessment earns that course's credits. What is submitted is frozen for the reviewer.
 */
export async function submitCredits(db: DB, input: { projectId: string; actor: Actor; now: Date }): Promise<{ awards: number }> {
  return db.transaction().execute(async (trx) => {
    const project = await loadProject(trx, input.projectId);
    expectStatus(project, ['reported'], 'projects.report-before-credits');
    // The provincial notices: a report after the deadline earns no credit (逾期不予授分).
    if (project.report_late) throw new UserFacingError('BAD_REQUEST', 'projects.execution-report-late-no-credits');
    // Attendance is computed as taps arrive; the province may have changed its rules since. What
    // is submitted is computed afresh, by the rules in force now.
    await recomputeAttendance(trx, await attendancePairsOf(trx, project.id), input.now.toISOString());
    const earned = await earnedCourses(trx, project.id);
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
    await replaceCreditAwards(trx, project.id, awards);
    await transition(trx, project, { status: 'credits-submitted', credits_submitted_at: input.now.toISOString() });
    await recordEvent(trx, {
      projectId: project.id,
      action: 'submit-credits',
      from: 'reported',
      to: 'credits-submitted',
      reason: `${awards.length} 条 / entries`,
      userId: input.actor.userId,
      now: input.now,
    });
    return { awards: awards.length };
  });
}

/**
 * The approving office's decision on the submitted credits. Approval writes one ledger entry per
 * person and course, in the CME year of the course, naming the course as its source; rejection
 * sends the project back to the organiser with the reason.
 */
export async function reviewCredits(
  db: DB,
  input: { projectId: string; decision: 'approve' | 'reject'; reason: string | null; actor: Actor; now: Date },
): Promise<{ entries: number }> {
  return db.transaction().execute(async (trx) => {
    const project = await loadProject(trx, input.projectId);
    expectStatus(project, ['credits-submitted'], 'projects.no-credits-to-review');
    // The credit report's chain is one office long: each submission is decided at once.
    // The office that approved the project last decides its credits (the province, for a province-direct unit's).
    const chain = projectReviewChain(project.level, await isProvinceDirect(trx, project.organiser_id)).slice(-1);
    const { state } = await decideOnProject(trx, project, { chain, decisions: [], ...input });
    const event = { projectId: project.id, from: 'credits-submitted' as const, reason: input.reason, userId: input.actor.userId, now: input.now };
    if (state.status !== 'approved') {
      await transition(trx, project, { status: 'reported', credits_submitted_at: null });
      await recordEvent(trx, { ...event, action: 'reject-credits', to: 'reported' });
      return { entries: 0 };
    }
    const awards = await creditAwardsOf(trx, project.id);
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
    await transition(trx, project, { status: 'credits-approved', credits_approved_at: input.now.toISOString(), credits_approved_by: input.actor.userId });
    await recordEvent(trx, { ...event, action: 'approve-credits', to: 'credits-approved' });
    return { entries: written.length };
  });
}

/** A project with its courses, sessions, history and the offices that review it. */
export async function getProject(db: DB, projectId: string, now: Date) {
  const project = await loadProject(db, projectId);
  const settings = await settingsFor(db, project.organiser_id);
  const deadline = projectDeadline(
    { status: project.status, startsOn: project.starts_on, endsOn: project.ends_on, reportStatus: project.report_status },
    settings,
    chinaDate(now),
  );
  return { ...(await projectDetail(db, project)), deadline, declarationFiles: settings.declarationFiles };
}

/** The province's lead time, report deadline and attendance rules; only a province has them. */
export async function saveProjectSettings(db: DB, input: Parameters<typeof saveSettings>[2] & { provinceId: string; now: Date }): Promise<void> {
  if (!(await isProvince(db, input.provinceId))) throw new UserFacingError('BAD_REQUEST', 'projects.settings-belong-province');
  await saveSettings(db, input.provinceId, input, input.now);
}
