// Sign-in throttling over HTTP (security issue 9): attempts are reserved before the password is
// checked, failures back off per (login, address) rather than locking the account, and an unknown
// login takes as long to refuse as a known one.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { LIMITS } from '../../src/rate-limit.ts';
import { BACKOFF } from '../../src/repositories/rate-limits.ts';
import { startServer, type TestServer } from '../harness.ts';

let server: TestServer;

beforeAll(async () => {
  server = await startServer();
  // As behind the reverse proxy of a deployment: the caller's address comes in X-Forwarded-For.
  server.app.set('trust proxy', 'loopback');
}, 120_000);
afterAll(() => server?.close());

/** One sign-in over plain HTTP, from `address`; the status, the body and how long it took. */
async function signIn(login: string, password: string, address: string) {
  const started = performance.now();
  const res = await fetch(`${server.url}/trpc/auth.login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-forwarded-for': address },
    body: JSON.stringify({ json: { login, password } }),
  });
  const body = await res.text();
  return { status: res.status, body, ms: performance.now() - started, retryAfter: res.headers.get('retry-after') };
}

it('lets no more guesses through than the limit when 30 wrong ones arrive at once', async () => {
  const answers = await Promise.all(Array.from({ length: 30 }, (_, i) => signIn('reviewer', `guess-${i}`, '198.51.100.1')));
  const checked = answers.filter((a) => a.status === 401).length;
  expect(checked).toBeLessThanOrEqual(BACKOFF.freeFailures);
  expect(answers.filter((a) => a.status === 429)).toHaveLength(30 - checked);
}, 30_000);

it('does not lock the real user out when a stranger elsewhere fails on their login, and makes the stranger wait longer each time', async () => {
  const stranger = '203.0.113.66';
  for (let i = 0; i < BACKOFF.freeFailures + 3; i++) await signIn('admin', `guess-${i}`, stranger);
  // The account's owner, from their own address, is not affected.
  expect((await signIn('admin', 'opencme-demo', '198.51.100.7')).status).toBe(200);

  // The stranger, even with the right password now, waits; and is told how long.
  const refused = await signIn('admin', 'opencme-demo', stranger);
  expect(refused.status).toBe(429);
  expect(JSON.parse(refused.body)).toMatchObject({ error: { json: { data: { messageKey: 'rate-limit.sign-ins.seconds', params: { seconds: 30 } } } } });
  expect(refused.retryAfter).toBe('30');

  // The stranger's next guess waits twice as long as the last.
  server.clock.now = new Date(server.clock.now.getTime() + BACKOFF.firstDelayMs);
  expect((await signIn('admin', 'another-guess', stranger)).status).toBe(401);
  expect((await signIn('admin', 'yet-another', stranger)).body).toContain('"messageKey":"rate-limit.sign-ins.minutes","params":{"minutes":1}');
});

it('answers an unknown login about as slowly as a known one', async () => {
  const known = ['admin', 'staff', 'reviewer', 'city', 'province'];
  const times = { known: [] as number[], unknown: [] as number[] };
  // Interleaved, each from an address of its own so that no limit answers instead of the password check.
  for (let i = 0; i < 7; i++) {
    times.known.push((await signIn(known[i % known.length]!, 'not-the-password', `192.0.2.${10 + i}`)).ms);
    times.unknown.push((await signIn(`nobody-${i}`, 'not-the-password', `192.0.2.${100 + i}`)).ms);
  }
  const median = (xs: number[]) => xs.toSorted((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  const [k, u] = [median(times.known), median(times.unknown)];
  // scrypt takes tens of milliseconds; skipping it for unknown logins answered them 30× faster.
  expect(Math.max(k, u) / Math.min(k, u)).toBeLessThan(3);
}, 120_000);

it('caps the failures from one address across all logins, also when they arrive at once', async () => {
  const { limit } = LIMITS.signInFailures;
  const answers = await Promise.all(Array.from({ length: limit + 10 }, (_, i) => signIn(`nobody-${i}`, 'a-guess', '198.51.100.99')));
  expect(answers.filter((a) => a.status === 401)).toHaveLength(limit);
  expect(answers.filter((a) => a.status === 429)).toHaveLength(10);
  // Another address is not concerned.
  expect((await signIn('staff', 'opencme-demo', '198.51.100.100')).status).toBe(200);
}, 120_000);
