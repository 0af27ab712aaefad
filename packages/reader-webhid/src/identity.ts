// The card's 256-byte text block (文字信息): fixed-width UCS-2LE fields padded with spaces. Three
// card kinds share the block and are told apart by the type marker at byte 248 (readers.md §1.5):
// the resident ID card (居民身份证), the Hong Kong/Macao/Taiwan residence permit (港澳台居民居住证,
// 'J') and the foreign permanent resident ID card (外国人永久居留身份证, 'I'; the 2023 edition
// carries an 18-digit number that starts with 9).
import { ReaderError } from './errors.ts';

export const TEXT_LENGTH = 256;

interface PersonFields {
  name: string;
  /** GB/T 2261.1: '1' male, '2' female (see `GENDERS`). */
  genderCode: string;
  /** GB 3304, e.g. '01' (see `NATIONS`); '' when the card has none, as on residence permits. */
  nationCode: string;
  /** YYYY-MM-DD. */
  birthDate: string;
  address: string;
  /** 公民身份号码, 18 characters; validated by `@opencme/core`, not here. */
  idNumber: string;
  /** 签发机关. */
  authority: string;
  validFrom: string;
  /** null for a card without expiry (长期). */
  validTo: string | null;
}

export interface ResidentIdentity extends PersonFields {
  kind: 'resident';
}

export interface HmtPermitIdentity extends PersonFields {
  kind: 'hmt-permit';
  /** 通行证号码: the holder's Hong Kong/Macao or Taiwan travel-permit number. */
  passNumber: string;
  /** 签发次数. */
  issueCount: number;
}

export interface ForeignPermanentIdentity {
  kind: 'foreign-permanent';
  /** 'old': the 2004/2017 layout (marker 'I', 15-character number); '2023': the 18-digit number. */
  edition: 'old' | '2023';
  englishName: string;
  chineseName: string;
  genderCode: string;
  /** 永久居留证号码. */
  permitNumber: string;
  /** GB/T 2659 alpha-3, e.g. 'PAK'. */
  nationality: string;
  birthDate: string;
  validFrom: string;
  validTo: string | null;
}

export type IdentityCard = ResidentIdentity | HmtPermitIdentity | ForeignPermanentIdentity;

const MARKER_OFFSET = 248;
const NO_EXPIRY = '长期';

type Field = readonly [offset: number, bytes: number];

// Byte offsets and sizes. Up to byte 220 the permit shares the resident layout.
const PERSON = {
  name: [0, 30],
  genderCode: [30, 2],
  nationCode: [32, 4],
  birthDate: [36, 16],
  address: [52, 70],
  idNumber: [122, 36],
  authority: [158, 30],
  validFrom: [188, 16],
  validTo: [204, 16],
} as const satisfies Record<string, Field>;

const PERMIT = { passNumber: [220, 18], issueCount: [238, 4] } as const satisfies Record<string, Field>;

const FOREIGN_OLD = {
  englishName: [0, 120],
  genderCode: [120, 2],
  permitNumber: [122, 30],
  nationality: [152, 6],
  chineseName: [158, 30],
  validFrom: [188, 16],
  validTo: [204, 16],
  birthDate: [220, 16],
} as const satisfies Record<string, Field>;

// The 2023 layout is not published. These offsets are inferred from the field order and buffer
// sizes of a vendor SDK (DeCard `dc_ParseTextInfoForNewForeigner`): they sum to 256, put the type
// marker at 248 and the number where the resident card has it. Check against a real card.
const FOREIGN_2023 = {
  chineseName: [0, 30],
  genderCode: [30, 2],
  birthDate: [36, 16],
  englishName: [52, 70],
  permitNumber: [122, 36],
  validFrom: [188, 16],
  validTo: [204, 16],
  englishNameContinued: [220, 22],
  nationality: [242, 6],
} as const satisfies Record<string, Field>;

// A field is named by its label on the card (出生日期, 签发机关…): the card's own words, not a sentence.
function badText(messageKey: string, params: Record<string, string | number>): ReaderError {
  return new ReaderError({ code: 'bad-identity', messageKey, params });
}

function unitAt(text: Uint8Array, i: number): number {
  return text[i]! | (text[i + 1]! << 8);
}

function decodeUnits(text: Uint8Array, from: number, to: number): string {
  let s = '';
  for (let i = from; i < to; i += 2) s += String.fromCharCode(unitAt(text, i));
  return s;
}

