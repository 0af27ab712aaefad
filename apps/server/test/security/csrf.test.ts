// Another site can make a signed-in browser send a form (text/plain, urlencoded, multipart) with
// the session cookie, but not JSON nor a custom header: so the API takes JSON only, uploads need
// their header, and no query is answered over GET (its input would sit in URLs and logs).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_ADMIN } from '../../src/seed.ts';
import { type Client, startServer, type TestServer } from '../harness.ts';

let server: TestServer;
let cookie: string;
let admin: Client;

beforeAll(async () => {
  server = await startServer();
  cookie = await server.login(DEMO_ADMIN);
  admin = server.client({ cookie });
}, 60_000);
afterAll(() => server.close());

const signedIn = async () => (await admin.auth.me.query())?.login ?? null;

describe('a cross-site form', () => {
  const forms: [string, () => { body: string | FormData; type?: string }][] = [
    ['text/plain', () => ({ body: '{"json":{"name":"伪造的设备"}}', type: 'text/plain' })],
    ['x-www-form-urlencoded', () => ({ body: 'json=%7B%22name%22%3A%22x%22%7D', type: 'application/x-www-form-urlencoded' })],
    [
      'multipart/form-data',
      () => {
        const form = new FormData();
        form.append('name', '伪造的设备');
        return { body: form };
      },
    ],
  ];

  for (const [kind, make] of forms) {
    it(`(${kind}) cannot call a cookie-authenticated mutation`, async () => {
      const before = await server.db.selectFrom('devices').select('id').execute();
      for (const path of ['devices.create', 'auth.logout']) {
        const { body, type } = make();
        const res = await fetch(`${server.url}/trpc/${path}`, {
          method: 'POST',
          headers: { cookie, origin: 'https://evil.example', ...(type ? { 'content-type': type } : {}) },
          body,
        });
        expect(res.status, `${kind} → ${path}`).toBe(415);
      }
      expect(await server.db.selectFrom('devices').select('id').execute()).toEqual(before);
      // auth.logout takes no input: a form that reached it would have ended the session.
      expect(await signedIn()).toBe(DEMO_ADMIN.login);
    });
  }

  it('cannot upload into a signed-in account without the upload header', async () => {
    const form = new FormData();
    form.append('file', new Blob(['%PDF-1.4']), 'a.pdf');
    const res = await fetch(`${server.url}/api/files/attachment`, { method: 'POST', headers: { cookie }, body: form });
    expect(res.status).toBe(403);
    expect(await server.db.selectFrom('uploads').select('id').execute()).toEqual([]);
  });
});

describe('queries', () => {
  it('are refused over GET, with or without input', async () => {
    const input = encodeURIComponent(JSON.stringify({ json: { personId: 'x' } }));
    for (const url of [`/trpc/auth.me`, `/trpc/persons.revealIdNumber?input=${input}`, `/trpc/registry.staff?batch=1&input=${encodeURIComponent('{}')}`]) {
      const res = await fetch(`${server.url}${url}`, { headers: { cookie } });
      expect(res.status, url).toBe(405);
      expect(res.headers.get('allow')).toBe('POST');
    }
  });

  it('are answered over POST, as the kiosk sends them', async () => {
    expect(await signedIn()).toBe(DEMO_ADMIN.login);
  });
});
