// GA/T 467 frames (身份证阅读器 SAM 通信帧): AA AA AA 96 69 | Len (2, big-endian) | body | XOR.
// Len counts every byte after itself, the checksum included; the checksum is the XOR of the two
// Len bytes and the body. Host to SAM the body is CMD PARA [DATA]; SAM to host it is
// SW1 SW2 SW3 [DATA].
import { ReaderError, hexByte } from './errors.ts';

export const PREAMBLE = Uint8Array.of(0xaa, 0xaa, 0xaa, 0x96, 0x69);
/** Preamble and the two length bytes: what a receiver reads before it knows the frame's size. */
export const HEADER_LENGTH = 7;
/**
 * The longest Len we accept: twice the longest answer in the standard (0x090A, text + photo +
 * 1024-byte fingerprint). A corrupted length above it is refused at once instead of making a
 * receiver wait for kilobytes that will never come.
 */
export const MAX_LEN = 0x1400;

export interface Answer {
  sw1: number;
  sw2: number;
  sw3: number;
  data: Uint8Array;
}

export interface Command {
  cmd: number;
  para: number;
  data: Uint8Array;
}

/** XOR of `bytes[from..to)`. */
export function xorChecksum(bytes: Uint8Array, from: number, to: number): number {
  let x = 0;
  for (let i = from; i < to; i++) x ^= bytes[i]!;
  return x;
}

function buildFrame(body: readonly number[], data: Uint8Array): Uint8Array {
  const len = body.length + data.length + 1;
  if (len > MAX_LEN) {
    throw new ReaderError({
      code: 'bad-length',
      messageKey: 'reader.frame.too-long',
      params: { length: len, max: MAX_LEN },
    });
  }
  const frame = new Uint8Array(HEADER_LENGTH + len);
  frame.set(PREAMBLE, 0);
  frame[5] = len >> 8;
  frame[6] = len & 0xff;
  frame.set(body, HEADER_LENGTH);
  frame.set(data, HEADER_LENGTH + body.length);
  frame[frame.length - 1] = xorChecksum(frame, 5, frame.length - 1);
  return frame;
}

/** A host-to-SAM command frame, e.g. `encodeCommand(0x20, 0x01)` is find-card (寻找证/卡). */
export function encodeCommand(cmd: number, para: number, data: Uint8Array = new Uint8Array(0)): Uint8Array {
  return buildFrame([cmd & 0xff, para & 0xff], data);
}

/** A SAM-to-host answer frame; the simulators speak through it. */
export function encodeAnswer(answer: { sw3: number; sw1?: number; sw2?: number; data?: Uint8Array }): Uint8Array {
  return buildFrame([(answer.sw1 ?? 0) & 0xff, (answer.sw2 ?? 0) & 0xff, answer.sw3 & 0xff], answer.data ?? new Uint8Array(0));
}

/**
 * Checks preamble, length and checksum, in that order, and returns the body. `minBody` is the
 * shortest body the frame's direction allows (2 for a command, 3 for an answer).
 */
function checkFrame(frame: Uint8Array, minBody: number): Uint8Array {
  if (frame.length < HEADER_LENGTH || PREAMBLE.some((b, i) => frame[i] !== b)) {
    throw new ReaderError({
      code: 'bad-preamble',
      messageKey: 'reader.frame.bad-preamble',
    });
  }
  const len = (frame[5]! << 8) | frame[6]!;
  if (len !== frame.length - HEADER_LENGTH) {
    throw new ReaderError({
      code: 'bad-length',
      messageKey: 'reader.frame.length-disagrees',
      params: { length: len, actual: frame.length - HEADER_LENGTH },
    });
  }
  const expected = xorChecksum(frame, 5, frame.length - 1);
  const actual = frame[frame.length - 1]!;
  if (expected !== actual) {
    throw new ReaderError({
      code: 'bad-checksum',
      messageKey: 'reader.frame.bad-checksum',
      params: { expected: hexByte(expected), actual: hexByte(actual) },
    });
  }
  if (len < minBody + 1) {
    throw new ReaderError({
      code: 'bad-length',
      messageKey: 'reader.frame.body-too-short',
      params: { min: minBody },
    });
  }
  return frame.subarray(HEADER_LENGTH, frame.length - 1);
}

/**
 * Decodes a SAM answer. An answer with an error status decodes: its `sw3` says so. `data` is a
 * view into `frame`, not a copy.
 */
export function decodeFrame(frame: Uint8Array): Answer {
  const body = checkFrame(frame, 3);
  return { sw1: body[0]!, sw2: body[1]!, sw3: body[2]!, data: body.subarray(3) };
}

/** Decodes a host command, as a SAM (or its simulator) sees it. */
export function decodeCommand(frame: Uint8Array): Command {
  const body = checkFrame(frame, 2);
  return { cmd: body[0]!, para: body[1]!, data: body.subarray(2) };
}
