// Every failure a reader can meet, as one error type: the kiosk words it from `messageKey` and
// `params` (its catalogues, zh.ts and en.ts, hold the texts) and decides what to do from `code`.
// `message` is for logs: the key and its parameters, in no language.

export type ReaderErrorCode =
  | 'bad-preamble' // a frame does not start with AA AA AA 96 69
  | 'bad-length' // a frame's length field disagrees with its size, or is out of range
  | 'bad-checksum' // the XOR checksum (校验和) does not match
  | 'bad-packet' // a vendor wrapper around the frame (HID report) is malformed
  | 'bad-identity' // the card's text block (文字信息) does not follow any known layout
  | 'bad-uid' // a typed IC-card number does not fit the configured encoding
  | 'sam-status' // the SAM (安全模块) answered with an error status (SW3); see `sw3`
  | 'timeout' // no whole answer in time
  | 'disconnected' // the device went away during an exchange
  | 'open-failed' // the browser refused to open or claim the device
  | 'no-device' // no device was chosen in the browser's chooser
  | 'io'; // a transfer failed for another reason (stall, write error)

export interface ReaderErrorInit {
  code: ReaderErrorCode;
  /** A message key of the app's catalogue (`reader.…`) with its parameters. */
  messageKey: string;
  params?: Record<string, string | number>;
  /** What the person at the reader should do next, as a message key said after the message. */
  hint?: string;
  sw3?: number;
  cause?: unknown;
}

export class ReaderError extends Error {
  override readonly name = 'ReaderError';
  readonly code: ReaderErrorCode;
  readonly messageKey: string;
  readonly params: Record<string, string | number>;
  readonly hint: string | undefined;
  /** The SAM status byte, for `sam-status` errors. */
  readonly sw3: number | undefined;

  constructor(init: ReaderErrorInit) {
    const logged = `${init.messageKey}${init.params ? ` ${JSON.stringify(init.params)}` : ''}${init.hint ? ` (${init.hint})` : ''}`;
    super(logged, init.cause === undefined ? undefined : { cause: init.cause });
    this.code = init.code;
    this.messageKey = init.messageKey;
    this.params = init.params ?? {};
    this.hint = init.hint;
    this.sw3 = init.sw3;
  }
}

/** A name in the two languages of the interface, for the card's code tables (民族, 性别): zh-CN first. */
export interface Bilingual {
  zh: string;
  en: string;
}

/** Two-digit upper-case hex, as the protocol documents write bytes. */
export function hexByte(value: number): string {
  return value.toString(16).toUpperCase().padStart(2, '0');
}
