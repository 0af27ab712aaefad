import { describe, expect, it } from 'vitest';
import { commandFrame } from '../commands.ts';
import { hex, toHex } from '../testing/hex.ts';
import { TV11_HEX } from '../testing/tv11.ts';
import { HID_ANSWER_CHUNK, unwrapHidAnswer, unwrapHidCommand, wrapHidAnswer, wrapHidCommand } from './hid-packet.ts';

describe('the Miaxis HID wrapper (readers.md §1.7)', () => {
  it('TV-14 wraps find-card: L = frame + 1, command B1, SUM16 03FF little-endian, zero-padded to 64', () => {
    const report = wrapHidCommand(commandFrame('findCard'));
    expect(report).toHaveLength(64);
    expect(toHex(report.subarray(0, 18))).toBe('88 00 00 0B 00 B1 AA AA AA 96 69 00 03 20 01 22 FF 03');
    expect(report.subarray(18).every((b) => b === 0)).toBe(true);
    expect(unwrapHidCommand(report)).toEqual(commandFrame('findCard'));
  });

  it('spreads the 1295-byte answer over 24 reports of up to 54 frame bytes', () => {
    const answer = hex(TV11_HEX);
    const reports: Uint8Array[] = [];
    for (let at = 0, index = 0; at < answer.length; at += HID_ANSWER_CHUNK, index++)
      reports.push(wrapHidAnswer({ chunk: answer.subarray(at, at + HID_ANSWER_CHUNK), index }));
    expect(reports).toHaveLength(24);
    expect(toHex(reports[0]!.subarray(0, 13))).toBe('AA 00 00 39 00 00 00 00 AA AA AA 96 69');
    const joined = reports.flatMap((r) => [...unwrapHidAnswer(r)]);
    expect(Uint8Array.from(joined)).toEqual(answer);
  });

  it.each([
    ['a host packet taken for a device packet', () => unwrapHidAnswer(wrapHidCommand(commandFrame('findCard')))],
    ['a report that is not 64 bytes', () => unwrapHidAnswer(new Uint8Array(63))],
    [
      'a wrong sum',
      () => {
        const report = wrapHidAnswer({ chunk: Uint8Array.of(1, 2, 3), index: 0 });
        report[9]! ^= 1;
        return unwrapHidAnswer(report);
      },
    ],
    [
      'a length past the end of the report',
      () => {
        const report = wrapHidAnswer({ chunk: Uint8Array.of(1, 2, 3), index: 0 });
        report[3] = 60;
        return unwrapHidAnswer(report);
      },
    ],
    [
      'a command other than B1',
      () => {
        const report = wrapHidCommand(commandFrame('findCard'));
        report[5] = 0xb0;
        report[16] = (report[16]! - 1) & 0xff;
        return unwrapHidCommand(report);
      },
    ],
    ['a command frame too long for one report', () => wrapHidCommand(new Uint8Array(60))],
  ])('refuses %s', (_, run) => {
    expect(run).toThrow(expect.objectContaining({ code: 'bad-packet' }));
  });
});