function readRaw(text: Uint8Array, [offset, bytes]: Field): string {
  return decodeUnits(text, offset, offset + bytes);
}

/** Cards pad with spaces; some writers use NUL or the ideographic space. */
const isPadding = (unit: number) => unit === 0x20 || unit === 0x00 || unit === 0x3000;

function trimPadding(s: string): string {
  let from = 0;
  let to = s.length;
  while (from < to && isPadding(s.charCodeAt(from))) from++;
  while (to > from && isPadding(s.charCodeAt(to - 1))) to--;
  return s.slice(from, to);
}

/** A field's text without its padding. */
function read(text: Uint8Array, [offset, bytes]: Field): string {
  let from = offset;
  let to = offset + bytes;
  while (from < to && isPadding(unitAt(text, from))) from += 2;
  while (to > from && isPadding(unitAt(text, to - 2))) to -= 2;
  return decodeUnits(text, from, to);
}

function readDate(text: Uint8Array, field: Field, label: string): string {
  const raw = read(text, field);
  const m = /^(\d{4})(\d{2})(\d{2})$/.exec(raw);
  if (!m || Number(m[2]) < 1 || Number(m[2]) > 12 || Number(m[3]) < 1 || Number(m[3]) > 31) {
    throw badText('reader.card-text.not-a-date', { field: label, value: raw });
  }
  return `${m[1]}-${m[2]}-${m[3]}`;
}

function readValidTo(text: Uint8Array, field: Field): string | null {
  return read(text, field) === NO_EXPIRY ? null : readDate(text, field, '有效期截止');
}

function readPerson(text: Uint8Array): PersonFields {
  return {
    name: read(text, PERSON.name),
    genderCode: read(text, PERSON.genderCode),
    nationCode: read(text, PERSON.nationCode),
    birthDate: readDate(text, PERSON.birthDate, '出生日期'),
    address: read(text, PERSON.address),
    idNumber: read(text, PERSON.idNumber),
    authority: read(text, PERSON.authority),
    validFrom: readDate(text, PERSON.validFrom, '有效期起始'),
    validTo: readValidTo(text, PERSON.validTo),
  };
}

/** Parses the 256-byte text block of any of the three card kinds. */
export function parseIdentityText(text: Uint8Array): IdentityCard {
  if (text.length !== TEXT_LENGTH) {
    throw badText('reader.card-text.size', { expected: TEXT_LENGTH, actual: text.length });
  }
  const marker = text[MARKER_OFFSET + 1] === 0 ? String.fromCharCode(text[MARKER_OFFSET]!) : '';
  if (marker === 'J') {
    const count = read(text, PERMIT.issueCount);
    if (!/^\d+$/.test(count)) throw badText('reader.card-text.issue-count', { value: count });
    return { kind: 'hmt-permit', ...readPerson(text), passNumber: read(text, PERMIT.passNumber), issueCount: Number(count) };
  }
  if (marker === 'I') {
    return {
      kind: 'foreign-permanent',
      edition: 'old',
      englishName: read(text, FOREIGN_OLD.englishName),
      chineseName: read(text, FOREIGN_OLD.chineseName),
      genderCode: read(text, FOREIGN_OLD.genderCode),
      permitNumber: read(text, FOREIGN_OLD.permitNumber),
      nationality: read(text, FOREIGN_OLD.nationality),
      birthDate: readDate(text, FOREIGN_OLD.birthDate, '出生日期'),
      validFrom: readDate(text, FOREIGN_OLD.validFrom, '有效期起始'),
      validTo: readValidTo(text, FOREIGN_OLD.validTo),
    };
  }
  // The 2023 card's marker is said to be 'Y' but was never seen in a source; its number starting
  // with 9 (no resident region code does) identifies it either way.
  if (marker === 'Y' || read(text, PERSON.idNumber).startsWith('9')) {
    const englishName = readRaw(text, FOREIGN_2023.englishName) + readRaw(text, FOREIGN_2023.englishNameContinued);
    return {
      kind: 'foreign-permanent',
      edition: '2023',
      englishName: trimPadding(englishName),
      chineseName: read(text, FOREIGN_2023.chineseName),
      genderCode: read(text, FOREIGN_2023.genderCode),
      permitNumber: read(text, FOREIGN_2023.permitNumber),
      nationality: read(text, FOREIGN_2023.nationality),
      birthDate: readDate(text, FOREIGN_2023.birthDate, '出生日期'),
      validFrom: readDate(text, FOREIGN_2023.validFrom, '有效期起始'),
      validTo: readValidTo(text, FOREIGN_2023.validTo),
    };
  }
  return { kind: 'resident', ...readPerson(text) };
}

