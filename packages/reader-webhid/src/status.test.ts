import { describe, expect, it } from 'vitest';
import { decodeSamId } from './sam-id.ts';
import { SAM_STATUS, describeStatus, statusError } from './status.ts';
import { hex } from './testing/hex.ts';

describe('SW3 status table (readers.md §1.3)', () => {
  it('has a Chinese and an English text for every documented code', () => {
    const codes = [0x90, 0x9f, 0x91, 0x10, 0x11, 0x21, 0x23, 0x24, 0x31, 0x32, 0x33, 0x40, 0x41, 0x47, 0x60, 0x66, 0x80, 0x81];
    expect(
      Object.keys(SAM_STATUS)
        .map(Number)
        .sort((a, b) => a - b),
    ).toEqual(codes.sort((a, b) => a - b));
    for (const code of codes) {
      expect(describeStatus(code).zh).toMatch(/\p{Script=Han}/u);
      expect(describeStatus(code).en).toMatch(/^[A-Z][ -~]+$/);
    }
  });

  it('names codes outside the table by their hex value', () => {
    expect(describeStatus(0x34)).toEqual({ zh: '未知状态 34', en: 'Unknown status 34' });
  });

  it('turns a status into a ReaderError carrying SW3, with an optional hint', () => {
    const error = statusError(0x41, { zh: '请拿开证件后重新放置', en: 'lift the card and place it again' });
    expect(error.code).toBe('sam-status');
    expect(error.sw3).toBe(0x41);
    expect(error.message).toBe('读证/卡操作失败（SW3=41），请拿开证件后重新放置');
    expect(error.messageEn).toBe('Reading the card failed (SW3=41); lift the card and place it again');
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
