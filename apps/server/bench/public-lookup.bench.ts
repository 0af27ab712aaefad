// The public endpoints under load, over loopback: the credit lookup (公共查询: ID number and name,
// rate-limited per address and logged) and a proof's status (what the verify page asks after
// scanning a proof's QR code). The real app on a real SQLite file, its rate limit raised for the
// bench's one address (a budget passed in code, as no configuration can); the clients run in a
// worker thread, CLIENTS requests in flight at once over keep-alive connections (and one alone).
import http from 'node:http';
import fs from 'node:fs';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { createApp } from '../src/app.ts';
import { openSqlite } from '../src/db/connect.ts';
import { IdNumberVault, randomKeys } from '../src/pii.ts';
import { ProofSigner } from '../src/proof-key.ts';
import { issueCreditProofs } from '../src/repositories/proofs.ts';
import { seedDemo } from '../src/seed.ts';

const CLIENTS = Number(process.env.LOOKUP_BENCH_CLIENTS ?? 32);
const SECONDS = Number(process.env.LOOKUP_BENCH_SECONDS ?? 8);
const bench = (name: string, value: number, unit: string) => console.log(`BENCH ${JSON.stringify({ name, value: Math.round(value * 100) / 100, unit })}`);

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'opencme-bench-lookup-'));
const { db } = await openSqlite(path.join(dir, 'opencme.sqlite'));
const vault = new IdNumberVault(randomKeys());
const signer = await ProofSigner.generate();
await seedDemo(db, vault, new Date());
const someone = await db
  .selectFrom('persons')
  .select(['id', 'name', 'id_number_enc'])
  .where('registration_status', '=', 'approved')
  .where('id', 'in', db.selectFrom('ledger_entries').select('person_id'))
  .executeTakeFirstOrThrow();
const by = await db.selectFrom('users').select('id').where('role', '=', 'unit-admin').executeTakeFirstOrThrow();
const year = (await db.selectFrom('ledger_entries').select('cme_year').where('person_id', '=', someone.id).executeTakeFirstOrThrow()).cme_year;
const [proof] = await issueCreditProofs(db, signer, { personIds: [someone.id], fromYear: year, toYear: year, by: by.id, at: new Date() });

const server = http.createServer(
  createApp({
    db,
    vault,
    proofSigner: signer,
    publicUrl: 'http://localhost',
    dialect: 'sqlite',
    now: () => new Date(),
    staticDir: null,
    limits: { lookup: { limit: 1_000_000_000, windowMs: 3_600_000 } },
  }),
);
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1');
await new Promise((resolve) => server.once('listening', resolve));
const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

// The load: each client sends its next request when the last is answered. Plain JavaScript for the
// worker (it is not compiled); Node's fetch keeps its connections alive.
const LOAD = `
const { parentPort, workerData } = require('node:worker_threads');
const { url, body, clients, seconds } = workerData;
const latencies = [];
let failed = 0;
const until = performance.now() + seconds * 1000;
async function client() {
  while (performance.now() < until) {
    const t = performance.now();
    const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    await res.arrayBuffer();
    if (res.status !== 200) failed += 1;
    latencies.push(performance.now() - t);
  }
}
Promise.all(Array.from({ length: clients }, client)).then(() => parentPort.postMessage({ latencies, failed }));
`;

async function load(name: string, procedure: string, input: unknown, clients = CLIENTS) {
  // A short warm-up first: the first requests open connections and compile.
  for (const seconds of [1, SECONDS]) {
    const worker = new Worker(LOAD, {
      eval: true,
      workerData: { url: `${url}/trpc/${procedure}`, body: JSON.stringify({ json: input }), clients, seconds },
    });
    const { latencies, failed } = await new Promise<{ latencies: number[]; failed: number }>((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
    });
    if (seconds === 1) continue;
    if (failed > 0) throw new Error(`${name}: ${failed} requests failed`);
    latencies.sort((a, b) => a - b);
    bench(`${name}: throughput, ${clients} client${clients > 1 ? 's' : ''}`, latencies.length / seconds, 'req/s');
    bench(`${name}: p50, ${clients} client${clients > 1 ? 's' : ''}`, latencies[Math.floor(latencies.length * 0.5)]!, 'ms');
    bench(`${name}: p99, ${clients} client${clients > 1 ? 's' : ''}`, latencies[Math.floor(latencies.length * 0.99)]!, 'ms');
  }
}

console.error(`[bench] load from ${CLIENTS} clients for ${SECONDS} s each`);
const lookup = { idNumber: vault.decrypt(someone.id_number_enc), name: someone.name };
// One client alone measures a request's own cost (its p50 is the server's time per request, plus the loopback).
await load('public credit lookup', 'lookup.credits', lookup, 1);
await load('public credit lookup', 'lookup.credits', lookup);
await load('proof status (verify page)', 'proofs.status', { proofId: proof!.payload.id });
bench('public lookup: goal throughput', 2000, 'req/s');
bench('public lookup: goal p99', 20, 'ms');

server.close();
server.closeAllConnections();
await db.destroy();
fs.rmSync(dir, { recursive: true, force: true });
