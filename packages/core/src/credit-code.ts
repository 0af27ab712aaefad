// The unified social credit code (统一社会信用代码), GB 32100-2015: 18 characters from 0-9 and
// the capital letters except I, O, Z, S, V; the last is a MOD 31 check character.

const ALPHABET = '0123456789ABCDEFGHJKLMNPQRTUWXY';
const WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];

export type CreditCodeCheck = { valid: true; normalized: string } | { valid: false; reason: 'length' | 'characters' | 'check-character' };

export function creditCodeCheckChar(first17: string): string {
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += ALPHABET.indexOf(first17[i]!) * WEIGHTS[i]!;
  return ALPHABET[(31 - (sum % 31)) % 31]!;
}

export function validateCreditCode(code: string): CreditCodeCheck {
  const value = code.trim().toUpperCase();
  if (value.length !== 18) return { valid: false, reason: 'length' };
  if ([...value].some((c) => !ALPHABET.includes(c))) return { valid: false, reason: 'characters' };
  if (creditCodeCheckChar(value) !== value[17]) return { valid: false, reason: 'check-character' };
  return { valid: true, normalized: value };
}
