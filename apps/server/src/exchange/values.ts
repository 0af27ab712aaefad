// Cell parsers: each reads one cell as Excel or WPS saves it and checks it with the same rules as
// the forms (core's ID-number, card-number and title rules). A parser never sees an empty cell:
// the framework reports a required one and leaves an optional one out.
import { parseUid, STAFF_CATEGORIES, type StaffCategory, TITLES_BY_CATEGORY, validateCmeNumber, validateIdNumber } from '@opencme/core';
import type { MessageParams } from '../errors.ts';
import type { Cell } from './files.ts';

export type Parsed<T> = { ok: true; value: T } | { ok: false; key: string; params?: MessageParams };
export type CellParser<T> = (cell: Exclude<Cell, null>) => Parsed<T>;

const ok = <T>(value: T): Parsed<T> => ({ ok: true, value });
const fail = (key: string, params?: MessageParams): Parsed<never> => (params ? { ok: false, key, params } : { ok: false, key });

/** The cell as text: numbers as Excel shows them (no exponent for whole numbers), trimmed, full-width spaces too. */
export function cellText(cell: Exclude<Cell, null>): string {
  if (cell instanceof Date) return cell.toISOString().slice(0, 10);
  if (typeof cell === 'number') return Number.isInteger(cell) ? BigInt(cell).toString() : String(cell);
  return String(cell)
    .replace(/[\u3000\u00a0]/g, ' ')
    .trim();
}

export const text =
  (limit: number, pattern?: RegExp, key = 'exchange.cell.text'): CellParser<string> =>
  (cell) => {
    const value = cellText(cell).replace(/\s+/g, ' ');
    if (value.length > limit) return fail('exchange.cell.too-long', { limit });
    if (pattern && !pattern.test(value)) return fail(key);
    return ok(value);
  };

