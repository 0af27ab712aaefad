import { describe, expect, it } from 'vitest';
import { RFID_HID_READ_TAG, decodeRfidHidTag, encodeRfidHidCommand } from './rfid-hid.ts';
import { hex, toHex } from './testing/hex.ts';

describe('pyrfidhid feature reports (readers.md §3.3)', () => {
  it('TV-25 the read-tag request in feature report 1', () => {
    const report = encodeRfidHidCommand(RFID_HID_READ_TAG);
    expect(report).toHaveLength(256);
    expect(toHex(report.subarray(0, 16))).toBe('01 00 00 00 00 00 08 00 AA 00 03 25 00 00 26 BB');
    expect(report.subarray(16).every((b) => b === 0)).toBe(true);
  });

  it('TV-24 the answer: customer id 77, UID 499602D2 (1234567890)', () => {
    expect(decodeRfidHidTag(hex('03 00 00 00 00 00 00 00 02 00 06 00 4D 49 96 02 D2 44 03'))).toEqual({ customerId: 77, uid: '499602D2' });
  });

  it('the W26 answer of the same source, and no tag, and a bad checksum', () => {
    expect(decodeRfidHidTag(hex('03 00 00 00 00 00 00 00 02 00 06 00 4D 00 96 02 D2 0D 03'))).toEqual({ customerId: 77, uid: '009602D2' });
    expect(decodeRfidHidTag(hex('03 00 00 00 00 00 00 00 02 00 00'))).toBeNull();
    expect(() => decodeRfidHidTag(hex('03 00 00 00 00 00 00 00 02 00 06 00 4D 49 96 02 D2 45 03'))).toThrow(expect.objectContaining({ code: 'bad-checksum' }));
  });
});
