// Exports at provincial scale (issue 11): the staff roster and the ledger of a province, streamed
// as .xlsx into a sink, at 50 000 and at 200 000 rows. Time, and peak memory sampled during the
// run above what the process held before it: the goal is ≤ 10 s for 200 000 rows with memory flat
// in the row count (the 200 000-row export may not need much more than the 50 000-row one).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { openSqlite } from '../src/db/connect.ts';
import { IdNumberVault, randomKeys } from '../src/pii.ts';
import { ledgerWorkbook, staffWorkbook, type Workbook } from '../src/services/exports.ts';
import { streamBook } from '../src/spreadsheet.ts';

const SIZES = [50_000, 200_000] as const;
const UNIT_SIZE = 3_000;
const DEPARTMENTS_PER_UNIT = 15;
const GOAL_S = 10;
const TITLES = ['住院医师', '护师', '主治医师', '主管护师', '副主任医师', '主任医师'];

const bench = (name: string, value: number, unit: string) => console.log(`BENCH ${JSON.stringify({ name, value: Math.round(value * 10) / 10, unit })}`);

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'opencme-bench-export-'));
const { db, sqlite } = await openSqlite(path.join(dir, 'opencme.sqlite'));
const vault = new IdNumberVault(randomKeys());
const at = '2026-06-01T02:00:00.000Z';

// One province per size, each with units of 3 000 staff in 15 departments and one ledger entry
// per person in the period exported. Raw inserts: the data is the setting, not the test.
console.error(`[bench] building ${SIZES.join(' + ')} staff and as many ledger entries`);
const org = sqlite.prepare('insert into organisations (id, parent_id, kind, name, credit_code, created_at) values (?, ?, ?, ?, null, ?)');
const person = sqlite.prepare(`insert into persons (id, name, gender, id_number_enc, id_number_index, id_number_masked, phone, institution_id,
  department_id, title, category, cme_number, photo_hash, version, created_at, updated_at, degree, registration_status)
  values (?, ?, 'female', 'v1:bench', ?, '340***********0000', '13800000000', ?, ?, ?, 'doctor', ?, null, 0, ?, ?, 'bachelor', 'approved')`);
const entry = sqlite.prepare(`insert into ledger_entries (id, person_id, cme_year, credit_class, level, credits, source_kind, source_id, source_label,
  reverses_id, approved_by, approved_at, created_at) values (?, ?, 2026, ?, ?, ?, 'import', ?, '远程教育项目（基准数据）', null, null, ?, ?)`);
for (const [p, size] of SIZES.entries()) {
  sqlite.transaction(() => {
    org.run(`p${p}`, null, 'province', `第${p}省`, at);
    for (let u = 0; u < Math.ceil(size / UNIT_SIZE); u++) {
      const unit = `p${p}u${u}`;
      org.run(unit, `p${p}`, 'institution', `第${p}省第${u}医院`, at);
      for (let d = 0; d < DEPARTMENTS_PER_UNIT; d++) org.run(`${unit}d${d}`, unit, 'department', `科室${d}`, at);
    }
    for (let i = 0; i < size; i++) {
      const unit = `p${p}u${Math.floor(i / UNIT_SIZE)}`;
      const id = `p${p}s${String(i).padStart(7, '0')}`;
      person.run(
        id,
        `职工${i}`,
        `idx${p}-${i}`,
        unit,
        `${unit}d${i % DEPARTMENTS_PER_UNIT}`,
        TITLES[i % TITLES.length],
        `34${p}${String(i).padStart(8, '0')}`,
        at,
        at,
      );
      entry.run(`e${id}`, id, i % 3 ? 'II' : 'I', i % 3 ? null : 'provincial', 1 + (i % 3), `src${id}`, at, at);
    }
  })();
}
sqlite.pragma('optimize');
await db
  .insertInto('users')
  .values({ id: 'bench', login: 'bench', display_name: 'bench', password_hash: 'x', role: 'province-admin', organisation_id: 'p0', created_at: at })
  .execute();

/** A download that keeps nothing: counts the bytes, as a client saving to disk would take them. */
function sink() {
  let bytes = 0;
  const out = new Writable({
    write(chunk: Buffer, _encoding, done) {
      bytes += chunk.length;
      done();
    },
  });
  return { out, bytes: () => bytes };
}

/** Streams a workbook into a sink; the time, the size and the peak RSS and heap above where they stood at the start. */
async function measure(make: () => Promise<Workbook>) {
  const start = process.memoryUsage();
  let rss = start.rss;
  let heap = start.heapUsed;
  const sampler = setInterval(() => {
    const now = process.memoryUsage();
    rss = Math.max(rss, now.rss);
    heap = Math.max(heap, now.heapUsed);
  }, 10);
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  const { out, bytes } = sink();
  const book = await make();
  await streamBook(out, book.sheets);
  const seconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  clearInterval(sampler);
  return {
    seconds,
    cpuSeconds: (cpu.user + cpu.system) / 1e6,
    mb: bytes() / 1024 / 1024,
    rssMb: (rss - start.rss) / 1024 / 1024,
    heapMb: (heap - start.heapUsed) / 1024 / 1024,
  };
}

const user = { id: 'bench', role: 'province-admin' as const, organisationId: '' };
const ctx = (organisationId: string) => ({ db, vault, user: { ...user, organisationId }, now: new Date() });
for (const [p, size] of SIZES.entries()) {
  const rows = size.toLocaleString('en-US');
  const roster = await measure(() => staffWorkbook(ctx(`p${p}`), { organisationId: `p${p}` }));
  bench(`staff roster export, ${rows} rows (goal ≤ ${GOAL_S} s)`, roster.seconds, 's');
  // The process's own CPU time: the wall time above also counts the waits of a machine shared with other work.
  bench(`staff roster export, ${rows} rows: CPU time`, roster.cpuSeconds, 's');
  bench(`staff roster export, ${rows} rows: peak RSS above start`, roster.rssMb, 'MiB');
  bench(`staff roster export, ${rows} rows: peak heap above start`, roster.heapMb, 'MiB');
  bench(`staff roster export, ${rows} rows: file size`, roster.mb, 'MiB');
  const ledger = await measure(() => ledgerWorkbook(ctx(`p${p}`), { organisationId: `p${p}`, from: '2026-01-01', to: '2026-12-31' }));
  bench(`ledger export, ${rows} rows (goal ≤ ${GOAL_S} s)`, ledger.seconds, 's');
  bench(`ledger export, ${rows} rows: CPU time`, ledger.cpuSeconds, 's');
  bench(`ledger export, ${rows} rows: peak RSS above start`, ledger.rssMb, 'MiB');
  bench(`ledger export, ${rows} rows: peak heap above start`, ledger.heapMb, 'MiB');
  if (size === 200_000 && Math.max(roster.seconds, ledger.seconds) > GOAL_S) console.error(`[bench] export of ${rows} rows over the ${GOAL_S} s goal`);
}

await db.destroy();
fs.rmSync(dir, { recursive: true, force: true });
