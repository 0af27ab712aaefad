// Mainland resident ID numbers (居民身份证号码), GB 11643-1999: 6-digit region, 8-digit birth date,
// 3-digit order (odd for men), and an ISO 7064 MOD 11-2 check character.

export type IdNumberCheck =
  | { valid: true; normalized: string; birthDate: string; gender: 'male' | 'female' }
  | { valid: false; reason: 'length' | 'characters' | 'region' | 'birth-date' | 'check-digit' };

const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const CHECK_CHARS = '10X98765432';

/**
 * First-level (province) region codes: the 31 mainland provinces, 71 Taiwan, 81/82/83 for the
 * Hong Kong, Macao and Taiwan residence permits, and 91–93 for the 2023 foreign permanent
 * resident card (外国人永久居留身份证), whose number starts with 9.
 */
const FIRST_LEVEL_REGIONS = new Set([
  11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37, 41, 42, 43, 44, 45, 46, 50, 51, 52, 53, 54, 61, 62, 63, 64, 65, 71, 81, 82, 83, 91, 92, 93,
]);

/** The check character for the first 17 digits of an ID number. */
export function idNumberCheckChar(first17: string): string {
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += Number(first17[i]) * WEIGHTS[i]!;
  return CHECK_CHARS[sum % 11]!;
}

function isRealDate(yyyymmdd: string): boolean {
  const y = Number(yyyymmdd.slice(0, 4));
  const m = Number(yyyymmdd.slice(4, 6));
  const d = Number(yyyymmdd.slice(6, 8));
  if (y < 1900 || m < 1 || m > 12 || d < 1) return false;
  const date = new Date(Date.UTC(y, m - 1, d));
  return date.getUTCMonth() === m - 1 && date.getUTCDate() === d && date.getTime() <= Date.now();
}

export function validateIdNumber(id: string): IdNumberCheck {
  const value = id.trim();
  if (value.length !== 18) return { valid: false, reason: 'length' };
  if (!/^\d{17}[\dXx]$/.test(value)) return { valid: false, reason: 'characters' };
  const normalized = value.toUpperCase();
  if (!FIRST_LEVEL_REGIONS.has(Number(normalized.slice(0, 2)))) return { valid: false, reason: 'region' };
  const birth = normalized.slice(6, 14);
  if (!isRealDate(birth)) return { valid: false, reason: 'birth-date' };
  if (idNumberCheckChar(normalized) !== normalized[17]) return { valid: false, reason: 'check-digit' };
  return {
    valid: true,
    normalized,
    birthDate: `${birth.slice(0, 4)}-${birth.slice(4, 6)}-${birth.slice(6, 8)}`,
    gender: Number(normalized[16]) % 2 === 1 ? 'male' : 'female',
  };
}

/**
 * Shows the province and city (3 digits) and the last four characters: 110***********002X. The
 * mask hides the county and the birth date together, so that no field stored or shown beside it
 * (a birth date, an age, a region) fills the gap: the 6 + 4 mask of the provincial platforms hid
 * exactly the birth date, and the birth date beside it gave the whole number.
 */
export function maskIdNumber(id: string): string {
  if (id.length <= 7) return '*'.repeat(id.length);
  return `${id.slice(0, 3)}${'*'.repeat(id.length - 7)}${id.slice(-4)}`;
}

/** The document an 18-digit number belongs to (证件类型), told by its first-level region code. */
export type IdDocumentKind = 'resident' | 'hmt-permit' | 'foreign-permanent';

export function idDocumentKind(normalized: string): IdDocumentKind {
  const region = normalized.slice(0, 2);
  if (region === '81' || region === '82' || region === '83') return 'hmt-permit';
  if (region.startsWith('9')) return 'foreign-permanent';
  return 'resident';
}
