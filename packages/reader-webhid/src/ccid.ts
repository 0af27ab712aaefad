// CCID, the USB smart-card class that PC/SC readers such as the ACR122U / ACR1252U speak
// (readers.md §3.2). Ordinary Chrome refuses WebUSB access to this class, so no transport here
// uses it: the codec is for an Isolated Web App with unrestricted WebUSB, and keeps the research
// vectors honest. Every message has a 10-byte header with a little-endian data length.
import { ReaderError, hexByte } from './errors.ts';

export const CCID_MESSAGE = {
  iccPowerOn: 0x62,
  xfrBlock: 0x6f,
  escape: 0x6b,
  dataBlock: 0x80,
  slotStatus: 0x81,
  escapeAnswer: 0x83,
} as const;

/** PC/SC GET DATA for the contactless card's UID (FF CA 00 00 00). */
export const GET_UID_APDU = Uint8Array.of(0xff, 0xca, 0x00, 0x00, 0x00);

const HEADER = 10;

export interface CcidMessage {
  type: number;
  slot: number;
  seq: number;
  /**
   * Header bytes 7–9: host to reader, message-specific (IccPowerOn: bPowerSelect, RFU, RFU);
   * reader to host, bStatus, bError and the chain parameter.
   */
  params: readonly [number, number, number];
  data: Uint8Array;
}

export function encodeCcidMessage(message: {
  type: number;
  seq: number;
  slot?: number;
  params?: readonly [number, number, number];
  data?: Uint8Array;
}): Uint8Array {
  const data = message.data ?? new Uint8Array(0);
  const out = new Uint8Array(HEADER + data.length);
  const view = new DataView(out.buffer);
  out[0] = message.type;
  view.setUint32(1, data.length, true);
  out[5] = message.slot ?? 0;
  out[6] = message.seq;
  out.set(message.params ?? [0, 0, 0], 7);
  out.set(data, HEADER);
  return out;
}

export function decodeCcidMessage(bytes: Uint8Array): CcidMessage {
  const length = bytes.length >= HEADER ? new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(1, true) : -1;
  if (length !== bytes.length - HEADER) {
    throw new ReaderError({ code: 'bad-length', messageKey: 'reader.ccid.length-disagrees' });
  }
  return { type: bytes[0]!, slot: bytes[5]!, seq: bytes[6]!, params: [bytes[7]!, bytes[8]!, bytes[9]!], data: bytes.subarray(HEADER) };
}

/** The body of an APDU answer whose status word is 90 00. */
export function apduBody(answer: Uint8Array): Uint8Array {
  const sw1 = answer[answer.length - 2];
  const sw2 = answer[answer.length - 1];
  if (sw1 !== 0x90 || sw2 !== 0x00) {
    const sw = answer.length >= 2 ? `${hexByte(sw1!)} ${hexByte(sw2!)}` : '—';
    throw new ReaderError({ code: 'io', messageKey: 'reader.ccid.card-status', params: { status: sw } });
  }
  return answer.subarray(0, answer.length - 2);
}

/** The canonical UID from the answer to `GET_UID_APDU`. */
export function uidFromGetUidAnswer(answer: Uint8Array): string {
  return Array.from(apduBody(answer), hexByte).join('');
}
