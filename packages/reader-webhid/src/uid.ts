// The UID encodings are a shared rule and live in @opencme/core; the reader reports a number that
// does not fit as a ReaderError like every other reader failure, so the kiosk handles one type.
import { type UidEncoding, UidFormatError, formatUid as coreFormatUid, parseUid as coreParseUid } from '@opencme/core';
import { ReaderError } from './errors.ts';

export { UID_ENCODINGS, type UidEncoding } from '@opencme/core';

function asReaderError<T>(run: () => T): T {
  try {
    return run();
  } catch (error) {
    if (error instanceof UidFormatError)
      throw new ReaderError({
        code: 'bad-uid',
        messageKey: error.messageKey,
        params: error.params,
        cause: error,
      });
    throw error;
  }
}

/** Converts a typed or printed card number to the canonical UID (upper-case hex). */
export function parseUid(typed: string, encoding: UidEncoding): string {
  return asReaderError(() => coreParseUid(typed, encoding));
}

/** Converts a canonical UID to the form a reader with `encoding` types. */
export function formatUid(hex: string, encoding: UidEncoding): string {
  return asReaderError(() => coreFormatUid(hex, encoding));
}
