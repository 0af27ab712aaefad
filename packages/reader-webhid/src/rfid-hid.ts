// 125 kHz readers in the style of pyrfidhid (FFFF:0035, EM4100/T5577 tags; readers.md §3.3):
// a boot keyboard whose commands go out in feature report 1 and whose answers come back in
// feature report 2. Chrome allows feature reports on keyboards, so WebHID could drive one; the
// CME cards are Mifare, so no reader here does yet, and the codec keeps the research vectors honest.
import { ReaderError, hexByte } from './errors.ts';
import { xorChecksum } from './frame.ts';

export const RFID_HID_REPORT_LENGTH = 256;
/** Read-tag command with its two zero arguments. */
export const RFID_HID_READ_TAG = Uint8Array.of(0x25, 0x00, 0x00);

const START = 0xaa;
const END = 0xbb;
/** Where the message starts inside the 256-byte report. */
const MESSAGE_AT = 8;

/** The 256-byte report carrying `payload` (command and arguments): SOM, length, payload, XOR, EOM. */
export function encodeRfidHidCommand(payload: Uint8Array): Uint8Array {
  const report = new Uint8Array(RFID_HID_REPORT_LENGTH);
  report[0] = 0x01;
  report[6] = 0x08;
  report[MESSAGE_AT] = START;
  report[MESSAGE_AT + 2] = payload.length;
  report.set(payload, MESSAGE_AT + 3);
  report[MESSAGE_AT + 3 + payload.length] = xorChecksum(report, MESSAGE_AT + 2, MESSAGE_AT + 3 + payload.length);
  report[MESSAGE_AT + 4 + payload.length] = END;
  return report;
}

/**
 * The tag in a read-tag answer, or null when no tag was in the field. The answer carries a length
 * (6), a customer id, the 4-byte UID (big-endian) and the XOR of length through UID.
 */
export function decodeRfidHidTag(answer: Uint8Array): { customerId: number; uid: string } | null {
  if (answer.length < 19 || answer[10] !== 6) return null;
  const expected = xorChecksum(answer, 10, 17);
  if (expected !== answer[17]) {
    throw new ReaderError({ code: 'bad-checksum', messageKey: 'reader.rfid.bad-checksum' });
  }
  const uid = Array.from(answer.subarray(13, 17), hexByte).join('');
  return { customerId: answer[12]!, uid };
}
