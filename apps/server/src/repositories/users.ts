import { newId } from '@opencme/core';
import type { Role } from '../role.ts';
import type { DB } from '../db/connect.ts';
import { LIMITS, limitKey } from '../rate-limit.ts';
import { hashPassword, NO_PASSWORD_HASH, newPairingCode, newToken, sha256, verifyPassword } from '../secrets.ts';
import { clearBackoff, release, reserve, reserveSignIn, sweepThrottles } from './rate-limits.ts';

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

export async function loginTaken(db: DB, login: string): Promise<boolean> {
  return (await db.selectFrom('users').select('id').where('login', '=', login).executeTakeFirst()) !== undefined;
}

/**
 * `preferred` if no account has it, else `preferred` with a random suffix: an account someone
 * named so by hand keeps its login, and the answer tells nothing about any other login.
 */
export async function unusedLogin(db: DB, preferred: string): Promise<string> {
  let login = preferred;
  while (await loginTaken(db, login)) login = `${preferred}-${newPairingCode().slice(0, 4)}`;
  return login;
}

export type SignIn = { ok: true; token: string } | { ok: false; reason: 'wrong' | 'unit-pending' } | { ok: false; reason: 'throttled'; retryAt: Date };

/**
 * Checks a password and opens a session. Each attempt is reserved before the password is checked
 * (so concurrent guesses cannot all slip under a limit) and counted as a failure unless it
 * succeeds: per (login, address) with a growing wait, and per address across all logins. A
 * stranger elsewhere therefore cannot lock anyone out, and an unknown login costs the same scrypt
 * as a known one, so the answer's timing does not tell which logins exist.
 */
export async function startSession(db: DB, input: { login: string; password: string; address: string; now: Date }): Promise<SignIn> {
  const byAddress = {
    key: limitKey('signInFailures', input.address),
    limit: LIMITS.signInFailures.limit,
    windowMs: LIMITS.signInFailures.windowMs,
    now: input.now,
  };
  const addressTurn = await reserve(db, byAddress);
  if (!addressTurn.ok) return { ok: false, reason: 'throttled', retryAt: addressTurn.retryAt };
  const pair = { login: input.login, address: input.address };
  const pairTurn = await reserveSignIn(db, { ...pair, now: input.now });
  if (!pairTurn.ok) {
    await release(db, byAddress.key);
    return { ok: false, reason: 'throttled', retryAt: pairTurn.retryAt };
  }

  const user = await db
    .selectFrom('users')
    .innerJoin('organisations', 'organisations.id', 'users.organisation_id')
    .select(['users.id', 'users.password_hash', 'organisations.status'])
    .where('users.login', '=', input.login)
    .executeTakeFirst();
  if (!(await verifyPassword(input.password, user?.password_hash ?? NO_PASSWORD_HASH)) || !user) return { ok: false, reason: 'wrong' };
  await clearBackoff(db, pair);
  await release(db, byAddress.key);
  if (user.status !== 'verified') return { ok: false, reason: 'unit-pending' };
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
  // Sign-ins are few (people, not scripts, get this far): a cheap moment to forget what expired.
  await purgeExpired(db, now);
  return { ok: true, token };
}

/** Deletes expired sessions and spent throttles (both indexed on their end time). */
export async function purgeExpired(db: DB, now: Date): Promise<void> {
  await db.deleteFrom('auth_sessions').where('expires_at', '<=', now.toISOString()).execute();
  await sweepThrottles(db, now);
}

/**
 * Sets a new password and ends the account's other sessions: whoever else held one (a stolen
 * cookie, a forgotten browser) must sign in again with the new password.
 */
export async function changePassword(db: DB, input: { userId: string; current: string; next: string; keepSessionToken: string | null }): Promise<boolean> {
  const user = await db.selectFrom('users').select('password_hash').where('id', '=', input.userId).executeTakeFirstOrThrow();
  if (!(await verifyPassword(input.current, user.password_hash))) return false;
  const hash = await hashPassword(input.next);
  await db.transaction().execute(async (trx) => {
    await trx.updateTable('users').set({ password_hash: hash, must_change_password: 0 }).where('id', '=', input.userId).execute();
    let others = trx.deleteFrom('auth_sessions').where('user_id', '=', input.userId);
    if (input.keepSessionToken) others = others.where('token_hash', '!=', sha256(input.keepSessionToken));
    await others.execute();
  });
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

/** Which of these logins have exactly this password (a few scrypt checks: keep the list short). */
export async function loginsWithPassword(db: DB, logins: readonly string[], password: string): Promise<string[]> {
  const rows = await db
    .selectFrom('users')
    .select(['login', 'password_hash'])
    .where('login', 'in', [...logins])
    .orderBy('login')
    .execute();
  const matches = await Promise.all(rows.map((row) => verifyPassword(password, row.password_hash)));
  return rows.filter((_, i) => matches[i]).map((row) => row.login);
}
