import { newId } from '@opencme/core';
import type { Role } from '../authz.ts';
import type { DB } from '../db/connect.ts';
import { hashPassword, newToken, sha256, verifyPassword } from '../secrets.ts';

const SESSION_DAYS = 7;

export async function createUser(
  db: DB,
  user: { login: string; displayName: string; password: string; role: Role; organisationId: string; now: Date; mustChangePassword?: boolean },
): Promise<string> {
  const id = newId();
  await db
    .insertInto('users')
    .values({
      id,
      login: user.login,
      display_name: user.displayName,
      password_hash: await hashPassword(user.password),
      role: user.role,
      organisation_id: user.organisationId,
      created_at: user.now.toISOString(),
      must_change_password: user.mustChangePassword ? 1 : 0,
    })
    .execute();
  return id;
}

/** Failed sign-ins allowed per account, and per address, within the window before a pause. */
export const LOGIN_LIMITS = { perLogin: 5, perAddress: 20, windowMs: 15 * 60_000 } as const;

export type SignIn = { ok: true; token: string } | { ok: false; reason: 'wrong' | 'throttled' | 'unit-pending' };

/**
 * Checks a password and opens a session. Failures are counted per account and per address, so
 * that guessing is slowed down both against one account and from one machine against many.
 */
export async function startSession(db: DB, input: { login: string; password: string; address: string; now: Date }): Promise<SignIn> {
  const since = new Date(input.now.getTime() - LOGIN_LIMITS.windowMs).toISOString();
  const [byLogin, byAddress] = await Promise.all([
    db.selectFrom('login_failures').select((eb) => eb.fn.countAll<number>().as('n')).where('login', '=', input.login).where('at', '>', since).executeTakeFirstOrThrow(),
    db.selectFrom('login_failures').select((eb) => eb.fn.countAll<number>().as('n')).where('address', '=', input.address).where('at', '>', since).executeTakeFirstOrThrow(),
  ]);
  if (Number(byLogin.n) >= LOGIN_LIMITS.perLogin || Number(byAddress.n) >= LOGIN_LIMITS.perAddress) return { ok: false, reason: 'throttled' };

  const user = await db
    .selectFrom('users')
    .innerJoin('organisations', 'organisations.id', 'users.organisation_id')
    .select(['users.id', 'users.password_hash', 'organisations.status'])
    .where('users.login', '=', input.login)
    .executeTakeFirst();
  if (!user || !(await verifyPassword(input.password, user.password_hash))) {
    await db.insertInto('login_failures').values({ id: newId(), login: input.login, address: input.address, at: input.now.toISOString() }).execute();
    return { ok: false, reason: 'wrong' };
  }
  if (user.status !== 'verified') return { ok: false, reason: 'unit-pending' };
  await db.deleteFrom('login_failures').where('login', '=', input.login).execute();
  const now = input.now;
  const token = newToken();
  await db
    .insertInto('auth_sessions')
    .values({
      token_hash: sha256(token),
      user_id: user.id,
      expires_at: new Date(now.getTime() + SESSION_DAYS * 86_400_000).toISOString(),
      created_at: now.toISOString(),
    })
    .execute();
  return { ok: true, token };
}

export async function changePassword(db: DB, userId: string, current: string, next: string): Promise<boolean> {
  const user = await db.selectFrom('users').select('password_hash').where('id', '=', userId).executeTakeFirstOrThrow();
  if (!(await verifyPassword(current, user.password_hash))) return false;
  await db.updateTable('users').set({ password_hash: await hashPassword(next), must_change_password: 0 }).where('id', '=', userId).execute();
  return true;
}

export async function endSession(db: DB, token: string): Promise<void> {
  await db.deleteFrom('auth_sessions').where('token_hash', '=', sha256(token)).execute();
}

export async function findUserBySession(db: DB, token: string, now: Date) {
  const row = await db
    .selectFrom('auth_sessions')
    .innerJoin('users', 'users.id', 'auth_sessions.user_id')
    .select(['users.id', 'users.login', 'users.display_name', 'users.role', 'users.organisation_id', 'users.must_change_password', 'auth_sessions.expires_at'])
    .where('auth_sessions.token_hash', '=', sha256(token))
    .executeTakeFirst();
  if (!row || row.expires_at <= now.toISOString()) return null;
  return {
    id: row.id,
    login: row.login,
    displayName: row.display_name,
    role: row.role,
    organisationId: row.organisation_id,
    mustChangePassword: row.must_change_password === 1,
  };
}
