import { describe, expect, it } from 'vitest';
import { ReaderError } from './errors.ts';
import { formatUid, parseUid } from './uid.ts';

// The encodings themselves are tested in @opencme/core (uid.test.ts); here, only that the reader
// reports a bad number as one of its own errors.
describe('UID encodings at the reader', () => {
  it('gives the canonical UID as core does', () => {
    expect(parseUid('0652147431', 'dec-be')).toBe('26DEFAE7');
    expect(formatUid('26DEFAE7', 'dec-le')).toBe('3891977766');
  });

  it('reports a number that does not fit as a bad-uid ReaderError, in both languages', () => {
    let caught: unknown;
    try {
      parseUid('652147431', 'dec-be');
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ReaderError);
    expect(caught).toMatchObject({ code: 'bad-uid', messageKey: 'uid.not-decimal', params: { value: '652147431' } });
  });
});
