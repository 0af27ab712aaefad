// Decoding speed of the 30 01 answer (1295 bytes: frame check, text parse, photo copy), the work
// done once per ID-card tap. Prints one `BENCH {json}` line per measurement on stdout.
import { decodeBaseInfo, encodeBaseInfo, FrameAssembler, type IdentityCard } from '../src/index.ts';

const identity: IdentityCard = {
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
};
const photo = new Uint8Array(1024);
photo.set([0x57, 0x4c, 0x66, 0x00]);
const frame = encodeBaseInfo({ identity, photo });

function measure(name: string, iterations: number, run: () => unknown): void {
  for (let i = 0; i < iterations / 10; i++) run(); // warm-up
  let best = Number.POSITIVE_INFINITY;
  for (let round = 0; round < 5; round++) {
    const started = process.hrtime.bigint();
    for (let i = 0; i < iterations; i++) run();
    best = Math.min(best, Number(process.hrtime.bigint() - started) / iterations);
  }
  console.error(`${name}: best of 5 rounds of ${iterations}`);
  console.log(`BENCH ${JSON.stringify({ name, value: Math.round(best * 10) / 10, unit: 'ns/frame' })}`);
}

if (frame.length !== 1295) throw new Error(`expected a 1295-byte frame, got ${frame.length}`);
measure('decode 30 01 answer (1295 B)', 50_000, () => decodeBaseInfo(frame));
measure('assemble 30 01 answer from 64-byte chunks', 20_000, () => {
  const assembler = new FrameAssembler();
  for (let at = 0; at < frame.length; at += 64) assembler.push(frame.subarray(at, at + 64));
});
