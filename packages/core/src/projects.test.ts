import { describe, expect, it } from 'vitest';
import { CREDIT_LEVELS } from './rules.ts';
import {
  creditClassOfLevel,
  creditReviewChain,
  DEFAULT_PROJECT_LEAD_DAYS,
  DEFAULT_REPORT_DAYS,
  declaredInTime,
  PROJECT_REVIEW_CHAINS,
  PROJECT_STATUSES,
  projectDeadline,
  projectMayBeCancelled,
  projectMayBeHeld,
  reportIsLate,
} from './projects.ts';

describe('the project workflow', () => {
  it('gives Class I to national and provincial projects and Class II to the others', () => {
    expect(CREDIT_LEVELS.map((level) => [level, creditClassOfLevel(level)])).toEqual([
      ['national', 'I'],
      ['provincial', 'I'],
      ['city', 'II'],
      ['unit', 'II'],
    ]);
  });

  it('sends national and provincial projects through the city to the province, others to one office', () => {
    expect(PROJECT_REVIEW_CHAINS).toEqual({ national: ['city', 'province'], provincial: ['city', 'province'], city: ['city'], unit: ['unit'] });
  });

  it("has a project's credits reviewed by the office that approved it last", () => {
    expect(CREDIT_LEVELS.map(creditReviewChain)).toEqual([['province'], ['province'], ['city'], ['unit']]);
  });

  it('takes a declaration 14 days ahead by default, and not 13', () => {
    expect(DEFAULT_PROJECT_LEAD_DAYS).toBe(14);
    expect(declaredInTime('2026-12-01', '2026-12-15', DEFAULT_PROJECT_LEAD_DAYS)).toBe(true);
    expect(declaredInTime('2026-12-02', '2026-12-15', DEFAULT_PROJECT_LEAD_DAYS)).toBe(false);
    // Across a year's end, counted in days, not calendar fields.
    expect(declaredInTime('2026-12-25', '2027-01-08', DEFAULT_PROJECT_LEAD_DAYS)).toBe(true);
  });

  it('marks a report late from the 15th day after the end by default', () => {
    expect(DEFAULT_REPORT_DAYS).toBe(14);
    expect(reportIsLate('2026-12-10', '2026-12-24', DEFAULT_REPORT_DAYS)).toBe(false);
    expect(reportIsLate('2026-12-10', '2026-12-25', DEFAULT_REPORT_DAYS)).toBe(true);
  });

  it('lets only an approved project be held', () => {
    expect(PROJECT_STATUSES.filter(projectMayBeHeld)).toEqual(['approved', 'reported', 'credits-submitted', 'credits-approved']);
  });
});

describe('deadlines (期限)', () => {
  const days = { reportDays: 14, creditsDays: 14, reviewDays: 21 };
  const p = { startsOn: '2026-12-01', endsOn: '2026-12-02', reportStatus: null };

  it('has the reviewer decide a declaration before the project starts, overdue by China days after', () => {
    expect(projectDeadline({ ...p, status: 'submitted' }, days, '2026-11-30')).toEqual({
      kind: 'review-declaration',
      party: 'reviewer',
      dueOn: '2026-11-30',
      overdueDays: 0,
    });
    expect(projectDeadline({ ...p, status: 'submitted' }, days, '2026-12-03')?.overdueDays).toBe(3);
  });

  it('gives the organiser the report days after the end, then the reviewer its review days (Henan: 3 weeks)', () => {
    expect(projectDeadline({ ...p, status: 'approved' }, days, '2026-12-02')).toBeNull();
    expect(projectDeadline({ ...p, status: 'approved' }, days, '2026-12-20')).toMatchObject({ kind: 'report', dueOn: '2026-12-16', overdueDays: 4 });
    expect(projectDeadline({ ...p, status: 'reported', reportStatus: 'pending' }, days, '2026-12-24')).toMatchObject({
      kind: 'review-report',
      party: 'reviewer',
      dueOn: '2026-12-23',
      overdueDays: 1,
    });
    expect(projectDeadline({ ...p, status: 'reported', reportStatus: 'returned' }, days, '2026-12-10')).toMatchObject({ kind: 'report', overdueDays: 0 });
    expect(projectDeadline({ ...p, status: 'reported', reportStatus: 'approved' }, days, '2026-12-18')).toMatchObject({ kind: 'credits', overdueDays: 2 });
    expect(projectDeadline({ ...p, status: 'credits-submitted' }, days, '2026-12-23')).toMatchObject({ kind: 'review-credits', overdueDays: 0 });
  });

  it('has none for a finished, cancelled or draft project', () => {
    for (const status of ['draft', 'rejected', 'credits-approved', 'cancelled'] as const)
      expect(projectDeadline({ ...p, status }, days, '2027-06-01')).toBeNull();
  });

  it('lets a cancelled project be neither held nor cancelled again', () => {
    expect(projectMayBeHeld('cancelled')).toBe(false);
    expect(PROJECT_STATUSES.filter(projectMayBeCancelled)).toEqual(['submitted', 'approved']);
  });
});
