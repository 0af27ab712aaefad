// The 64-byte HID wrapper of Miaxis (中正) readers around GA/T 467 frames (readers.md §1.7.4):
//   host:   88 | SRN(2) | L(2, LE) = frame+1 | B1 | frame | SUM16(LE) of bytes 3..end of frame | 00…
//   device: AA | SRN(2) | L(2, LE) = 3+n | result | packet no.(2) | n ≤ 54 frame bytes | SUM16(LE)
// A long answer is spread over several device packets, 54 frame bytes each.
import { ReaderError, hexByte } from '../errors.ts';

export const HID_REPORT_LENGTH = 64;
/** Frame bytes one device packet carries. */
export const HID_ANSWER_CHUNK = 54;

const HOST_FLAG = 0x88;
const DEVICE_FLAG = 0xaa;
/** The wrapper's command for "pass this frame to the ID-card SAM" (身份证控制指令). */
const ID_CARD_COMMAND = 0xb1;
/** Flag, SRN and L: the bytes before the part L counts. */
const PREFIX = 5;

function sum16(bytes: Uint8Array, from: number, to: number): number {
  let sum = 0;
  for (let i = from; i < to; i++) sum += bytes[i]!;
  return sum & 0xffff;
}

function badPacket(messageKey: string, params?: Record<string, string | number>): ReaderError {
  return new ReaderError({ code: 'bad-packet', messageKey, params });
}

/** Checks flag, length and sum of a packet and returns the part L counts. */
function openPacket(report: Uint8Array, flag: number): Uint8Array {
  if (report.length !== HID_REPORT_LENGTH) throw badPacket('reader.hid-packet.size', { expected: HID_REPORT_LENGTH, actual: report.length });
  if (report[0] !== flag) throw badPacket('reader.hid-packet.flag', { expected: hexByte(flag), actual: hexByte(report[0]!) });
  const length = report[3]! | (report[4]! << 8);
  const end = PREFIX + length;
  if (length < 1 || end + 2 > HID_REPORT_LENGTH) throw badPacket('reader.hid-packet.length', { length });
  const expected = sum16(report, 3, end);
  const actual = report[end]! | (report[end + 1]! << 8);
  if (expected !== actual) throw badPacket('reader.hid-packet.sum', { expected: expected.toString(16), actual: actual.toString(16) });
  return report.subarray(PREFIX, end);
}

function sealPacket(flag: number, srn: number, payload: Uint8Array): Uint8Array {
  const end = PREFIX + payload.length;
  if (end + 2 > HID_REPORT_LENGTH) throw badPacket('reader.hid-packet.too-big', { bytes: payload.length });
  const report = new Uint8Array(HID_REPORT_LENGTH);
  report[0] = flag;
  report[1] = srn & 0xff;
  report[2] = srn >> 8;
  report[3] = payload.length & 0xff;
  report[4] = payload.length >> 8;
  report.set(payload, PREFIX);
  const sum = sum16(report, 3, end);
  report[end] = sum & 0xff;
  report[end + 1] = sum >> 8;
  return report;
}

/** Wraps a command frame into the one 64-byte report the host sends. */
export function wrapHidCommand(frame: Uint8Array): Uint8Array {
  const payload = new Uint8Array(1 + frame.length);
  payload[0] = ID_CARD_COMMAND;
  payload.set(frame, 1);
  return sealPacket(HOST_FLAG, 0, payload);
}

/** The command frame inside a host report, as the device (or its simulator) reads it. */
export function unwrapHidCommand(report: Uint8Array): Uint8Array {
  const payload = openPacket(report, HOST_FLAG);
  if (payload[0] !== ID_CARD_COMMAND) throw badPacket('reader.hid-packet.unknown-command', { command: hexByte(payload[0]!) });
  return payload.subarray(1);
}

/** One device report carrying `chunk` (≤ 54 frame bytes) of an answer, the `index`-th packet. */
export function wrapHidAnswer(part: { chunk: Uint8Array; index: number }): Uint8Array {
  const payload = new Uint8Array(3 + part.chunk.length);
  payload[1] = part.index & 0xff;
  payload[2] = part.index >> 8;
  payload.set(part.chunk, 3);
  return sealPacket(DEVICE_FLAG, part.index, payload);
}

/** The frame bytes a device report carries. The result byte and packet number are not needed. */
export function unwrapHidAnswer(report: Uint8Array): Uint8Array {
  const payload = openPacket(report, DEVICE_FLAG);
  if (payload.length < 3) throw badPacket('reader.hid-packet.no-result');
  return payload.subarray(3);
}
