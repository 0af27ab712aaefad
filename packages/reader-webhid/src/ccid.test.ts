import { describe, expect, it } from 'vitest';
import { CCID_MESSAGE, GET_UID_APDU, apduBody, decodeCcidMessage, encodeCcidMessage, uidFromGetUidAnswer } from './ccid.ts';
import { hex, toHex } from './testing/hex.ts';

describe('CCID messages (readers.md §3.2)', () => {
  it('TV-17 IccPowerOn, slot 0, seq 0, 5 V', () => {
    expect(toHex(encodeCcidMessage({ type: CCID_MESSAGE.iccPowerOn, seq: 0, params: [1, 0, 0] }))).toBe('62 00 00 00 00 00 00 01 00 00');
  });

  it('TV-18 GET UID out, and the UID 26 DE FA E7 back', () => {
    expect(toHex(encodeCcidMessage({ type: CCID_MESSAGE.xfrBlock, seq: 2, data: GET_UID_APDU }))).toBe('6F 05 00 00 00 00 02 00 00 00 FF CA 00 00 00');
    const answer = decodeCcidMessage(hex('80 06 00 00 00 00 02 00 00 00 26 DE FA E7 90 00'));
    expect(answer).toMatchObject({ type: CCID_MESSAGE.dataBlock, slot: 0, seq: 2, params: [0, 0, 0] });
    expect(uidFromGetUidAnswer(answer.data)).toBe('26DEFAE7');
  });

  it('TV-19 direct transmit of PN532 GetFirmwareVersion: PN532 version 1.4', () => {
    const out = encodeCcidMessage({ type: CCID_MESSAGE.xfrBlock, seq: 0, data: hex('FF 00 00 00 02 D4 02') });
    expect(toHex(out)).toBe('6F 07 00 00 00 00 00 00 00 00 FF 00 00 00 02 D4 02');
    const answer = decodeCcidMessage(hex('80 08 00 00 00 00 00 00 81 00 D5 03 32 01 04 07 90 00'));
    expect(answer.params).toEqual([0x00, 0x81, 0x00]);
    expect(toHex(apduBody(answer.data))).toBe('D5 03 32 01 04 07');
  });

  it('TV-20 the same through PC_to_RDR_Escape', () => {
    const out = encodeCcidMessage({ type: CCID_MESSAGE.escape, seq: 0x0a, data: hex('FF 00 00 00 02 D4 02') });
    expect(toHex(out)).toBe('6B 07 00 00 00 00 0A 00 00 00 FF 00 00 00 02 D4 02');
    const answer = decodeCcidMessage(hex('83 08 00 00 00 00 0A 02 81 00 D5 03 32 01 04 07 90 00'));
    expect(answer).toMatchObject({ type: CCID_MESSAGE.escapeAnswer, seq: 0x0a, params: [0x02, 0x81, 0x00] });
    expect(toHex(apduBody(answer.data))).toBe('D5 03 32 01 04 07');
  });

  it('refuses a message whose length field disagrees, and an APDU answer that is not 90 00', () => {
    expect(() => decodeCcidMessage(hex('80 07 00 00 00 00 02 00 00 00 26 DE FA E7 90 00'))).toThrow(expect.objectContaining({ code: 'bad-length' }));
    expect(() => uidFromGetUidAnswer(hex('63 00'))).toThrow(expect.objectContaining({ code: 'io' }));
    expect(() => apduBody(new Uint8Array(0))).toThrow(expect.objectContaining({ code: 'io' }));
  });
});
