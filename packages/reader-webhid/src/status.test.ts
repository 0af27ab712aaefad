import { describe, expect, it } from 'vitest';
import { decodeSamId } from './sam-id.ts';
import { SAM_STATUS_CODES, describeStatus, statusError } from './status.ts';
import { hex } from './testing/hex.ts';

describe('SW3 status table (readers.md §1.3)', () => {
  it('gives every documented code its own message key, for the app to word', () => {
    const codes = [0x90, 0x9f, 0x91, 0x10, 0x11, 0x21, 0x23, 0x24, 0x31, 0x32, 0x33, 0x40, 0x41, 0x47, 0x60, 0x66, 0x80, 0x81];
    expect([...SAM_STATUS_CODES].sort((a, b) => a - b)).toEqual(codes.sort((a, b) => a - b));
    expect(describeStatus(0x9f)).toEqual({ key: 'reader.sam-status.9f', params: { sw3: '9F' } });
  });

  it('names codes outside the table by their hex value', () => {
    expect(describeStatus(0x34)).toEqual({ key: 'reader.sam-status.unknown', params: { sw3: '34' } });
  });

  it('turns a status into a ReaderError carrying SW3, with an optional hint', () => {
    const error = statusError(0x41, 'reader.hint.place-again');
    expect(error).toMatchObject({ code: 'sam-status', sw3: 0x41, messageKey: 'reader.sam-status.41', params: { sw3: '41' }, hint: 'reader.hint.place-again' });
  });
});

describe('TV-12: the SAM id (answer to 12 FF)', () => {
  it('reads five little-endian numbers of sizes 2, 2, 4, 4, 4', () => {
    const samId = decodeSamId(hex('AA AA AA 96 69 00 14 00 00 90 05 00 01 00 A2 B7 32 01 4E 61 BC 00 D2 02 96 49 3A'));
    expect(samId.fields).toEqual([5, 1, 20101026, 12345678, 1234567890]);
    expect(samId.text).toBe('05.01-20101026-012345678-1234567890');
  });

  it('refuses an answer of another size, and passes on an error status', () => {
    expect(() => decodeSamId(hex('AA AA AA 96 69 00 04 00 00 90 94'))).toThrow(expect.objectContaining({ code: 'bad-length' }));
    expect(() => decodeSamId(hex('AA AA AA 96 69 00 04 00 00 60 64'))).toThrow(expect.objectContaining({ code: 'sam-status', sw3: 0x60 }));
  });
});
