import { expect, it } from 'vitest';
import { chinaDate, chinaDateTime, chinaYear } from './china-date.ts';

it('gives the Beijing date, which turns eight hours before UTC’s', () => {
  expect(chinaDate(new Date('2026-12-31T15:59:59Z'))).toBe('2026-12-31');
  expect(chinaDate(new Date('2026-12-31T16:00:00Z'))).toBe('2027-01-01');
});

it('gives the Beijing date and minute, on a 24-hour clock', () => {
  expect(chinaDateTime(new Date('2026-11-30T06:02:40Z'))).toBe('2026-11-30 14:02');
  expect(chinaDateTime(new Date('2026-12-31T16:05:00Z'))).toBe('2027-01-01 00:05');
});

it('gives the year in China, which begins while UTC is still in the old one', () => {
  expect(chinaYear(new Date('2026-12-31T15:59:59Z'))).toBe(2026);
  expect(chinaYear(new Date('2026-12-31T16:00:00Z'))).toBe(2027);
});
