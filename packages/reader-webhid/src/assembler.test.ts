import { describe, expect, it } from 'vitest';
import { type Assembled, FrameAssembler } from './assembler.ts';
import { decodeCommand, decodeFrame, encodeAnswer, encodeCommand } from './frame.ts';
import { hex } from './testing/hex.ts';
import { Prng } from './testing/prng.ts';
import { TV11_HEX } from './testing/tv11.ts';

const frames = (items: Assembled[]) => items.flatMap((item) => ('frame' in item ? [item.frame] : []));
const errors = (items: Assembled[]) => items.flatMap((item) => ('error' in item ? [item.error.code] : []));

function feed(assembler: FrameAssembler, bytes: Uint8Array, sizes: readonly number[]): Assembled[] {
  const out: Assembled[] = [];
  for (let at = 0, i = 0; at < bytes.length; i++) {
    const size = sizes[i % sizes.length]!;
    out.push(...assembler.push(bytes.subarray(at, at + size)));
    at += size;
  }
  return out;
}

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

const FIND_OK = hex('AA AA AA 96 69 00 08 00 00 9F 00 00 00 00 97');
const READ = hex(TV11_HEX);

describe('FrameAssembler', () => {
  it('assembles the 1295-byte answer fed one byte at a time', () => {
    const out = feed(new FrameAssembler(), READ, [1]);
    expect(frames(out)).toEqual([READ]);
  });

  it('yields several frames that arrive in one chunk, in order', () => {
    const out = new FrameAssembler().push(concat(FIND_OK, READ, FIND_OK));
    expect(frames(out)).toEqual([FIND_OK, READ, FIND_OK]);
  });

  it('skips garbage before, between and after frames, including stray preamble bytes', () => {
    const garbage = hex('00 FF AA AA 96 AA AA AA 96 12');
    const out = feed(new FrameAssembler(), concat(garbage, FIND_OK, garbage, READ, garbage), [3, 7, 1]);
    expect(frames(out)).toEqual([FIND_OK, READ]);
    expect(errors(out)).toEqual([]);
  });

  it('keeps a preamble split across chunks', () => {
    const assembler = new FrameAssembler();
    expect(assembler.push(FIND_OK.subarray(0, 2))).toEqual([]);
    expect(assembler.push(FIND_OK.subarray(2, 4))).toEqual([]);
    expect(frames(assembler.push(FIND_OK.subarray(4)))).toEqual([FIND_OK]);
  });

  it('reports a corrupted frame and still finds the next one', () => {
    const bad = FIND_OK.slice();
    bad[11]! ^= 0x01;
    const out = new FrameAssembler().push(concat(bad, FIND_OK));
    expect(errors(out)).toEqual(['bad-checksum']);
    expect(frames(out)).toEqual([FIND_OK]);
  });

  it('recovers a real frame swallowed by a noise preamble with a plausible length', () => {
    // The noise claims 20 bytes; the real frame starts inside them.
    const noise = hex('AA AA AA 96 69 00 14 01 02');
    const out = new FrameAssembler().push(concat(noise, FIND_OK, FIND_OK));
    expect(errors(out)).toEqual(['bad-checksum']);
    expect(frames(out)).toEqual([FIND_OK, FIND_OK]);
  });

  it('ignores a preamble whose length no frame can have', () => {
    const out = new FrameAssembler().push(concat(hex('AA AA AA 96 69 FF FF'), FIND_OK));
    expect(frames(out)).toEqual([FIND_OK]);
  });

  it('forgets stale bytes on reset', () => {
    const assembler = new FrameAssembler();
    assembler.push(READ.subarray(0, 500));
    assembler.reset();
    expect(frames(assembler.push(FIND_OK))).toEqual([FIND_OK]);
  });

  it('round-trips random frames: encode, split anywhere, assemble, decode (property)', () => {
    const rng = new Prng(20261122);
    for (let run = 0; run < 300; run++) {
      const sent: { frame: Uint8Array; decode(frame: Uint8Array): unknown; expected: unknown }[] = [];
      const stream: Uint8Array[] = [];
      for (let i = rng.int(1, 5); i > 0; i--) {
        const data = rng.bytes(rng.pick([0, 1, 4, 8, 16, 1288, rng.int(0, 2400)]));
        if (rng.next() < 0.5) {
          const [cmd, para] = [rng.int(0, 255), rng.int(0, 255)];
          sent.push({ frame: encodeCommand(cmd, para, data), decode: decodeCommand, expected: { cmd, para, data } });
        } else {
          const answer = { sw1: rng.int(0, 255), sw2: rng.int(0, 255), sw3: rng.int(0, 255), data };
          sent.push({ frame: encodeAnswer(answer), decode: decodeFrame, expected: answer });
        }
        // Garbage without 0xAA cannot form a preamble, so every frame must come out.
        stream.push(
          rng.bytes(rng.int(0, 12)).map((b) => (b === 0xaa ? 0 : b)),
          sent.at(-1)!.frame,
        );
      }
      const bytes = concat(...stream);
      const out = feed(new FrameAssembler(), bytes, rng.cuts(bytes.length, rng.pick([1, 3, 64, 700])));
      expect(errors(out)).toEqual([]);
      const received = frames(out);
      expect(received).toHaveLength(sent.length);
      for (const [i, item] of sent.entries()) expect(item.decode(received[i]!)).toEqual(item.expected);
    }
  });
});
