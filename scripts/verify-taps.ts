// `node scripts/verify-taps.ts FILE` (Node 24; `npm run verify-taps -- FILE`): checks an export of a
// device's signed taps (GET /api/files/devices/<id>/taps.json) offline, with nothing of OpenCME's
// server: each chain's signatures and links under the public key the export carries. Exit code 0
// when every chain is complete and unbroken, 1 when something is missing or broken, 2 for a file
// that is not an export. The encoding is described in docs/tap-chain.md.
import fs from 'node:fs';
import { TapExport, verifyTapExport } from '@opencme/core';

const REASONS: Record<string, string> = {
  'chain-bad-signature': '签名不符 (its signature fails and no authentic later tap vouches for it)',
  'chain-fork': '分叉 (two taps with one number)',
  'chain-break': '衔接不上 (does not follow its predecessor)',
};

const file = process.argv[2];
if (!file) {
  console.error('usage: node scripts/verify-taps.ts EXPORT.json');
  process.exit(2);
}
const parsed = TapExport.safeParse(JSON.parse(fs.readFileSync(file, 'utf8')));
if (!parsed.success) {
  console.error(`not a tap export: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  process.exit(2);
}
const report = await verifyTapExport(parsed.data);
let whole = report.unknownChainTaps.length === 0;
console.log(`device ${parsed.data.deviceId}, exported ${parsed.data.exportedAt}`);
for (const chain of report.chains) {
  const { state } = chain;
  const ended = chain.endReason ? `ended: ${chain.endReason}` : 'current';
  console.log(
    `chain ${chain.id} (${ended}): ${chain.tapCount} taps, 完整至第 ${state.completeThrough} 条 (complete up to no. ${state.completeThrough}) of ${state.lastSeq}`,
  );
  for (const gap of state.gaps) console.log(`  缺第 ${gap.from === gap.to ? gap.from : `${gap.from}–${gap.to}`} 条 (missing)`);
  for (const b of state.breaks) console.log(`  第 ${b.seq} 条: ${REASONS[b.reason] ?? b.reason}`);
  if (state.completeThrough !== state.lastSeq) whole = false;
}
if (report.unknownChainTaps.length > 0) console.log(`${report.unknownChainTaps.length} taps name no chain of the export`);
console.log(whole ? 'OK: every chain complete and unbroken' : 'NOT WHOLE: see above');
process.exit(whole ? 0 : 1);
