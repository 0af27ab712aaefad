import { idNumberCheckChar } from '@opencme/core';
import { describe, expect, it } from 'vitest';
import { decodeBaseInfo, decodeIdentity, encodeBaseInfo } from './base-info.ts';
import { GENDERS, NATIONS, genderName, nationName } from './code-tables.ts';
import { ReaderError } from './errors.ts';
import { encodeAnswer } from './frame.ts';
import { type IdentityCard, encodeIdentityText, parseIdentityText } from './identity.ts';
import { placeholderPhoto } from './simulators/sam.ts';
import { SAMPLE_FOREIGN_2023, SAMPLE_FOREIGN_OLD, SAMPLE_HMT_PERMIT, SAMPLE_RESIDENT } from './simulators/sample-cards.ts';
import { hex } from './testing/hex.ts';
import { Prng } from './testing/prng.ts';
import { TV11_HEX, TV11_SHA256 } from './testing/tv11.ts';

const TV11 = hex(TV11_HEX);

function codeOf(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(ReaderError);
    return (error as ReaderError).code;
  }
  throw new Error('expected a ReaderError');
}

function ucs2(text: string): Uint8Array {
  return Uint8Array.from([...text].flatMap((c) => [c.charCodeAt(0) & 0xff, c.charCodeAt(0) >> 8]));
}

describe('TV-11: the synthetic 1295-byte read-base-info answer', () => {
  it('is byte for byte the research file', async () => {
    expect(TV11).toHaveLength(1295);
    const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', TV11));
    expect(Array.from(digest, (b) => b.toString(16).padStart(2, '0')).join('')).toBe(TV11_SHA256);
    expect(TV11[1294]).toBe(0x18);
  });

  it('decodes to the sample resident card, with dates as YYYY-MM-DD and 长期 as null', () => {
    expect(decodeIdentity(TV11)).toEqual({
      kind: 'resident',
      name: '测试样本',
      genderCode: '1',
      nationCode: '01',
      birthDate: '1949-12-31',
      address: '北京市东城区测试路1号',
      idNumber: '11010519491231002X',
      authority: '北京市公安局东城分局',
      validFrom: '2020-01-01',
      validTo: null,
    });
    expect(genderName('1')).toEqual({ zh: '男', en: 'Male' });
    expect(nationName('01')).toEqual({ zh: '汉', en: 'Han' });
  });

  it('keeps the photo as its 1024 undecoded bytes, as a copy', () => {
    const { photo } = decodeBaseInfo(TV11);
    expect(photo).toEqual(placeholderPhoto());
    expect(photo.buffer).not.toBe(TV11.buffer);
  });

  it('is what the simulator encodes for the sample card', () => {
    expect(encodeBaseInfo({ identity: SAMPLE_RESIDENT, photo: placeholderPhoto() })).toEqual(TV11);
  });
});

describe('the 30 10 answer (text, photo, fingerprint)', () => {
  it.each([
    [0, 1297, '05 0A'],
    [512, 1809, '07 0A'],
    [1024, 2321, '09 0A'],
  ])('with %i fingerprint bytes is %i bytes long (Len %s) and skips the fingerprint', (fp, total, len) => {
    const fingerprint = new Uint8Array(fp).fill(0xee);
    const frame = encodeBaseInfo({ identity: SAMPLE_RESIDENT, photo: placeholderPhoto(), fingerprint });
    expect(frame).toHaveLength(total);
    expect(frame.subarray(5, 7)).toEqual(hex(len));
    expect(frame.subarray(0, 16)).toEqual(hex(`AA AA AA 96 69 ${len} 00 00 90 01 00 04 00 ${fp === 1024 ? '04 00' : fp === 512 ? '02 00' : '00 00'}`));
    expect(decodeBaseInfo(frame)).toEqual({ identity: SAMPLE_RESIDENT, photo: placeholderPhoto() });
  });
});

describe('decodeBaseInfo refuses what is not a read answer', () => {
  it('throws the status error of a failed read', () => {
    const error = (() => {
      try {
        decodeIdentity(hex('AA AA AA 96 69 00 04 00 00 41 45'));
      } catch (e) {
        return e as ReaderError;
      }
    })();
    expect(error?.code).toBe('sam-status');
    expect(error?.sw3).toBe(0x41);
    expect(error?.messageKey).toBe('reader.sam-status.41');
  });

  it.each([
    ['no length fields', new Uint8Array(2)],
    ['lengths that do not add up', Uint8Array.of(0x01, 0x00, 0x04, 0x00, 0x00)],
    [
      'a text block of another size',
      (() => {
        const data = new Uint8Array(4 + 128 + 1024);
        data.set([0x00, 0x80, 0x04, 0x00]);
        return data;
      })(),
    ],
  ])('%s', (_, data) => {
    expect(codeOf(() => decodeIdentity(encodeAnswer({ sw3: 0x90, data })))).toBe('bad-identity');
  });
});

