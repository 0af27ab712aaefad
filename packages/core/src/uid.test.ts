import { describe, expect, it } from 'vitest';
import { UID_ENCODINGS, UidFormatError, formatUid, parseUid } from './uid.ts';

function codeOf(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(UidFormatError);
    return (error as UidFormatError).code;
  }
  throw new Error('expected a UidFormatError');
}

describe('UID encodings (readers.md §3.1)', () => {
  it.each([
    ['TV-21', '26DEFAE7', { hex: '26DEFAE7', 'hex-reversed': 'E7FADE26', 'dec-be': '0652147431', 'dec-le': '3891977766' }],
    ['TV-22', '86CFD936', { hex: '86CFD936', 'hex-reversed': '36D9CF86', 'dec-be': '2261768502', 'dec-le': '0920244102' }],
    // The UID of the pyrfidhid vector, read big-endian: 1234567890.
    ['TV-24', '499602D2', { hex: '499602D2', 'hex-reversed': 'D2029649', 'dec-be': '1234567890', 'dec-le': '3523384905' }],
  ])('%s: %s in every form, both ways', (_, uid, forms) => {
    for (const encoding of UID_ENCODINGS) {
      expect(formatUid(uid, encoding)).toBe(forms[encoding]);
      expect(parseUid(forms[encoding], encoding)).toBe(uid);
    }
  });

  it('takes hex in either case and around spaces, and gives upper case', () => {
    expect(parseUid(' 26defae7\n', 'hex')).toBe('26DEFAE7');
    expect(parseUid('e7fade26', 'hex-reversed')).toBe('26DEFAE7');
  });

  it('handles 7- and 10-byte UIDs in the hex forms', () => {
    expect(parseUid('04A1CCB1320289', 'hex')).toBe('04A1CCB1320289');
    expect(formatUid('04A1CCB1320289', 'hex-reversed')).toBe('890232B1CCA104');
    expect(parseUid('00112233445566778899', 'hex-reversed')).toBe('99887766554433221100');
  });

  it.each([
    ['an odd number of hex digits', '26DEFAE', 'hex'],
    ['a UID size ISO 14443 does not have', '26DEFAE700', 'hex'],
    ['non-hex characters', '26DEFAEG', 'hex-reversed'],
    ['9 digits: a decimal number missing one', '652147431', 'dec-be'],
    ['11 digits', '06521474310', 'dec-le'],
    ['a decimal above 2^32 - 1', '4294967296', 'dec-be'],
    ['letters in a decimal form', '065214743A', 'dec-le'],
    ['nothing', '', 'hex'],
  ] as const)('refuses %s', (_, typed, encoding) => {
    expect(codeOf(() => parseUid(typed, encoding))).toBe('bad-uid');
  });

  it('refuses decimal forms of a 7-byte UID instead of guessing the reader’s truncation', () => {
    expect(codeOf(() => formatUid('04A1CCB1320289', 'dec-be'))).toBe('bad-uid');
  });

  it('says what is wrong by a message key and the value it refused', () => {
    try {
      parseUid('652147431', 'dec-be');
    } catch (error) {
      expect(error).toMatchObject({ messageKey: 'uid.not-decimal', params: { value: '652147431' } });
    }
    expect.assertions(1);
  });

  it('round-trips random 4-byte UIDs through every encoding (property)', () => {
    // A fixed multiplicative walk over 32-bit numbers: the same cases every run.
    let n = 7;
    for (let i = 0; i < 5000; i++) {
      n = Math.imul(n, 0x9e3779b1) >>> 0;
      const uid = n.toString(16).toUpperCase().padStart(8, '0');
      for (const encoding of UID_ENCODINGS) expect(parseUid(formatUid(uid, encoding), encoding)).toBe(uid);
    }
  });
});
