// An IC card (Mifare, ISO 14443A) is known by its chip UID (卡片序列号). The canonical form is the
// UID bytes in anticollision order as upper-case hex, e.g. 26DEFAE7. Keyboard-wedge readers and
// printed card faces use one of several other forms of the same bytes; which one is a per-reader
// setting. For a 4-byte UID:
//   hex           26DEFAE7      the bytes as read
//   hex-reversed  E7FADE26      byte order reversed
//   dec-be        0652147431    the bytes read big-endian as a number, 10 digits
//   dec-le        3891977766    the bytes read little-endian as a number, 10 digits
//
// One rule for the kiosk's wedge reader, the admin console and the server's card binding.

export const UID_ENCODINGS = ['hex', 'hex-reversed', 'dec-be', 'dec-le'] as const;
export type UidEncoding = (typeof UID_ENCODINGS)[number];

/** A typed or printed card number that does not fit its encoding: a message key and its parameters, which the app's catalogue words. */
export class UidFormatError extends Error {
  override readonly name = 'UidFormatError';
  readonly code = 'bad-uid';
  readonly messageKey: string;
  readonly params: Record<string, string | number>;

  constructor(messageKey: string, params: Record<string, string | number>) {
    super(messageKey);
    this.messageKey = messageKey;
    this.params = params;
  }
}

/** ISO 14443A UIDs are single (4), double (7) or triple (10) size. */
const UID_BYTES = [4, 7, 10];

function reverseBytes(hex: string): string {
  return (hex.match(/../g) ?? []).reverse().join('');
}

function checkHex(value: string): string {
  const hex = value.toUpperCase();
  if (!/^[0-9A-F]*$/.test(hex) || !UID_BYTES.includes(hex.length / 2)) {
    throw new UidFormatError('uid.not-hex', { value });
  }
  return hex;
}

/** Converts a typed or printed card number to the canonical UID (upper-case hex). */
export function parseUid(typed: string, encoding: UidEncoding): string {
  const value = typed.trim();
  switch (encoding) {
    case 'hex':
      return checkHex(value);
    case 'hex-reversed':
      return reverseBytes(checkHex(value));
    case 'dec-be':
    case 'dec-le': {
      // Exactly 10 digits: a number missing a digit would otherwise name another card.
      if (!/^\d{10}$/.test(value) || Number(value) > 0xffffffff) {
        throw new UidFormatError('uid.not-decimal', { value });
      }
      const hex = Number(value).toString(16).toUpperCase().padStart(8, '0');
      return encoding === 'dec-be' ? hex : reverseBytes(hex);
    }
  }
}

/** Converts a canonical UID to the form a reader with `encoding` types. */
export function formatUid(hex: string, encoding: UidEncoding): string {
  const uid = checkHex(hex.trim());
  switch (encoding) {
    case 'hex':
      return uid;
    case 'hex-reversed':
      return reverseBytes(uid);
    case 'dec-be':
    case 'dec-le': {
      // Readers truncate longer UIDs in vendor-specific ways; guessing would bind the wrong card.
      if (uid.length !== 8) throw new UidFormatError('uid.decimal-needs-4-bytes', { value: hex, bytes: uid.length / 2 });
      const ordered = encoding === 'dec-be' ? uid : reverseBytes(uid);
      return String(Number.parseInt(ordered, 16)).padStart(10, '0');
    }
  }
}
