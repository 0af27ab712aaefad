import { describe, expect, it } from 'vitest';
import { SAM_COMMANDS, commandFrame } from './commands.ts';
import { ReaderError } from './errors.ts';
import { decodeCommand, decodeFrame, encodeAnswer, encodeCommand } from './frame.ts';
import { hex, toHex } from './testing/hex.ts';

function codeOf(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(ReaderError);
    return (error as ReaderError).code;
  }
  throw new Error('expected a ReaderError');
}

describe('encodeCommand (readers.md §5)', () => {
  it.each([
    ['TV-01 find card', 0x20, 0x01, 'AA AA AA 96 69 00 03 20 01 22'],
    ['TV-02 select card', 0x20, 0x02, 'AA AA AA 96 69 00 03 20 02 21'],
    ['TV-03 read base info', 0x30, 0x01, 'AA AA AA 96 69 00 03 30 01 32'],
    ['TV-04 read with fingerprint', 0x30, 0x10, 'AA AA AA 96 69 00 03 30 10 23'],
    ['TV-05 SAM status', 0x11, 0xff, 'AA AA AA 96 69 00 03 11 FF ED'],
    ['TV-05 SAM id', 0x12, 0xff, 'AA AA AA 96 69 00 03 12 FF EE'],
    ['TV-05 reset', 0x10, 0xff, 'AA AA AA 96 69 00 03 10 FF EC'],
  ])('%s', (_, cmd, para, expected) => {
    expect(toHex(encodeCommand(cmd, para))).toBe(expected);
  });

  it('TV-06 set RF max bytes carries one data byte', () => {
    expect(toHex(encodeCommand(0x61, 0xff, Uint8Array.of(0x50)))).toBe('AA AA AA 96 69 00 04 61 FF 50 CA');
  });

  it('names the commands of the reading cycle with their frames', () => {
    expect(toHex(commandFrame('findCard'))).toBe('AA AA AA 96 69 00 03 20 01 22');
    expect(toHex(commandFrame('readBaseInfoWithFingerprint'))).toBe('AA AA AA 96 69 00 03 30 10 23');
    expect(SAM_COMMANDS.selectCard).toEqual({ cmd: 0x20, para: 0x02 });
  });

  it('refuses a frame longer than any answer the standard has', () => {
    expect(codeOf(() => encodeCommand(0x30, 0x01, new Uint8Array(6000)))).toBe('bad-length');
  });
});

describe('decodeFrame (readers.md §5)', () => {
  it('TV-07 find OK: 9F with a 4-byte IIN', () => {
    const answer = decodeFrame(hex('AA AA AA 96 69 00 08 00 00 9F 00 00 00 00 97'));
    expect(answer).toEqual({ sw1: 0, sw2: 0, sw3: 0x9f, data: new Uint8Array(4) });
  });

  it('TV-08 select OK: 90 with 8 data bytes', () => {
    const answer = decodeFrame(hex('AA AA AA 96 69 00 0C 00 00 90 00 00 00 00 00 00 00 00 9C'));
    expect(answer.sw3).toBe(0x90);
    expect(answer.data).toHaveLength(8);
  });

  it.each([
    ['find failed', 'AA AA AA 96 69 00 04 00 00 80 84', 0x80],
    ['select failed', 'AA AA AA 96 69 00 04 00 00 81 85', 0x81],
    ['read failed', 'AA AA AA 96 69 00 04 00 00 41 45', 0x41],
    ['card authentication failed', 'AA AA AA 96 69 00 04 00 00 31 35', 0x31],
  ])('TV-09 %s decodes; its SW3 says so', (_, frame, sw3) => {
    expect(decodeFrame(hex(frame))).toEqual({ sw1: 0, sw2: 0, sw3, data: new Uint8Array(0) });
  });

  it('TV-10 SAM status OK', () => {
    expect(decodeFrame(hex('AA AA AA 96 69 00 04 00 00 90 94')).sw3).toBe(0x90);
  });

  it('TV-13 rejects the wrong find-card checksum seen in a libusb test program', () => {
    expect(codeOf(() => decodeCommand(hex('AA AA AA 96 69 00 03 20 01 21')))).toBe('bad-checksum');
    expect(codeOf(() => decodeFrame(hex('AA AA AA 96 69 00 03 20 01 21')))).toBe('bad-checksum');
  });

  it('rejects "20 00 22": a checksum that would only fit another command', () => {
    expect(codeOf(() => decodeCommand(hex('AA AA AA 96 69 00 03 20 00 22')))).toBe('bad-checksum');
  });

  it('rejects the CVR-100AU variant, whose checksum is a two’s-complement sum', () => {
    expect(codeOf(() => decodeCommand(hex('AA AA AA 96 69 00 03 00 81 7C')))).toBe('bad-checksum');
  });

  it('accepts the vendor two-byte frames as framing but not as commands', () => {
    expect(codeOf(() => decodeCommand(hex('AA AA AA 96 69 00 02 00 02')))).toBe('bad-length');
  });

  it.each([
    ['a missing preamble byte', 'AA AA 96 69 00 04 00 00 90 94', 'bad-preamble'],
    ['a wrong preamble', 'AA AA AA 69 96 00 04 00 00 90 94', 'bad-preamble'],
    ['a frame shorter than its header', 'AA AA AA 96', 'bad-preamble'],
    ['a length larger than the frame', 'AA AA AA 96 69 00 05 00 00 90 94', 'bad-length'],
    ['a length smaller than the frame', 'AA AA AA 96 69 00 03 00 00 90 94', 'bad-length'],
    ['a body too short for SW1 SW2 SW3', 'AA AA AA 96 69 00 03 00 90 93', 'bad-length'],
    ['a flipped data bit', 'AA AA AA 96 69 00 08 00 00 9F 00 01 00 00 97', 'bad-checksum'],
  ])('rejects %s', (_, frame, code) => {
    expect(codeOf(() => decodeFrame(hex(frame)))).toBe(code);
  });

  it('says what went wrong as a message key with the bytes as parameters, for the app to word', () => {
    try {
      decodeFrame(hex('AA AA AA 96 69 00 03 20 01 21'));
    } catch (error) {
      expect(error).toMatchObject({ messageKey: 'reader.frame.bad-checksum', params: { expected: '22', actual: '21' } });
    }
    expect.assertions(1);
  });

  it('decodes what encodeAnswer builds', () => {
    const data = Uint8Array.of(1, 2, 3);
    expect(decodeFrame(encodeAnswer({ sw1: 0x62, sw2: 0x83, sw3: 0x41, data }))).toEqual({ sw1: 0x62, sw2: 0x83, sw3: 0x41, data });
  });
});