describe('TV-15: the card-type marker at text byte 248', () => {
  it('0x20 00 is a resident ID card', () => {
    const text = encodeIdentityText(SAMPLE_RESIDENT);
    expect(text.subarray(248, 250)).toEqual(hex('20 00'));
    expect(parseIdentityText(text).kind).toBe('resident');
  });

  it("'J' 00 is a Hong Kong/Macao/Taiwan residence permit, with pass number and issue count", () => {
    const text = encodeIdentityText(SAMPLE_HMT_PERMIT);
    expect(text.subarray(248, 250)).toEqual(hex('4A 00'));
    expect(text.subarray(238, 242)).toEqual(ucs2('01'));
    expect(parseIdentityText(text)).toEqual(SAMPLE_HMT_PERMIT);
  });

  it("'I' 00 is the old foreign permanent resident card, English name first", () => {
    const text = encodeIdentityText(SAMPLE_FOREIGN_OLD);
    expect(text.subarray(248, 250)).toEqual(hex('49 00'));
    expect(text.subarray(122, 152)).toEqual(ucs2('PAK310080010103'));
    expect(parseIdentityText(text)).toEqual(SAMPLE_FOREIGN_OLD);
  });

  it('a number starting with 9 is the 2023 foreign card, even without the (unconfirmed) Y marker', () => {
    const text = encodeIdentityText(SAMPLE_FOREIGN_2023);
    text.set(hex('20 00'), 248);
    expect(text.subarray(122, 158)).toEqual(ucs2('931586198001010028'));
    expect(parseIdentityText(text)).toEqual(SAMPLE_FOREIGN_2023);
  });

  it('the 2023 card carries an English name longer than one field in its continuation field', () => {
    const card: IdentityCard = { ...SAMPLE_FOREIGN_2023, englishName: 'ABCDEFGHIJKLMNOPQRSTUVWXYZ ABCDEFGHIJKLMNOPQRS' };
    expect(card.englishName).toHaveLength(46);
    expect(parseIdentityText(encodeIdentityText(card))).toEqual(card);
  });
});

describe('TV-16: the specimen numbers carry valid check digits (GB 11643, via @opencme/core)', () => {
  it.each([
    ['11010519491231002X', 'X'],
    ['440524188001010014', '4'],
    ['931586198001010028', '8'],
  ])('%s', (number, check) => {
    expect(idNumberCheckChar(number.slice(0, 17))).toBe(check);
    expect(number[17]).toBe(check);
  });

  it('the sample cards use valid numbers', () => {
    for (const card of [SAMPLE_RESIDENT, SAMPLE_HMT_PERMIT]) expect(idNumberCheckChar(card.idNumber.slice(0, 17))).toBe(card.idNumber[17]);
    expect(idNumberCheckChar(SAMPLE_FOREIGN_2023.permitNumber.slice(0, 17))).toBe('8');
  });
});

describe('parseIdentityText', () => {
  it('trims padding spaces and NULs from every field', () => {
    const text = encodeIdentityText(SAMPLE_RESIDENT);
    text.set(ucs2('\0\0'), 26); // the name's last two characters, as NUL padding
    const card = parseIdentityText(text);
    expect(card.kind === 'resident' && card.name).toBe('测试样本');
  });

  it("gives '' for a nation code the card does not carry", () => {
    const card = parseIdentityText(encodeIdentityText({ ...SAMPLE_RESIDENT, nationCode: '' }));
    expect(card.kind === 'resident' && card.nationCode).toBe('');
  });

  it('reads an expiry date when the card has one', () => {
    const card = parseIdentityText(encodeIdentityText({ ...SAMPLE_RESIDENT, validTo: '2040-01-01' }));
    expect(card.validTo).toBe('2040-01-01');
  });

  it.each([
    ['a block of the wrong size', () => parseIdentityText(new Uint8Array(255))],
    [
      'a birth date that is not a date',
      () => {
        const text = encodeIdentityText(SAMPLE_RESIDENT);
        text.set(ucs2('19491331'), 36);
        return parseIdentityText(text);
      },
    ],
    [
      'a blank valid-from date',
      () => {
        const text = encodeIdentityText(SAMPLE_RESIDENT);
        text.set(ucs2('        '), 188);
        return parseIdentityText(text);
      },
    ],
    [
      'a permit whose issue count is not a number',
      () => {
        const text = encodeIdentityText(SAMPLE_HMT_PERMIT);
        text.set(ucs2('x1'), 238);
        return parseIdentityText(text);
      },
    ],
  ])('refuses %s', (_, run) => {
    expect(codeOf(run)).toBe('bad-identity');
  });

  it('refuses to encode a field longer than the card holds, or a date in another form', () => {
    expect(codeOf(() => encodeIdentityText({ ...SAMPLE_RESIDENT, name: '一二三四五六七八九十一二三四五六' }))).toBe('bad-identity');
    expect(codeOf(() => encodeIdentityText({ ...SAMPLE_RESIDENT, birthDate: '19491231' }))).toBe('bad-identity');
  });
});

