// `npm run chaos`: the chaos suite at full size (apps/server/bench/chaos.bench.ts: 20 kiosks,
// 100 000 taps, the server killed mid-batch), printed as `npm run bench` prints its table.
// CHAOS_KIOSKS, CHAOS_TAPS and CHAOS_KILLS change the size.
import { spawnSync } from 'node:child_process';
import path from 'node:path';

const res = spawnSync(process.execPath, [path.join(import.meta.dirname, 'bench.ts'), 'chaos'], { stdio: 'inherit' });
process.exit(res.status ?? 1);
