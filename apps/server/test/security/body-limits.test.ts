// Oversized bodies are refused while they arrive: a 150 MB request is answered 413 before all of
// it is sent and the server's memory barely moves, on the API and on the upload route alike. (How
// fast the refusal comes is a matter for a benchmark: a loaded CI machine makes any time limit flaky.)
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { DEMO_STAFF } from '../../src/seed.ts';
import { startServer, type TestServer } from '../harness.ts';
import { peakGrowthMb, postHuge } from './http.ts';

const HUGE = 150 * 1024 * 1024;
let server: TestServer;
let staffCookie: string;

beforeAll(async () => {
  server = await startServer();
  staffCookie = await server.login(DEMO_STAFF);
}, 60_000);
afterAll(() => server.close());

const targets: { name: string; path: string; headers: Record<string, string>; signedIn?: boolean; prefix: string }[] = [
  { name: 'auth.login (public)', path: '/trpc/auth.login', headers: { 'content-type': 'application/json' }, prefix: '{"json":{"login":"admin","password":"' },
  {
    name: 'a signed-in mutation',
    path: '/trpc/claims.withdraw',
    headers: { 'content-type': 'application/json' },
    signedIn: true,
    prefix: '{"json":{"claimId":"',
  },
  {
    name: 'the photo upload (public)',
    path: '/api/files/photo',
    headers: { 'content-type': 'multipart/form-data; boundary=XyZ', 'x-opencme-upload': '1' },
    prefix: '--XyZ\r\nContent-Disposition: form-data; name="file"; filename="a.jpg"\r\nContent-Type: image/jpeg\r\n\r\n',
  },
  {
    name: 'the evidence upload (signed in)',
    path: '/api/files/evidence',
    headers: { 'content-type': 'multipart/form-data; boundary=XyZ', 'x-opencme-upload': '1' },
    signedIn: true,
    prefix: '--XyZ\r\nContent-Disposition: form-data; name="file"; filename="a.pdf"\r\nContent-Type: application/pdf\r\n\r\n',
  },
];

describe('a 150 MB request', () => {
  for (const target of targets) {
    for (const declareLength of [true, false]) {
      it(`to ${target.name}, ${declareLength ? 'with' : 'without'} a declared length: 413 before all of it is sent, under 50 MB of memory`, async () => {
        const headers: Record<string, string> = { ...target.headers, ...(target.signedIn ? { cookie: staffCookie } : {}) };
        const { result, growthMb } = await peakGrowthMb(() =>
          postHuge(`${server.url}${target.path}`, { headers, totalBytes: HUGE, declareLength, prefix: target.prefix }),
        );
        expect(result.status).toBe(413);
        expect(growthMb).toBeLessThan(50);
        expect(result.sent).toBeLessThan(HUGE);
        expect(result.body).toMatch(/too-large/);
      });
    }
  }

  it('from a client that leaves halfway (a kiosk losing the network) is no server error', async () => {
    const logged = vi.spyOn(console, 'error').mockImplementation(() => {});
    for (const path of ['/trpc/claims.withdraw', '/api/files/evidence']) {
      const type = path.startsWith('/api') ? 'multipart/form-data; boundary=XyZ' : 'application/json';
      const req = http.request(`${server.url}${path}`, {
        method: 'POST',
        headers: { 'content-type': type, 'x-opencme-upload': '1', cookie: staffCookie, 'content-length': String(200 * 1024) },
      });
      req.on('error', () => {});
      req.write(Buffer.alloc(64 * 1024, 0x20));
      await new Promise((r) => setTimeout(r, 100));
      req.destroy();
    }
    await new Promise((r) => setTimeout(r, 300));
    expect(logged).not.toHaveBeenCalled();
    logged.mockRestore();
  });

  it('leaves the server answering ordinary requests', async () => {
    await expect(server.login(DEMO_STAFF)).resolves.toMatch(/opencme_session=/);
    const [id] = await server.upload('evidence', [{ name: '论文.pdf', bytes: '%PDF-1.4 small' }], staffCookie);
    expect(id).toMatch(/.{20,}/);
  });
});

describe('the caps', () => {
  it('takes 40 KB on a signed-in call but not on a public one', async () => {
    const filler = 'x'.repeat(40 * 1024);
    const post = (path: string, cookie?: string) =>
      fetch(`${server.url}/trpc/${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(cookie ? { cookie } : {}) },
        body: JSON.stringify({ json: { claimId: filler } }),
      });
    expect((await post('auth.login')).status).toBe(413);
    // Without credentials a signed-in procedure gets the public cap too.
    expect((await post('claims.withdraw')).status).toBe(413);
    expect((await post('claims.withdraw', staffCookie)).status).not.toBe(413);
  });

  it('answers in the API’s own error shape, with a message key', async () => {
    const res = await fetch(`${server.url}/trpc/auth.login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: 'x'.repeat(100 * 1024) });
    expect(res.status).toBe(413);
    expect(await res.json()).toMatchObject({
      error: { json: { message: 'request.too-large', data: { code: 'PAYLOAD_TOO_LARGE', messageKey: 'request.too-large', params: { kilobytes: 32 } } } },
    });
  });

  it('refuses a photo over 100 KB and an eleventh attachment as they arrive', async () => {
    await expect(server.upload('photo', [{ name: 'p.jpg', bytes: Buffer.alloc(101 * 1024) }])).rejects.toMatchObject({
      status: 413,
      messageKey: 'uploads.file-too-large',
      params: { fileName: 'p.jpg', amount: 100, unit: 'KB' },
    });
    const eleven = Array.from({ length: 11 }, (_, i) => ({ name: `${i}.pdf`, bytes: '%PDF-1.4' }));
    const admin = await server.login({ login: 'admin', password: 'opencme-demo' });
    await expect(server.upload('attachment', eleven, admin)).rejects.toMatchObject({
      status: 413,
      messageKey: 'uploads.too-many-files',
      params: { files: 10 },
    });
  });
});
