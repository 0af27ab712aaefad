// The staff import of a large hospital: 10 000 rows previewed and committed through the HTTP API
// as the admin page sends them. Goals (issue 11): preview ≤ 3 s, commit ≤ 5 s.
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { idNumberCheckChar } from '@opencme/core';
import ExcelJS from 'exceljs';
import { createApp } from '../src/app.ts';
import { openSqlite } from '../src/db/connect.ts';
import { IdNumberVault, randomKeys } from '../src/pii.ts';
import { ProofSigner } from '../src/proof-key.ts';
import { DEMO_ADMIN, seedDemo } from '../src/seed.ts';

const ROWS = Number(process.env.EXCHANGE_BENCH_ROWS ?? 10_000);

function report(name: string, value: number, unit: string) {
  console.log(`BENCH ${JSON.stringify({ name, value: Math.round(value * 10) / 10, unit })}`);
}

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'opencme-exchange-bench-'));
const { db } = await openSqlite(path.join(dir, 'opencme.sqlite'));
const vault = new IdNumberVault(randomKeys());
await seedDemo(db, vault, new Date());
const server = http.createServer().listen(0);
await new Promise((resolve) => server.once('listening', resolve));
const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
server.on(
  'request',
  createApp({ db, vault, proofSigner: await ProofSigner.generate(), publicUrl: url, dialect: 'sqlite', now: () => new Date(), staticDir: null }),
);

const login = await fetch(`${url}/trpc/auth.login`, {
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify({ json: DEMO_ADMIN }),
});
const cookie = login.headers.get('set-cookie')!.split(';')[0]!;

const DEPARTMENTS = ['心血管内科', '呼吸内科', '普外科', '骨科', '儿科', '妇产科', '急诊科', '麻醉科', '检验科', '放射科'];
const TITLES = ['住院医师', '主治医师', '副主任医师', '主任医师', '护师', '主管护师'];
const book = new ExcelJS.Workbook();
const sheet = book.addWorksheet('人员');
sheet.addRow(['姓名', '性别', '身份证号', '手机号', '科室', '职称', '职称取得时间', '聘任职称', '聘任时间', '学历', '人员类别']);
for (let i = 0; i < ROWS; i++) {
  const first17 = `340104${1960 + (i % 40)}${String(1 + (Math.floor(i / 40) % 12)).padStart(2, '0')}${String(1 + (Math.floor(i / 480) % 28)).padStart(2, '0')}${String(Math.floor(i / 13_440) % 1000).padStart(3, '0')}`;
  const id = first17 + idNumberCheckChar(first17);
  const title = TITLES[i % TITLES.length]!;
  sheet.addRow([
    `职工${'甲乙丙丁戊己庚辛壬癸'[i % 10]}${'子丑寅卯辰巳午未申酉戌亥'[Math.floor(i / 10) % 12]}`,
    Number(id[16]) % 2 ? '男' : '女',
    id,
    `139${String(i).padStart(8, '0')}`,
    DEPARTMENTS[i % DEPARTMENTS.length],
    title,
    '2018-07-01',
    title,
    '2019-01-01',
    '本科',
    title.includes('护') ? '护' : '医',
  ]);
}
const bytes = Buffer.from(await book.xlsx.writeBuffer());

// CPU time beside wall time: on a shared, loaded machine the wall time mostly measures the others.
const cpuSeconds = (since: NodeJS.CpuUsage) => {
  const used = process.cpuUsage(since);
  return (used.user + used.system) / 1e6;
};
let cpu = process.cpuUsage();
let started = performance.now();
const form = new FormData();
form.append('file', new Blob([bytes]), '人员.xlsx');
const previewed = await fetch(`${url}/api/exchange/staff/preview`, { method: 'POST', headers: { cookie, 'x-opencme-upload': '1' }, body: form });
const preview = (await previewed.json()) as { previewId: string; summary: { create: number; rejected: number } };
const previewMs = performance.now() - started;
const previewCpu = cpuSeconds(cpu);
if (preview.summary.create !== ROWS || preview.summary.rejected !== 0) throw new Error(`unexpected preview: ${JSON.stringify(preview.summary)}`);

cpu = process.cpuUsage();
started = performance.now();
const committed = await fetch(`${url}/api/exchange/previews/${preview.previewId}/commit`, { method: 'POST', headers: { cookie, 'x-opencme-upload': '1' } });
const commitMs = performance.now() - started;
const commitCpu = cpuSeconds(cpu);
if (committed.status !== 200) throw new Error(`commit failed: ${committed.status} ${await committed.text()}`);

report(`exchange staff preview, ${ROWS.toLocaleString('en-US')} rows (goal ≤ 3 s)`, previewMs / 1000, 's');
report(`exchange staff commit, ${ROWS.toLocaleString('en-US')} rows (goal ≤ 5 s)`, commitMs / 1000, 's');
report(`exchange staff preview, ${ROWS.toLocaleString('en-US')} rows, CPU time`, previewCpu, 's');
report(`exchange staff commit, ${ROWS.toLocaleString('en-US')} rows, CPU time`, commitCpu, 's');

server.close();
await db.destroy();
fs.rmSync(dir, { recursive: true, force: true });
