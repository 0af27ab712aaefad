// The answer to read-base-info (读固定信息, 30 01) and its fingerprint variant (30 10):
//   30 01: SW | textLen(2) photoLen(2)          | text 256 | photo 1024           (1295 bytes)
//   30 10: SW | textLen(2) photoLen(2) fpLen(2) | text 256 | photo 1024 | fp n    (1297/1809/2321)
// Lengths are big-endian. The photo (相片) is a proprietary wavelet format (WLT) kept as bytes;
// the fingerprint (指纹) is skipped.
import { ReaderError } from './errors.ts';
import { decodeFrame, encodeAnswer } from './frame.ts';
import { type IdentityCard, TEXT_LENGTH, encodeIdentityText, parseIdentityText } from './identity.ts';
import { SW3_OK, statusError } from './status.ts';

export const PHOTO_LENGTH = 1024;

export interface BaseInfo {
  identity: IdentityCard;
  /** The 1024-byte WLT photo, undecoded (a copy, not a view into the frame). */
  photo: Uint8Array;
}

function badLayout(messageKey: string, params?: Record<string, string | number>): ReaderError {
  return new ReaderError({ code: 'bad-identity', messageKey, params });
}

/** Decodes a whole `30 01` or `30 10` answer frame. */
export function decodeBaseInfo(frame: Uint8Array): BaseInfo {
  const { sw3, data } = decodeFrame(frame);
  if (sw3 !== SW3_OK) throw statusError(sw3);
  if (data.length < 4) throw badLayout('reader.answer.no-lengths');
  const textLength = (data[0]! << 8) | data[1]!;
  const photoLength = (data[2]! << 8) | data[3]!;
  let offset: number;
  if (4 + textLength + photoLength === data.length) {
    offset = 4;
  } else if (data.length >= 6 && 6 + textLength + photoLength + ((data[4]! << 8) | data[5]!) === data.length) {
    offset = 6;
  } else {
    throw badLayout('reader.answer.lengths-disagree');
  }
  if (textLength !== TEXT_LENGTH || photoLength !== PHOTO_LENGTH) {
    throw badLayout('reader.answer.block-sizes', { text: textLength, photo: photoLength, textExpected: TEXT_LENGTH, photoExpected: PHOTO_LENGTH });
  }
  const photoStart = offset + TEXT_LENGTH;
  return {
    identity: parseIdentityText(data.subarray(offset, photoStart)),
    photo: data.slice(photoStart, photoStart + PHOTO_LENGTH),
  };
}

/** The identity of a whole `30 01` / `30 10` answer. */
export function decodeIdentity(frame: Uint8Array): IdentityCard {
  return decodeBaseInfo(frame).identity;
}

/**
 * Builds the success answer to a read: `fingerprint` undefined gives the `30 01` form, a byte
 * array (empty, 512 or 1024 bytes) the `30 10` form.
 */
export function encodeBaseInfo(info: { identity: IdentityCard; photo: Uint8Array; fingerprint?: Uint8Array }): Uint8Array {
  if (info.photo.length !== PHOTO_LENGTH) throw badLayout('reader.answer.photo-size', { expected: PHOTO_LENGTH });
  const fp = info.fingerprint;
  const head = fp === undefined ? [0x01, 0x00, 0x04, 0x00] : [0x01, 0x00, 0x04, 0x00, fp.length >> 8, fp.length & 0xff];
  const data = new Uint8Array(head.length + TEXT_LENGTH + PHOTO_LENGTH + (fp?.length ?? 0));
  data.set(head, 0);
  data.set(encodeIdentityText(info.identity), head.length);
  data.set(info.photo, head.length + TEXT_LENGTH);
  if (fp) data.set(fp, head.length + TEXT_LENGTH + PHOTO_LENGTH);
  return encodeAnswer({ sw3: SW3_OK, data });
}