// Encoding: the simulators put an `IdentityCard` on a simulated card, byte for byte.

function write(text: Uint8Array, [offset, bytes]: Field, value: string, label: string): void {
  if (value.length * 2 > bytes) {
    throw badText('reader.card-text.too-long', { field: label, value, max: bytes / 2 });
  }
  for (let i = 0; i < bytes / 2; i++) {
    const code = i < value.length ? value.charCodeAt(i) : 0x20;
    text[offset + 2 * i] = code & 0xff;
    text[offset + 2 * i + 1] = code >> 8;
  }
}

function writeDate(text: Uint8Array, field: Field, value: string | null, label: string): void {
  if (value === null) return write(text, field, NO_EXPIRY, label);
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) throw badText('reader.card-text.date-format', { field: label, value });
  write(text, field, value.replaceAll('-', ''), label);
}

function writePerson(text: Uint8Array, card: ResidentIdentity | HmtPermitIdentity): void {
  write(text, PERSON.name, card.name, '姓名');
  write(text, PERSON.genderCode, card.genderCode, '性别');
  write(text, PERSON.nationCode, card.nationCode, '民族');
  writeDate(text, PERSON.birthDate, card.birthDate, '出生日期');
  write(text, PERSON.address, card.address, '住址');
  write(text, PERSON.idNumber, card.idNumber, '公民身份号码');
  write(text, PERSON.authority, card.authority, '签发机关');
  writeDate(text, PERSON.validFrom, card.validFrom, '有效期起始');
  writeDate(text, PERSON.validTo, card.validTo, '有效期截止');
}

const NAME_2023_HEAD = FOREIGN_2023.englishName[1] / 2;

/** Encodes a card back into its 256-byte text block (the inverse of `parseIdentityText`). */
export function encodeIdentityText(card: IdentityCard): Uint8Array {
  const text = new Uint8Array(TEXT_LENGTH);
  // Unused and reserved fields are spaces too, as on real cards.
  for (let i = 0; i < TEXT_LENGTH; i += 2) text[i] = 0x20;
  switch (card.kind) {
    case 'resident':
      writePerson(text, card);
      break;
    case 'hmt-permit':
      writePerson(text, card);
      write(text, PERMIT.passNumber, card.passNumber, '通行证号码');
      write(text, PERMIT.issueCount, String(card.issueCount).padStart(2, '0'), '签发次数');
      write(text, [MARKER_OFFSET, 2], 'J', '证件类型');
      break;
    case 'foreign-permanent':
      if (card.edition === 'old') {
        write(text, FOREIGN_OLD.englishName, card.englishName, '英文姓名');
        write(text, FOREIGN_OLD.genderCode, card.genderCode, '性别');
        write(text, FOREIGN_OLD.permitNumber, card.permitNumber, '永久居留证号码');
        write(text, FOREIGN_OLD.nationality, card.nationality, '国籍');
        write(text, FOREIGN_OLD.chineseName, card.chineseName, '中文姓名');
        writeDate(text, FOREIGN_OLD.validFrom, card.validFrom, '有效期起始');
        writeDate(text, FOREIGN_OLD.validTo, card.validTo, '有效期截止');
        writeDate(text, FOREIGN_OLD.birthDate, card.birthDate, '出生日期');
        write(text, [MARKER_OFFSET, 2], 'I', '证件类型');
      } else {
        write(text, FOREIGN_2023.chineseName, card.chineseName, '中文姓名');
        write(text, FOREIGN_2023.genderCode, card.genderCode, '性别');
        writeDate(text, FOREIGN_2023.birthDate, card.birthDate, '出生日期');
        write(text, FOREIGN_2023.englishName, card.englishName.slice(0, NAME_2023_HEAD), '英文姓名');
        write(text, FOREIGN_2023.englishNameContinued, card.englishName.slice(NAME_2023_HEAD), '英文姓名');
        write(text, FOREIGN_2023.permitNumber, card.permitNumber, '永久居留证号码');
        writeDate(text, FOREIGN_2023.validFrom, card.validFrom, '有效期起始');
        writeDate(text, FOREIGN_2023.validTo, card.validTo, '有效期截止');
        write(text, FOREIGN_2023.nationality, card.nationality, '国籍');
        write(text, [MARKER_OFFSET, 2], 'Y', '证件类型');
      }
      break;
  }
  return text;
}
