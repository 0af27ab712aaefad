// The project workflow's rules (继续医学教育项目): which offices review a project of each level,
// how early it must be declared, when its execution report is late, and which credit class its
// level gives. The server enforces them; the declaration form shows them before anyone submits.
import { addDays, daysBetween } from './china-date.ts';
import type { ReviewChain } from './review-chain.ts';
import type { CreditClass, CreditLevel } from './rules.ts';

/** `cancelled`: 项目废止, withdrawn with its reason after submission; the record stays. */
export const PROJECT_STATUSES = ['draft', 'submitted', 'approved', 'rejected', 'reported', 'credits-submitted', 'credits-approved', 'cancelled'] as const;
export type ProjectStatus = (typeof PROJECT_STATUSES)[number];

/**
 * The review chain of a project's declaration (项目申报审核), by its level. A national or
 * provincial project goes through the city office (市州卫健委) to the provincial office (省继教办);
 * a city project stops at the city; a unit's own project is reviewed by the unit's CME office (医教科).
 */
export const PROJECT_REVIEW_CHAINS: Record<CreditLevel, ReviewChain> = {
  national: ['city', 'province'],
  provincial: ['city', 'province'],
  city: ['city'],
  unit: ['unit'],
};

/**
 * The offices a project of this level climbs. A province-direct unit (省直/委直属) has no city
 * office above it: what a city would review goes to the province.
 */
export function projectReviewChain(level: CreditLevel, provinceDirect = false): ReviewChain {
  const chain = PROJECT_REVIEW_CHAINS[level];
  if (!provinceDirect || !chain.includes('city')) return chain;
  const skipped = chain.filter((office) => office !== 'city');
  return skipped.includes('province') ? skipped : [...skipped, 'province'];
}

/** The review chain of a project's credit report (学分审核): the office that approved the project last, alone. */
export function creditReviewChain(level: CreditLevel): ReviewChain {
  return PROJECT_REVIEW_CHAINS[level].slice(-1);
}

/**
 * The credit class a project's level gives: national and provincial projects (国家级、省级) award
 * Class I (Ⅰ类) credits, city and unit projects Class II (Ⅱ类).
 */
export function creditClassOfLevel(level: CreditLevel): CreditClass {
  return level === 'national' || level === 'provincial' ? 'I' : 'II';
}

/** 申报提前期: a project is declared at least this many days before it starts, unless the province says otherwise. */
export const DEFAULT_PROJECT_LEAD_DAYS = 14;
/** 执行情况上报期限: the execution report is due this many days after the end, unless the province says otherwise. */
export const DEFAULT_REPORT_DAYS = 14;

/** Whether a project starting on `startsOn` may still be submitted on `today` (both China dates). */
export function declaredInTime(today: string, startsOn: string, leadDays: number): boolean {
  return daysBetween(today, startsOn) >= leadDays;
}

/** Whether an execution report made on `reportedOn` for a project that ended on `endsOn` is late (逾期): no credits then. */
export function reportIsLate(endsOn: string, reportedOn: string, reportDays: number): boolean {
  return daysBetween(endsOn, reportedOn) > reportDays;
}

/** Whether a project in this status was approved, so that it may be held (a draft, one under review, a rejected or a cancelled one may not). */
export function projectMayBeHeld(status: ProjectStatus): boolean {
  return status !== 'draft' && status !== 'submitted' && status !== 'rejected' && status !== 'cancelled';
}

/** 项目废止: a project under review or approved and not yet reported may be cancelled; later its record is what it is. */
export function projectMayBeCancelled(status: ProjectStatus): boolean {
  return status === 'submitted' || status === 'approved';
}

/**
 * The files of a project (项目材料): the notice of the course (办班通知) and its schedule (日程安排)
 * sent with the declaration, and the execution report's attachments (执行情况附件).
 */
export const PROJECT_FILE_KINDS = ['notice', 'schedule', 'report'] as const;
export type ProjectFileKind = (typeof PROJECT_FILE_KINDS)[number];
/** The kinds a declaration may carry; which of them a province requires is its setting. */
export const DECLARATION_FILE_KINDS = ['notice', 'schedule'] as const satisfies readonly ProjectFileKind[];
export type DeclarationFileKind = (typeof DECLARATION_FILE_KINDS)[number];

/** 学分上报期限: the credits are submitted within this many days of the end (2 weeks in the seeds' notices). */
export const DEFAULT_CREDITS_DAYS = 14;
/** 审核期限: the offices finish reviewing the execution report and credits this many days after the end (Henan: 3 weeks). */
export const DEFAULT_REVIEW_DAYS = 21;

/** The deadlines of a province, in days (its settings, or the defaults). */
export interface ProjectDeadlineDays {
  reportDays: number;
  creditsDays: number;
  reviewDays: number;
}

/**
 * The one deadline a project waits on now, and whose it is: the organiser's execution report and
 * credits, or the reviewing office's decision on the declaration (before the project starts), the
 * execution report and the credits. `overdueDays` counts the China days past `dueOn` (0 while in time).
 */
export interface ProjectDeadline {
  kind: 'review-declaration' | 'report' | 'review-report' | 'credits' | 'review-credits';
  party: 'organiser' | 'reviewer';
  dueOn: string;
  overdueDays: number;
}

export function projectDeadline(
  project: { status: ProjectStatus; startsOn: string; endsOn: string; reportStatus: 'pending' | 'returned' | 'approved' | null },
  days: ProjectDeadlineDays,
  today: string,
): ProjectDeadline | null {
  const due = (kind: ProjectDeadline['kind'], party: ProjectDeadline['party'], dueOn: string): ProjectDeadline => ({
    kind,
    party,
    dueOn,
    overdueDays: Math.max(0, daysBetween(dueOn, today)),
  });
  const afterEnd = (n: number) => addDays(project.endsOn, n);
  switch (project.status) {
    case 'submitted':
      // A declaration is decided before the project starts: after that day nobody may hold it.
      return due('review-declaration', 'reviewer', addDays(project.startsOn, -1));
    case 'approved':
      return today > project.endsOn ? due('report', 'organiser', afterEnd(days.reportDays)) : null;
    case 'reported':
      if (project.reportStatus === 'pending') return due('review-report', 'reviewer', afterEnd(days.reviewDays));
      if (project.reportStatus === 'returned') return due('report', 'organiser', afterEnd(days.reportDays));
      return due('credits', 'organiser', afterEnd(days.creditsDays));
    case 'credits-submitted':
      return due('review-credits', 'reviewer', afterEnd(days.reviewDays));
    default:
      return null;
  }
}

/**
 * Whether a project takes enrolments (报名) on `today` (a China date): only an approved project
 * that has not ended and whose organiser has not closed the list. A project under review, rejected
 * or already reporting takes none; neither does one that has finished.
 */
export type EnrolmentState = 'open' | 'closed' | 'not-approved' | 'finished';

export function enrolmentState(project: { status: ProjectStatus; endsOn: string; closedAt: string | null }, today: string): EnrolmentState {
  if (project.status !== 'approved') return projectMayBeHeld(project.status) ? 'finished' : 'not-approved';
  if (project.endsOn < today) return 'finished';
  return project.closedAt ? 'closed' : 'open';
}
