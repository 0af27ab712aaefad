import { describe, expect, it } from 'vitest';
import { formatCmeNumber, validateCmeNumber } from './cme-number.ts';
import { creditCodeCheckChar, validateCreditCode } from './credit-code.ts';

describe('CME card numbers', () => {
  it('formats province, year and serial with a check character, and validates what it made', () => {
    const n = formatCmeNumber({ provinceCode: '34', year: 2026, serial: 1 });
    expect(n).toMatch(/^34260000001[\dX]$/);
    expect(validateCmeNumber(n)).toEqual({ valid: true, normalized: n });
  });
  it('catches every single-digit typo', () => {
    const n = formatCmeNumber({ provinceCode: '51', year: 2027, serial: 1234567 });
    for (let i = 0; i < 11; i++) {
      for (let d = 0; d <= 9; d++) {
        if (String(d) === n[i]) continue;
        const typo = n.slice(0, i) + d + n.slice(i + 1);
        expect(validateCmeNumber(typo), typo).toEqual({ valid: false, reason: 'check-digit' });
      }
    }
  });
  it.each([
    ['3426000001', 'length'],
    ['34260000A01X', 'characters'],
  ])('refuses %s (%s)', (typed, reason) => {
    expect(validateCmeNumber(typed)).toEqual({ valid: false, reason });
  });
  it('refuses a serial out of range', () => {
    expect(() => formatCmeNumber({ provinceCode: '34', year: 2026, serial: 0 })).toThrow();
  });
});

describe('unified social credit codes (GB 32100)', () => {
  it('accepts published codes', () => {
    // Published codes of well-known organisations.
    for (const code of ['91110000600037341L', '91350100M000100Y43', '12100000400000624D']) expect(validateCreditCode(code).valid, code).toBe(true);
  });
  it('rejects a wrong check character, a forbidden letter and a short code', () => {
    const body = '91110000600037341';
    const wrong = creditCodeCheckChar(body) === 'A' ? 'B' : 'A';
    expect(validateCreditCode(body + wrong)).toEqual({ valid: false, reason: 'check-character' });
    expect(validateCreditCode('9111000060003734IL')).toEqual({ valid: false, reason: 'characters' });
    expect(validateCreditCode('9111000060003734')).toEqual({ valid: false, reason: 'length' });
  });
});
