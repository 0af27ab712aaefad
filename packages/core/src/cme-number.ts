// The CME card number (继教卡号), issued when a registration is approved. Format, 12 characters:
//
//   PP YY SSSSSSS C
//   │  │  │       └ check character, ISO 7064 MOD 11-2 over the first 11 digits (0-9 or X),
//   │  │  │         the same scheme as the resident ID number, so one typo is always caught
//   │  │  └ serial number within the province and year, from 0000001
//   │  └ last two digits of the year of issue
//   └ province code (first two digits of the unit's region code, e.g. 34 Anhui)
//
// Operators type it at the door when a card is missing (手工录入), hence the check character.

const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7];
const CHECK = '10X98765432';

function checkChar(first11: string): string {
  let sum = 0;
  for (let i = 0; i < 11; i++) sum += Number(first11[i]) * WEIGHTS[i]!;
  return CHECK[sum % 11]!;
}

export function formatCmeNumber(parts: { provinceCode: string; year: number; serial: number }): string {
  if (!/^\d{2}$/.test(parts.provinceCode)) throw new Error(`bad province code ${parts.provinceCode}`);
  if (!Number.isInteger(parts.serial) || parts.serial < 1 || parts.serial > 9_999_999) throw new Error(`serial out of range: ${parts.serial}`);
  const body = `${parts.provinceCode}${String(parts.year % 100).padStart(2, '0')}${String(parts.serial).padStart(7, '0')}`;
  return body + checkChar(body);
}

export type CmeNumberCheck = { valid: true; normalized: string } | { valid: false; reason: 'length' | 'characters' | 'check-digit' };

export function validateCmeNumber(typed: string): CmeNumberCheck {
  const value = typed.trim().toUpperCase();
  if (value.length !== 12) return { valid: false, reason: 'length' };
  if (!/^\d{11}[\dX]$/.test(value)) return { valid: false, reason: 'characters' };
  if (checkChar(value) !== value[11]) return { valid: false, reason: 'check-digit' };
  return { valid: true, normalized: value };
}
