// `npm run bench`: runs every benchmark of the repository (`**/bench/*.bench.ts`) and prints one
// table. A benchmark prints its measurements as lines `BENCH {"name","value","unit"}`.
// `node scripts/bench.ts WORD` runs only the benchmarks whose file name has WORD in it.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const ROOT = path.resolve(import.meta.dirname, '..');

interface Row {
  file: string;
  name: string;
  value: number;
  unit: string;
}

const only = process.argv[2] ?? '';
const files = ['apps', 'packages']
  .flatMap((top) => fs.readdirSync(path.join(ROOT, top)).map((d) => path.join(top, d, 'bench')))
  .filter((dir) => fs.existsSync(path.join(ROOT, dir)))
  .flatMap((dir) =>
    fs
      .readdirSync(path.join(ROOT, dir))
      .filter((f) => f.endsWith('.bench.ts') && f.includes(only))
      .map((f) => path.join(dir, f)),
  )
  .sort();

const rows: Row[] = [];
let failures = 0;
for (const file of files) {
  console.error(`[bench] ${file}`);
  const res = spawnSync(process.execPath, [path.join(ROOT, file)], {
    cwd: ROOT,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    maxBuffer: 64 * 1024 * 1024,
  });
  if (res.status !== 0) {
    failures += 1;
    console.error(`[bench] ${file} failed with status ${res.status}`);
  }
  for (const line of res.stdout.split('\n')) {
    if (!line.startsWith('BENCH ')) continue;
    const { name, value, unit } = JSON.parse(line.slice(6)) as Omit<Row, 'file'>;
    rows.push({ file, name, value, unit });
  }
}

const format = (n: number) => (n >= 100 ? Math.round(n).toLocaleString('en-US') : n.toPrecision(3));
const table = [['benchmark', 'value', 'unit', 'file'], ...rows.map((r) => [r.name, format(r.value), r.unit, r.file])];
const widths = table[0]!.map((_, i) => Math.max(...table.map((row) => [...row[i]!].length)));
for (const [i, row] of table.entries()) {
  console.log(row.map((cell, c) => (c === 1 ? cell.padStart(widths[c]!) : cell.padEnd(widths[c]!))).join('  '));
  if (i === 0) console.log(widths.map((w) => '-'.repeat(w)).join('  '));
}
process.exit(failures > 0 ? 1 : 0);
