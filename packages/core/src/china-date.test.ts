import { expect, it } from 'vitest';
import { chinaDate } from './china-date.ts';

it('gives the Beijing date, which turns eight hours before UTC’s', () => {
  expect(chinaDate(new Date('2026-12-31T15:59:59Z'))).toBe('2026-12-31');
  expect(chinaDate(new Date('2026-12-31T16:00:00Z'))).toBe('2027-01-01');
});
