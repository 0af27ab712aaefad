// The staff list (人员信息库) of one unit of 200 000, paged by keyset: the first, a middle and the
// last page in each order the list offers, both ways, with the whole list's count. Names repeat
// (ties on the sort key), as they do in a province.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { formatCmeNumber } from '@opencme/core';
import { openSqlite } from '../src/db/connect.ts';
import { IdNumberVault, randomKeys } from '../src/pii.ts';
import { encodeStaffCursor, searchStaff, STAFF_SORTS } from '../src/repositories/registry.ts';

const STAFF = Number(process.env.STAFF_BENCH_STAFF ?? 200_000);
const DEPARTMENTS = 40;
const bench = (name: string, value: number, unit: string) => console.log(`BENCH ${JSON.stringify({ name, value: Math.round(value * 100) / 100, unit })}`);

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'opencme-bench-staff-list-'));
const { db, sqlite } = await openSqlite(path.join(dir, 'opencme.sqlite'));
const vault = new IdNumberVault(randomKeys());
const at = new Date().toISOString();

// Raw inserts: the data is the setting, not the test.
const org = sqlite.prepare('insert into organisations (id, parent_id, kind, name, credit_code, created_at) values (?, ?, ?, ?, null, ?)');
const person = sqlite.prepare(`insert into persons (id, name, gender, id_number_enc, id_number_index, id_number_masked, phone, institution_id,
  department_id, title, category, cme_number, photo_hash, version, created_at, updated_at, registration_status)
  values (?, ?, 'female', 'v1:bench', ?, '340***********0000', null, 'u', ?, '主治医师', 'doctor', ?, null, 0, ?, ?, 'approved')`);
const SURNAMES = '王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗';
const GIVEN = '伟芳娜敏静丽强磊军洋勇艳杰娟涛明超霞平刚';
sqlite.transaction(() => {
  org.run('p', null, 'province', '安徽省', at);
  org.run('u', 'p', 'institution', '省立医院', at);
  for (let d = 0; d < DEPARTMENTS; d++) org.run(`d${d}`, 'u', 'department', `科室${(d * 7) % DEPARTMENTS}`, at);
  for (let n = 0; n < STAFF; n++) {
    // 8 000 names for 200 000 people; one in 50 has no department, one in 40 no card number yet.
    const name = SURNAMES[n % 20]! + GIVEN[Math.floor(n / 20) % 20]! + GIVEN[Math.floor(n / 400) % 20]!;
    const updated = new Date(Date.parse('2026-01-01T00:00:00Z') + (n % 5000) * 60_000).toISOString();
    const cme = n % 40 === 0 ? null : formatCmeNumber({ provinceCode: '34', year: 2025, serial: ((n * 7919) % STAFF) + 1 });
    person.run(`s${n}`, name, `idx${n}`, n % 50 === 0 ? null : `d${n % DEPARTMENTS}`, cme, at, updated);
  }
})();
sqlite.exec('analyze');

const list = { scope: { institutionIds: ['u'] }, query: '', status: 'approved' as const, pageSize: 50 };
/** Best and median of 7, in ms. */
async function timed(run: () => Promise<unknown>): Promise<{ best: number; median: number }> {
  const times: number[] = [];
  for (let i = 0; i < 7; i++) {
    const t = performance.now();
    await run();
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  return { best: times[0]!, median: times[3]! };
}

// A cursor in the middle of each order, taken from the list itself: the 2 000th page's start.
let worst = 0;
for (const sort of STAFF_SORTS) {
  for (const descending of [false, true]) {
    const way = `${sort}${descending ? ' desc' : ''}`;
    const firstPage = await searchStaff(db, vault, { ...list, sort, descending });
    if (firstPage.rows.length !== 50 || firstPage.total !== STAFF) throw new Error(`${way}: first page wrong`);
    let cursor = firstPage.next;
    for (let i = 0; i < 10; i++) cursor = (await searchStaff(db, vault, { ...list, sort, descending, after: cursor })).next;
    const middleRow = await db
      .selectFrom('persons')
      .select(['id', 'name', 'department_id', 'cme_number', 'updated_at'])
      .where('id', '=', `s${Math.floor(STAFF / 2) + 7}`)
      .executeTakeFirstOrThrow();
    const middle = encodeStaffCursor({
      o: sort,
      d: descending,
      g: sort === 'department' ? middleRow.department_id : sort === 'cmeNumber' ? (middleRow.cme_number ? 'set' : null) : null,
      k: sort === 'cmeNumber' ? middleRow.cme_number : sort === 'updatedAt' ? middleRow.updated_at : middleRow.name,
      i: middleRow.id,
    });
    const first = await timed(() => searchStaff(db, vault, { ...list, sort, descending }));
    // Turning pages, the kiosk has the count already (it asks it with a list's first page).
    const next = await timed(() => searchStaff(db, vault, { ...list, sort, descending, after: middle, count: false }));
    const previous = await timed(() => searchStaff(db, vault, { ...list, sort, descending, before: middle, count: false }));
    bench(`staff list ${STAFF / 1000}k by ${way}: first page, with the count (median)`, first.median, 'ms');
    bench(`staff list ${STAFF / 1000}k by ${way}: a middle page, next (median)`, next.median, 'ms');
    bench(`staff list ${STAFF / 1000}k by ${way}: a middle page, previous (median)`, previous.median, 'ms');
    worst = Math.max(worst, first.median, next.median, previous.median);
  }
}
bench(`staff list ${STAFF / 1000}k: slowest page of any order`, worst, 'ms');
bench('staff list: goal', 20, 'ms');
const count = await timed(() =>
  db
    .selectFrom('persons')
    .select((eb) => eb.fn.countAll().as('n'))
    .where('institution_id', '=', 'u')
    .where('registration_status', '=', 'approved')
    .execute(),
);
bench(`staff list ${STAFF / 1000}k: of which the count (median)`, count.median, 'ms');

await db.destroy();
fs.rmSync(dir, { recursive: true, force: true });
