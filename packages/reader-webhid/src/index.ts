// @opencme/reader-webhid: card readers in the browser. Simulators are a separate entry point,
// `@opencme/reader-webhid/simulators`, so production code never bundles them by accident.

export { type Bilingual, ReaderError, type ReaderErrorCode } from './errors.ts';

// GA/T 467 codec
export { type Answer, type Command, MAX_LEN, PREAMBLE, decodeCommand, decodeFrame, encodeAnswer, encodeCommand } from './frame.ts';
export { type Assembled, FrameAssembler } from './assembler.ts';
export { SAM_STATUS_CODES, SW3_FOUND, SW3_NO_CARD, SW3_OK, describeStatus } from './status.ts';
export { SAM_COMMANDS, type SamCommandName, commandFrame } from './commands.ts';
export { type SamId, decodeSamId } from './sam-id.ts';

// The card
export {
  type ForeignPermanentIdentity,
  type HmtPermitIdentity,
  type IdentityCard,
  type ResidentIdentity,
  TEXT_LENGTH,
  encodeIdentityText,
  parseIdentityText,
} from './identity.ts';
export { type BaseInfo, PHOTO_LENGTH, decodeBaseInfo, decodeIdentity, encodeBaseInfo } from './base-info.ts';
export { GENDERS, NATIONS, genderName, nationName } from './code-tables.ts';
export { UID_ENCODINGS, type UidEncoding, formatUid, parseUid } from './uid.ts';
export type { CardRead, CardReadListener } from './card-read.ts';

// Readers
export {
  type DeviceChoice,
  type IdCardReader,
  type IdCardReaderOptions,
  type ReaderDeviceInfo,
  type ReaderStatus,
  createIdCardReader,
} from './id-card-reader.ts';
export { DEFAULT_TIMEOUTS, MIN_POLL_INTERVAL_MS, type SamTimeouts } from './sam-session.ts';
export { KNOWN_ID_READERS, type KnownReader, type TransportKind } from './devices.ts';
export { DEFAULT_MAX_GAP_MS, type KeyEventSource, type KeyLike, type WedgeReader, type WedgeReaderOptions, createWedgeReader } from './wedge.ts';

// Transports, for tools that drive a reader by hand
export type { ExchangeOptions, SamLink } from './sam-link.ts';
export { openUsbLink, type UsbWiring } from './transports/usb.ts';
export { openHidLink } from './transports/hid.ts';
export { HID_REPORT_LENGTH, unwrapHidAnswer, unwrapHidCommand, wrapHidAnswer, wrapHidCommand } from './transports/hid-packet.ts';
export { SAM_SERIAL_OPTIONS, openSerialLink } from './transports/serial.ts';
export type * from './web-devices.ts';
export { browserDeviceApis } from './web-devices.ts';

// Codecs for readers without a transport in ordinary Chrome (CCID) or outside the CME cards (125 kHz)
export { CCID_MESSAGE, type CcidMessage, GET_UID_APDU, apduBody, decodeCcidMessage, encodeCcidMessage, uidFromGetUidAnswer } from './ccid.ts';
export { RFID_HID_READ_TAG, RFID_HID_REPORT_LENGTH, decodeRfidHidTag, encodeRfidHidCommand } from './rfid-hid.ts';
