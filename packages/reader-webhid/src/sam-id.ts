// The SAM's number (SAM 管理信息/编号, answer to 12 FF): 16 bytes of little-endian numbers of sizes
// 2, 2, 4, 4, 4. The kiosk logs it to tell which reader (and which licensed SAM) recorded a tap.
import { ReaderError } from './errors.ts';
import { decodeFrame } from './frame.ts';
import { SW3_OK, statusError } from './status.ts';

export interface SamId {
  fields: readonly [number, number, number, number, number];
  /** Vendors print it differently; this is HslCommunication's form, e.g. 05.01-20101026-012345678-1234567890. */
  text: string;
}

export function decodeSamId(frame: Uint8Array): SamId {
  const { sw3, data } = decodeFrame(frame);
  if (sw3 !== SW3_OK) throw statusError(sw3);
  if (data.length !== 16) {
    throw new ReaderError({
      code: 'bad-length',
      messageKey: 'reader.sam-id-length',
      params: { length: data.length },
    });
  }
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const fields = [view.getUint16(0, true), view.getUint16(2, true), view.getUint32(4, true), view.getUint32(8, true), view.getUint32(12, true)] as const;
  const pad = (n: number, width: number) => String(n).padStart(width, '0');
  return { fields, text: `${pad(fields[0], 2)}.${pad(fields[1], 2)}-${fields[2]}-${pad(fields[3], 9)}-${pad(fields[4], 9)}` };
}
