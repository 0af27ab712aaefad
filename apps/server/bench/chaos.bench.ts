// The chaos suite at full size (`npm run chaos` runs it alone): 20 kiosks push 100 000 taps
// through a proxy that drops, delays and duplicates, while the server is killed (SIGKILL) mid-batch
// five times; lost and doubled taps, and the time, go into the bench table. CHAOS_KIOSKS,
// CHAOS_TAPS and CHAOS_KILLS change the size.
import { benchLines, describe, runChaos } from '../chaos/chaos.ts';

const size = (name: string, fallback: number) => Number(process.env[name] ?? fallback);
const report = await runChaos({
  kiosks: size('CHAOS_KIOSKS', 20),
  taps: size('CHAOS_TAPS', 100_000),
  kills: size('CHAOS_KILLS', 5),
  log: (line) => console.error(`[chaos] ${line}`),
});
for (const line of describe(report)) console.error(`[chaos] ${line}`);
for (const line of benchLines(report)) console.log(line);
if (report.checks.some((c) => !c.ok)) process.exit(1);
