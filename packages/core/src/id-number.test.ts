import { describe, expect, it } from 'vitest';
import { idDocumentKind, idNumberCheckChar, maskIdNumber, validateIdNumber } from './id-number.ts';

describe('validateIdNumber', () => {
  it('accepts the GB 11643 example and reads birth date and gender', () => {
    expect(validateIdNumber('11010519491231002X')).toEqual({
      valid: true,
      normalized: '11010519491231002X',
      birthDate: '1949-12-31',
      gender: 'female',
    });
  });

  it('accepts a lower-case x and normalizes it', () => {
    const r = validateIdNumber('11010519491231002x');
    expect(r.valid && r.normalized).toBe('11010519491231002X');
  });

  it.each([
    ['1101051949123100', 'length'],
    ['11010519491231002Y', 'characters'],
    ['99010519491231002X', 'region'],
    ['110105194913310021', 'birth-date'],
    ['110105194902300021', 'birth-date'],
    ['110105194912310021', 'check-digit'],
  ])('rejects %s for %s', (id, reason) => {
    expect(validateIdNumber(id)).toEqual({ valid: false, reason });
  });

  it('accepts residence-permit and 2023 foreign-card regions when the check digit fits', () => {
    for (const prefix of ['81000019900101001', '91000019900101001']) {
      const id = prefix + idNumberCheckChar(prefix);
      expect(validateIdNumber(id).valid).toBe(true);
    }
  });

  it('refuses a birth date in the future', () => {
    const prefix = '11010530000101001';
    expect(validateIdNumber(prefix + idNumberCheckChar(prefix))).toEqual({ valid: false, reason: 'birth-date' });
  });
});

describe('maskIdNumber', () => {
  it('keeps the first three and the last four characters, hiding the county and the birth date', () => {
    expect(maskIdNumber('11010519491231002X')).toBe('110***********002X');
    // The old foreign permanent resident card's 15-character number.
    expect(maskIdNumber('USA110079010150')).toBe('USA********0150');
    expect(maskIdNumber('1234567')).toBe('*******');
  });
});

describe('idDocumentKind', () => {
  it.each([
    ['11010519491231002X', 'resident'],
    ['810000199408230021', 'hmt-permit'],
    ['830000199201300022', 'hmt-permit'],
    ['931586199002140013', 'foreign-permanent'],
  ] as const)('%s is a %s number', (id, kind) => {
    expect(idDocumentKind(id)).toBe(kind);
  });
});
