import { expect, it, vi } from 'vitest';
import { addDays, chinaDate, chinaDateTime, chinaDateTimeInput, chinaDayStart, chinaTime, chinaYear, daysBetween, parseChinaDateTime } from './china-date.ts';

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

it('a moment shows in Beijing time in a browser set to New York, where it is still the day before', () => {
  vi.stubEnv('TZ', 'America/New_York');
  try {
    const moment = new Date('2026-11-30T20:30:15Z'); // 15:30 on the 30th in New York, 04:30 on 1 December in Beijing
    expect(moment.getDate()).toBe(30); // the machine really is in New York
    expect(chinaDate(moment)).toBe('2026-12-01');
    expect(chinaTime(moment)).toBe('04:30');
    expect(chinaTime(moment, { seconds: true })).toBe('04:30:15');
    expect(chinaDateTime('2026-11-30T20:30:15Z')).toBe('2026-12-01 04:30');
    expect(chinaDateTimeInput(moment)).toBe('2026-12-01T04:30');
  } finally {
    vi.unstubAllEnvs();
  }
});

it('a date-time typed at the venue is Beijing time, whatever the zone of the machine typing it', () => {
  expect(parseChinaDateTime('2026-12-01T09:00')).toBe('2026-12-01T09:00:00+08:00');
  expect(new Date(parseChinaDateTime('2026-12-01T09:00')).toISOString()).toBe('2026-12-01T01:00:00.000Z');
  expect(parseChinaDateTime('2026-12-01T09:00:30')).toBe('2026-12-01T09:00:30+08:00');
  expect(chinaDateTimeInput(parseChinaDateTime('2026-12-01T09:00'))).toBe('2026-12-01T09:00');
  expect(() => parseChinaDateTime('2026-12-01 09:00')).toThrow();
  expect(() => parseChinaDateTime('2026-13-01T09:00')).toThrow();
});

it('days between China dates, the day before, the start of a China day', () => {
  expect(daysBetween('2026-12-31', '2027-01-14')).toBe(14);
  expect(daysBetween('2027-01-14', '2026-12-31')).toBe(-14);
  expect(addDays('2027-01-01', -1)).toBe('2026-12-31');
  expect(addDays('2028-02-28', 1)).toBe('2028-02-29');
  expect(chinaDayStart('2027-01-01').toISOString()).toBe('2026-12-31T16:00:00.000Z');
});