/** A person's name: Chinese or Latin letters, a middle dot, spaces; no digits (a shifted ID or phone column fails here). */
export const personName: CellParser<string> = text(30, /^[^\d@#$%&*()<>{}[\]\\/|=+_~^`!?,;:"]{2,30}$/u, 'exchange.cell.name');

export const idNumber: CellParser<string> = (cell) => {
  // An 18-digit number in a number cell has already lost its last digits (Excel keeps 15).
  if (typeof cell === 'number' && cell > 1e15) return fail('exchange.cell.id-number-as-number');
  const check = validateIdNumber(cellText(cell).replace(/\s/g, ''));
  return check.valid ? ok(check.normalized) : fail(`exchange.cell.id-number-${check.reason}`);
};

export const mobilePhone: CellParser<string> = (cell) => {
  const value = cellText(cell)
    .replace(/[\s-]/g, '')
    .replace(/^\+?86/, '');
  return /^1\d{10}$/.test(value) ? ok(value) : fail('exchange.cell.phone');
};

export const gender: CellParser<'male' | 'female'> = (cell) => {
  const value = cellText(cell).toLowerCase();
  if (['男', 'm', 'male', '1'].includes(value)) return ok('male');
  if (['女', 'f', 'female', '2'].includes(value)) return ok('female');
  return fail('exchange.cell.gender');
};

const ALL_TITLES = new Set(Object.values(TITLES_BY_CATEGORY).flat());
/** A professional title (职称): one the forms offer, or one of the many others offices use (主任中医师, 主管检验技师…). */
export const professionalTitle: CellParser<string> = (cell) => {
  const value = cellText(cell).replace(/\s/g, '');
  if (ALL_TITLES.has(value) || (/^[\u4e00-\u9fa5]{2,12}$/u.test(value) && /(师|士|员)$/u.test(value))) return ok(value);
  return fail('exchange.cell.title', { value: value.slice(0, 20) });
};

const CATEGORY_WORDS: Record<string, StaffCategory> = {
  医: 'doctor',
  医师: 'doctor',
  医生: 'doctor',
  临床: 'doctor',
  护: 'nurse',
  护士: 'nurse',
  护理: 'nurse',
  药: 'pharmacist',
  药师: 'pharmacist',
  药学: 'pharmacist',
  药剂: 'pharmacist',
  技: 'technician',
  技师: 'technician',
  医技: 'technician',
  技术: 'technician',
};
export const staffCategory: CellParser<StaffCategory> = (cell) => {
  const value = cellText(cell).replace(/\s/g, '');
  const category = CATEGORY_WORDS[value] ?? (STAFF_CATEGORIES as readonly string[]).find((c) => c === value.toLowerCase());
  return category ? ok(category as StaffCategory) : fail('exchange.cell.category');
};

type Degree = 'secondary' | 'college' | 'bachelor' | 'master' | 'doctorate';
const DEGREE_WORDS: Record<string, Degree> = {
  中专: 'secondary',
  中技: 'secondary',
  大专: 'college',
  专科: 'college',
  本科: 'bachelor',
  学士: 'bachelor',
  大学本科: 'bachelor',
  硕士: 'master',
  研究生: 'master',
  硕士研究生: 'master',
  博士: 'doctorate',
  博士研究生: 'doctorate',
};
export const degree: CellParser<Degree> = (cell) => {
  const value = DEGREE_WORDS[cellText(cell).replace(/\s/g, '')];
  return value ? ok(value) : fail('exchange.cell.degree');
};

export const cmeNumber: CellParser<string> = (cell) => {
  const check = validateCmeNumber(cellText(cell));
  return check.valid ? ok(check.normalized) : fail('exchange.cell.cme-number');
};

/** An IC card's UID as the card's serial in hex (the reader's default form). */
export const cardUid: CellParser<string> = (cell) => {
  try {
    return ok(parseUid(cellText(cell).replace(/[\s:-]/g, ''), 'hex'));
  } catch {
    return fail('exchange.cell.card-uid');
  }
};

const pad = (n: number) => String(n).padStart(2, '0');
function isoDate(y: number, m: number, d: number): Parsed<string> {
  const date = new Date(Date.UTC(y, m - 1, d));
  if (y < 1900 || y > 2100 || date.getUTCMonth() !== m - 1 || date.getUTCDate() !== d) return fail('exchange.cell.date');
  return ok(`${y}-${pad(m)}-${pad(d)}`);
}
/** Excel's day 0 is 1899-12-30 (with the 1900 leap-year bug folded in); 25569 is 1970-01-01. */
const EXCEL_EPOCH_DAYS = 25569;

/**
 * A date in the forms Excel and WPS produce: a date cell, a serial number (a date cell saved as
 * General), 2025-03-01, 2025/3/1, 2025.3.1, 2025年3月1日, 20250301. Answered as YYYY-MM-DD.
 */
export const date: CellParser<string> = (cell) => {
  // exceljs reads a date cell as midnight UTC of the day shown.
  if (cell instanceof Date) return isoDate(cell.getUTCFullYear(), cell.getUTCMonth() + 1, cell.getUTCDate());
  if (typeof cell === 'number' && Number.isInteger(cell) && cell > 0 && cell < 80000 && !(cell >= 19000101 && cell <= 21001231)) {
    const day = new Date((cell - EXCEL_EPOCH_DAYS) * 86_400_000);
    return isoDate(day.getUTCFullYear(), day.getUTCMonth() + 1, day.getUTCDate());
  }
  const value = cellText(cell);
  const compact = /^(\d{4})(\d{2})(\d{2})$/.exec(value);
  if (compact) return isoDate(Number(compact[1]), Number(compact[2]), Number(compact[3]));
  const parts = /^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:[ T]\d{1,2}:\d{2}(?::\d{2})?)?$/.exec(value);
  if (parts) return isoDate(Number(parts[1]), Number(parts[2]), Number(parts[3]));
  return fail('exchange.cell.date');
};
