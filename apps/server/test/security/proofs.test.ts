// Proofs a verifier can trust (issue 9): the address printed on a proof is the configured one
// whatever Host header the printing request carried, and a withdrawn signing key no longer
// verifies anything, by the key list the server publishes with each key's validity (a replaced
// key's validity ends, and what it signed before still verifies).
import { execFile, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { publishedProofKeysSchema, verifyProofCode } from '@opencme/core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ProofSigner } from '../../src/proof-key.ts';
import { publishedProofKeys } from '../../src/repositories/proof-keys.ts';
import { type Client, startServer, type TestServer } from '../harness.ts';
import { printedCode } from '../pdf.ts';

// Seeding the demo and rendering PDFs is slow when other work shares the two cores.
vi.setConfig({ hookTimeout: 60_000, testTimeout: 60_000 });

let server: TestServer;
let cookie: string;
let admin: Client;
let personId: string;
let dir: string;

beforeAll(async () => {
  server = await startServer();
  cookie = await server.login({ login: 'admin', password: 'opencme-demo' });
  admin = server.client({ cookie });
  personId = (await server.db.selectFrom('persons').select('id').where('cme_number', 'is not', null).executeTakeFirstOrThrow()).id;
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'opencme-proof-security-'));
});
afterAll(async () => {
  await server.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

/** A tRPC mutation sent with a Host header of the caller's choosing (fetch will not send one). */
function mutateWithHost(procedure: string, input: unknown, host: string): Promise<{ jobId: string }> {
  const body = JSON.stringify({ json: input });
  return new Promise((resolve, reject) => {
    const req = http.request(
      `${server.url}/trpc/${procedure}`,
      { method: 'POST', headers: { host, cookie, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } },
      (res) => {
        let text = '';
        res.on('data', (d) => (text += String(d)));
        res.on('end', () => {
          const parsed = JSON.parse(text) as { result?: { data: { json: { jobId: string } } } };
          if (parsed.result) resolve(parsed.result.data.json);
          else reject(new Error(text));
        });
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** Waits for a print job and returns its PDF's text, as pdftotext reads it. */
async function printedText(jobId: string, on = { url: server.url, admin, cookie }): Promise<string> {
  for (let i = 0; i < 300; i++) {
    const status = await on.admin.proofs.job.query({ jobId });
    if (status.downloadUrl) {
      const file = path.join(dir, `${jobId}.pdf`);
      fs.writeFileSync(file, Buffer.from(await (await fetch(`${on.url}${status.downloadUrl}`, { headers: { cookie: on.cookie } })).arrayBuffer()));
      return execFileSync('pdftotext', ['-layout', file, '-'], { encoding: 'utf8' });
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('print job did not finish');
}

describe('the verify address printed on a proof', () => {
  it('is the configured one, not the Host header of the request that printed it', async () => {
    const { jobId } = await mutateWithHost('proofs.printPerson', { personId, fromYear: 2026, toYear: 2026 }, 'cme-verify.attacker.example');
    // The address wraps over lines under the QR code.
    const text = (await printedText(jobId)).replace(/\s+/g, '');
    expect(text).not.toContain('attacker.example');
    expect(text).toContain(`打开${server.url}/verify粘贴`);
  });
});

const publishedKeys = async () => publishedProofKeysSchema.parse(await (await fetch(`${server.url}/.well-known/opencme-proof-keys.json`)).json()).keys;

describe('a withdrawn signing key', () => {
  it('is published with its validity, and once withdrawn verifies nothing it signed and signs nothing more', async () => {
    const { jobId } = await admin.proofs.printPerson.mutate({ personId, fromYear: 2026, toYear: 2026 });
    const code = printedCode(await printedText(jobId));
    const before = await publishedKeys();
    expect(before).toEqual([
      expect.objectContaining({ keyId: server.proofSigner.keyId, notBefore: server.clock.now.toISOString(), notAfter: null, withdrawnAt: null }),
    ]);
    expect((await verifyProofCode(code, before)).ok).toBe(true);

    // The operator withdraws it with the server's own command, against the server's data folder.
    const command = path.resolve(import.meta.dirname, '../../src/withdraw-proof-key.ts');
    // Not execFileSync: a blocked event loop lets the server's keep-alive timer and the client's next
    // request meet on one socket, and the request fails ("fetch failed") on a loaded machine.
    await promisify(execFile)(process.execPath, [command, server.proofSigner.keyId, '数据目录副本外泄'], {
      env: { ...process.env, ...server.databaseEnv },
      encoding: 'utf8',
    });

    const after = await publishedKeys();
    expect(after).toEqual([expect.objectContaining({ keyId: server.proofSigner.keyId, withdrawnAt: expect.any(String), notAfter: expect.any(String) })]);
    expect(await verifyProofCode(code, after)).toEqual({ ok: false, reason: 'withdrawn-key' });
    await expect(admin.proofs.printPerson.mutate({ personId, fromYear: 2026, toYear: 2026 })).rejects.toThrow('proof-keys.proof-signing-key-withdrawn-system');
  });
});

describe('a replaced signing key', () => {
  it('ends its validity when a new key signs, and its earlier proofs still verify', async () => {
    // A server of its own: the one above has had its key withdrawn.
    const other = await startServer();
    try {
      const otherCookie = await other.login({ login: 'admin', password: 'opencme-demo' });
      const otherAdmin = other.client({ cookie: otherCookie });
      const someone = (await other.db.selectFrom('persons').select('id').where('cme_number', 'is not', null).executeTakeFirstOrThrow()).id;
      const { jobId } = await otherAdmin.proofs.printPerson.mutate({ personId: someone, fromYear: 2026, toYear: 2026 });
      const code = printedCode(await printedText(jobId, { url: other.url, admin: otherAdmin, cookie: otherCookie }));
      // The operator replaced the key file: the server starts with a new key on the same database.
      const successor = await ProofSigner.generate();
      const keys = (await publishedProofKeys(other.db, successor, new Date('2026-12-01T02:00:00Z'))).keys;
      expect(keys.map((k) => [k.keyId, k.notAfter, k.withdrawnAt])).toEqual([
        [successor.keyId, null, null],
        [other.proofSigner.keyId, '2026-12-01T02:00:00.000Z', null],
      ]);
      expect((await verifyProofCode(code, keys)).ok).toBe(true);
    } finally {
      await other.close();
    }
  });
});
