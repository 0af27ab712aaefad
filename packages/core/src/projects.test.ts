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
