// The project workflow's rules (继续医学教育项目): which offices review a project of each level,
// how early it must be declared, when its execution report is late, and which credit class its
// level gives. The server enforces them; the declaration form shows them before anyone submits.
import { daysBetween } from './china-date.ts';
import type { ReviewChain } from './review-chain.ts';
import type { CreditClass, CreditLevel } from './rules.ts';

export const PROJECT_STATUSES = ['draft', 'submitted', 'approved', 'rejected', 'reported', 'credits-submitted', 'credits-approved'] as const;
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

/** Whether a project in this status was approved, so that it may be held (a draft, one under review or a rejected one may not). */
export function projectMayBeHeld(status: ProjectStatus): boolean {
  return status !== 'draft' && status !== 'submitted' && status !== 'rejected';
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
