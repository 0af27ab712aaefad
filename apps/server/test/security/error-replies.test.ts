// Error replies carry no stack and no server path, whatever went wrong; a server error (5xx)
// leaves one line in the server's log with the request id, and the reply carries that id.
import { sql } from 'kysely';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { DEMO_ADMIN } from '../../src/seed.ts';
import { startServer, type TestServer } from '../harness.ts';

let server: TestServer;
let cookie: string;

beforeAll(async () => {
  server = await startServer();
  cookie = await server.login(DEMO_ADMIN);
}, 60_000);
afterAll(() => server.close());
afterEach(() => vi.restoreAllMocks());

const post = (path: string, body: string, headers: Record<string, string> = {}) =>
  fetch(`${server.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });

/** Nothing of the server's insides: no stack, no file of ours, no path on its disk. */
function expectNoInternals(text: string) {
  expect(text).not.toMatch(/"stack"/);
  expect(text).not.toMatch(/\bat .+:\d+:\d+/);
  expect(text).not.toContain(process.cwd());
  expect(text).not.toMatch(/\/apps\/server\/|node_modules|\.ts:\d/);
}

/** While it runs, a table the call needs is gone: the server fails as it would on a broken disk. */
async function withoutTable<T>(table: string, work: () => Promise<T>): Promise<T> {
  await sql`alter table ${sql.table(table)} rename to ${sql.table(`${table}_away`)}`.execute(server.db);
  try {
    return await work();
  } finally {
    await sql`alter table ${sql.table(`${table}_away`)} rename to ${sql.table(table)}`.execute(server.db);
  }
}

describe('error replies', () => {
  it('a bad input: 400, the wrong field named, no internals', async () => {
    const res = await post('/trpc/auth.login', JSON.stringify({ json: { login: 5 } }));
    expect(res.status).toBe(400);
    const text = await res.text();
    expect(text).toContain('login');
    expectNoInternals(text);
  });

  it('a body that is not JSON: 400, no internals', async () => {
    const res = await post('/trpc/auth.login', '{"json":');
    expect(res.status).toBe(400);
    expectNoInternals(await res.text());
  });

  it('an unknown procedure: 404, no internals', async () => {
    const res = await post('/trpc/nothing.here', JSON.stringify({ json: {} }));
    expect(res.status).toBe(404);
    expectNoInternals(await res.text());
    const garbled = await post('/trpc/%E0%A4%A', JSON.stringify({ json: {} }));
    expect(garbled.status).toBeGreaterThanOrEqual(400);
    expect(garbled.status).toBeLessThan(500);
    expectNoInternals(await garbled.text());
  });

  it('an unknown address: 404, no internals', async () => {
    const res = await fetch(`${server.url}/api/nothing/here`);
    expect(res.status).toBe(404);
    expectNoInternals(await res.text());
  });
});

describe('a server error (5xx)', () => {
  it('in a procedure: no internals, a reference to quote, and one log line with the same request id', async () => {
    const logged: string[] = [];
    vi.spyOn(console, 'error').mockImplementation((...args: unknown[]) => void logged.push(args.map(String).join(' ')));
    const res = await withoutTable('organisations', () => post('/trpc/registration.searchUnits', JSON.stringify({ json: { query: '' } })));
    expect(res.status).toBe(500);
    const id = res.headers.get('x-request-id');
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    const text = await res.text();
    expectNoInternals(text);
    // The database's own words ("no such table: organisations") stay on the server.
    expect(text).not.toContain('organisations');
    const body = JSON.parse(text) as { error: { json: { message: string; data: { requestId: string; messageKey: string; params: { reference: string } } } } };
    expect(body.error.json.data.requestId).toBe(id);
    expect(body.error.json.data).toMatchObject({ messageKey: 'error.server', params: { reference: id!.slice(0, 8) } });

    const lines = logged.filter((l) => l.includes(id!));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/500/);
    expect(lines[0]).toContain('registration.searchUnits');
  });

  it('outside the API too (a print download): the same reference in the reply and the log', async () => {
    const logged: string[] = [];
    vi.spyOn(console, 'error').mockImplementation((...args: unknown[]) => void logged.push(args.map(String).join(' ')));
    const res = await withoutTable('auth_sessions', () => fetch(`${server.url}/api/files/print/some-job`, { headers: { cookie } }));
    expect(res.status).toBe(500);
    const id = res.headers.get('x-request-id')!;
    const text = await res.text();
    expectNoInternals(text);
    expect(JSON.parse(text)).toMatchObject({ requestId: id });
    expect(logged.filter((l) => l.includes(id))).toHaveLength(1);
  });

  it('logs no personal data: not the input, not the database’s message', async () => {
    const logged: string[] = [];
    vi.spyOn(console, 'error').mockImplementation((...args: unknown[]) => void logged.push(args.map(String).join(' ')));
    const res = await withoutTable('persons', () => post('/trpc/lookup.credits', JSON.stringify({ json: { idNumber: '110105199003070017', name: '林晓' } })));
    expect(res.status).toBe(500);
    const all = logged.join('\n');
    expect(all).toContain(res.headers.get('x-request-id')!);
    expect(all).not.toContain('110105199003070017');
    expect(all).not.toContain('林晓');
    expect(all).not.toContain('no such table');
  });
});
