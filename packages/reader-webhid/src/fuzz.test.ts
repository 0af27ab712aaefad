// 100 000 random and mutated inputs through every decoder: each either decodes or throws a
// ReaderError. Any other exception, or a hang (the test's timeout), fails the test.
import { describe, expect, it } from 'vitest';
import { FrameAssembler } from './assembler.ts';
import { decodeBaseInfo, encodeBaseInfo } from './base-info.ts';
import { decodeCcidMessage } from './ccid.ts';
import { ReaderError } from './errors.ts';
import { decodeCommand, decodeFrame, encodeAnswer, xorChecksum } from './frame.ts';
import { parseIdentityText } from './identity.ts';
import { decodeSamId } from './sam-id.ts';
import { placeholderPhoto } from './simulators/sam.ts';
import { SAMPLE_FOREIGN_2023, SAMPLE_FOREIGN_OLD, SAMPLE_HMT_PERMIT, SAMPLE_RESIDENT } from './simulators/sample-cards.ts';
import { Prng } from './testing/prng.ts';
import { TV11_HEX } from './testing/tv11.ts';
import { hex } from './testing/hex.ts';
import { unwrapHidAnswer, unwrapHidCommand } from './transports/hid-packet.ts';
import { parseUid } from './uid.ts';

const SEEDS: Uint8Array[] = [
  hex(TV11_HEX),
  hex('AA AA AA 96 69 00 08 00 00 9F 00 00 00 00 97'),
  hex('AA AA AA 96 69 00 14 00 00 90 05 00 01 00 A2 B7 32 01 4E 61 BC 00 D2 02 96 49 3A'),
  ...[SAMPLE_HMT_PERMIT, SAMPLE_FOREIGN_OLD, SAMPLE_FOREIGN_2023].map((identity) =>
    encodeBaseInfo({ identity, photo: placeholderPhoto(), fingerprint: new Uint8Array(512) }),
  ),
  encodeBaseInfo({ identity: SAMPLE_RESIDENT, photo: placeholderPhoto(), fingerprint: new Uint8Array(0) }),
];

/** A seed frame with a few bytes changed, inserted or dropped; the checksum is often repaired so the parsers behind it run. */
function mutate(rng: Prng, frame: Uint8Array): Uint8Array {
  let out = frame.slice();
  for (let n = rng.int(1, 4); n > 0 && out.length > 1; n--) {
    const at = rng.int(0, out.length - 1);
    const kind = rng.int(0, 9);
    if (kind < 6) {
      out[at] = rng.int(0, 255);
    } else if (kind < 7) {
      const grown = new Uint8Array(out.length + 1);
      grown.set(out.subarray(0, at));
      grown[at] = rng.int(0, 255);
      grown.set(out.subarray(at), at + 1);
      out = grown;
    } else if (kind < 8) {
      const shrunk = new Uint8Array(out.length - 1);
      shrunk.set(out.subarray(0, at));
      shrunk.set(out.subarray(at + 1), at);
      out = shrunk;
    } else if (kind < 9) {
      out = out.slice(0, Math.max(at, 1));
    } else {
      // Text bytes made into characters the parsers must cope with: marker letters, digits, NUL.
      out[at] = rng.pick([0x00, 0x20, 0x39, 0x49, 0x4a, 0x59, 0x7f, 0x95]);
    }
  }
  if (out.length > 7 && rng.next() < 0.6) {
    const len = out.length - 7;
    out[5] = len >> 8;
    out[6] = len & 0xff;
    out[out.length - 1] = xorChecksum(out, 5, out.length - 1);
  }
  return out;
}

function randomInput(rng: Prng): Uint8Array {
  const r = rng.next();
  if (r < 0.55) return mutate(rng, rng.pick(SEEDS));
  if (r < 0.75) return rng.bytes(rng.int(0, 80));
  // A well-formed frame around random data: reaches every layout check.
  return encodeAnswer({ sw3: rng.pick([0x90, 0x9f, 0x41, rng.int(0, 255)]), data: rng.bytes(rng.pick([0, 4, 16, 1284, 1286, rng.int(0, 3000)])) });
}

const DECODERS: ((bytes: Uint8Array) => unknown)[] = [
  decodeFrame,
  decodeCommand,
  decodeBaseInfo,
  decodeSamId,
  (bytes) => parseIdentityText(bytes.subarray(14, 270)),
  (bytes) => unwrapHidAnswer(bytes.subarray(0, 64)),
  (bytes) => unwrapHidCommand(bytes.subarray(0, 64)),
  decodeCcidMessage,
  (bytes) => parseUid(String.fromCharCode(...bytes.subarray(0, 24)), 'hex'),
  (bytes) => parseUid(String.fromCharCode(...bytes.subarray(0, 12).map((b) => 0x30 + (b % 12))), 'dec-le'),
];

describe('fuzz', () => {
  it('100 000 random and mutated inputs give only ReaderErrors', () => {
    const rng = new Prng(0x0c3e);
    const assembler = new FrameAssembler();
    let decoded = 0;
    let refused = 0;
    for (let i = 0; i < 100_000; i++) {
      const input = randomInput(rng);
      const decode = DECODERS[i % DECODERS.length]!;
      try {
        decode(input);
        decoded++;
      } catch (error) {
        if (!(error instanceof ReaderError)) throw new Error(`input ${i} threw ${String(error)}`, { cause: error });
        refused++;
      }
      // The assembler never throws: it reports bad frames as items and keeps going.
      for (let at = 0; at < input.length; at += 97) assembler.push(input.subarray(at, at + 97));
    }
    // Both outcomes were exercised.
    expect(decoded).toBeGreaterThan(5_000);
    expect(refused).toBeGreaterThan(5_000);
    // It takes about 3 s; a decoder that loops forever fails by this timeout.
  }, 15_000);
});