describe('round trip of random cards: encode → text → parse (property)', () => {
  const HAN =
    '王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高郑梁谢宋唐许韩冯邓曹彭曾肖田董潘袁蔡蒋余于杜叶程魏苏吕丁任沈姚卢傅钟姜崔谭廖范汪陆金石戴贾韦夏邱方侯邹熊孟秦白江阎薛尹段雷黎史龙陶贺顾毛郝龚邵万钱严赖覃洪武莫孔';
  const LATIN = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
  const rng = new Prng(31415926);
  const word = (alphabet: string, min: number, max: number) => Array.from({ length: rng.int(min, max) }, () => rng.pick([...alphabet])).join('');
  const digits = (n: number) => Array.from({ length: n }, () => rng.int(0, 9)).join('');
  const date = () => `${rng.int(1900, 2099)}-${String(rng.int(1, 12)).padStart(2, '0')}-${String(rng.int(1, 28)).padStart(2, '0')}`;
  const person = () => ({
    name: word(HAN, 1, 15),
    genderCode: rng.pick(Object.keys(GENDERS)),
    nationCode: rng.pick(['', ...Object.keys(NATIONS)]),
    birthDate: date(),
    address: word(`${HAN}0123456789号路街`, 1, 35),
    idNumber: `${rng.int(11, 83)}${digits(15)}${rng.pick([...'0123456789X'])}`,
    authority: word(HAN, 1, 15),
    validFrom: date(),
    validTo: rng.next() < 0.3 ? null : date(),
  });
  const cards: (() => IdentityCard)[] = [
    () => ({ kind: 'resident', ...person() }),
    () => ({ kind: 'hmt-permit', ...person(), nationCode: '', passNumber: `${rng.pick(['H', 'M'])}${digits(8)}`, issueCount: rng.int(0, 99) }),
    () => ({
      kind: 'foreign-permanent',
      edition: 'old',
      englishName: `${word(LATIN, 1, 20)}, ${word(LATIN, 1, 20)}`,
      chineseName: word(HAN, 0, 15),
      genderCode: rng.pick(['1', '2']),
      permitNumber: `${word(LATIN, 3, 3)}${digits(12)}`,
      nationality: word(LATIN, 3, 3),
      birthDate: date(),
      validFrom: date(),
      validTo: date(),
    }),
    () => ({
      kind: 'foreign-permanent',
      edition: '2023',
      englishName: `${word(LATIN, 1, 20)} ${word(LATIN, 1, 25)}`,
      chineseName: word(HAN, 0, 15),
      genderCode: rng.pick(['1', '2']),
      permitNumber: `9${digits(17)}`,
      nationality: word(LATIN, 3, 3),
      birthDate: date(),
      validFrom: date(),
      validTo: rng.next() < 0.1 ? null : date(),
    }),
  ];

  it('gives back every card of 2000, of all kinds', () => {
    for (let i = 0; i < 2000; i++) {
      const card = cards[i % cards.length]!();
      const text = encodeIdentityText(card);
      expect(text).toHaveLength(256);
      expect(parseIdentityText(text)).toEqual(card);
      const frame = encodeBaseInfo({ identity: card, photo: placeholderPhoto(), fingerprint: i % 3 === 0 ? new Uint8Array(512) : undefined });
      expect(decodeIdentity(frame)).toEqual(card);
    }
  });
});

describe('code tables', () => {
  it('gender codes of GB/T 2261.1', () => {
    expect(Object.keys(GENDERS).sort()).toEqual(['0', '1', '2', '9']);
    expect(genderName('2')).toEqual({ zh: '女', en: 'Female' });
    expect(genderName('7')).toBeUndefined();
  });

  it('the 56 ethnicities of GB 3304, plus 97 and 98 keyed by code', () => {
    expect(Object.keys(NATIONS)).toHaveLength(58);
    expect(nationName('56')?.zh).toBe('基诺');
    expect(nationName('46')?.zh).toBe('德昂');
    expect(nationName('97')?.zh).toBe('其他');
    expect(nationName('98')?.zh).toBe('外国血统中国籍人士');
    expect(nationName('57')).toBeUndefined();
    expect(nationName('')).toBeUndefined();
  });
});
