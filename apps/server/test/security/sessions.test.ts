// Sessions (security issue 9): a password change ends the account's other sessions, and expired
// sessions do not stay in the database.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { sha256 } from '../../src/secrets.ts';
import { startServer, type TestServer } from '../harness.ts';

let server: TestServer;

beforeAll(async () => {
  server = await startServer();
}, 60_000);
afterAll(() => server?.close());

const tokenOf = (cookie: string) => decodeURIComponent(cookie.split('=')[1]!);

it('ends the account’s other sessions when its password is changed, and keeps the one that changed it', async () => {
  const here = await server.login({ login: 'staff', password: 'opencme-demo' });
  const elsewhere = await server.login({ login: 'staff', password: 'opencme-demo' });
  const colleague = await server.login({ login: 'reviewer', password: 'opencme-demo' });
  await server.client({ cookie: here }).auth.changePassword.mutate({ current: 'opencme-demo', next: 'a-new-password' });

  expect(await server.client({ cookie: here }).auth.me.query()).toMatchObject({ login: 'staff' });
  expect(await server.client({ cookie: elsewhere }).auth.me.query()).toBeNull();
  await expect(server.client({ cookie: elsewhere }).claims.mine.query()).rejects.toMatchObject({ data: { code: 'UNAUTHORIZED' } });
  expect(await server.client({ cookie: colleague }).auth.me.query()).toMatchObject({ login: 'reviewer' });
});

it('refuses the published demo password as a new password', async () => {
  const cookie = await server.login({ login: 'province', password: 'opencme-demo' });
  await server.client({ cookie }).auth.changePassword.mutate({ current: 'opencme-demo', next: 'a-new-password' });
  await expect(server.client({ cookie }).auth.changePassword.mutate({ current: 'a-new-password', next: 'opencme-demo' })).rejects.toMatchObject({
    data: { code: 'BAD_REQUEST', issues: [{ path: ['next'], messageKey: 'auth.password-is-demo' }] },
  });
});

it('purges expired sessions from the database', async () => {
  const old = await server.login({ login: 'admin', password: 'opencme-demo' });
  const stored = () =>
    server.db
      .selectFrom('auth_sessions')
      .select('token_hash')
      .where('token_hash', '=', sha256(tokenOf(old)))
      .executeTakeFirst();
  expect(await stored()).toBeDefined();

  server.clock.now = new Date(server.clock.now.getTime() + 8 * 86_400_000);
  expect(await server.client({ cookie: old }).auth.me.query()).toBeNull();
  await server.login({ login: 'reviewer', password: 'opencme-demo' });
  expect(await stored()).toBeUndefined();
  const expired = await server.db.selectFrom('auth_sessions').select('token_hash').where('expires_at', '<=', server.clock.now.toISOString()).execute();
  expect(expired).toEqual([]);
});
