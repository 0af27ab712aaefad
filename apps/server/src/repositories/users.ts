import { newId } from '@opencme/core';
import type { Role } from '../authz.ts';
import type { DB } from '../db/connect.ts';
import { hashPassword, newToken, sha256, verifyPassword } from '../secrets.ts';

const SESSION_DAYS = 7;

export async function createUser(
  db: DB,
  user: { login: string; displayName: string; password: string; role: Role; organisationId: string; now: Date },
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
    })
    .execute();
  return id;
}

/** Returns a new login session token, or null when the login or password is wrong. */
export async function startSession(db: DB, login: string, password: string, now: Date): Promise<string | null> {
  const user = await db.selectFrom('users').select(['id', 'password_hash']).where('login', '=', login).executeTakeFirst();
  if (!user || !(await verifyPassword(password, user.password_hash))) return null;
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
  return token;
}

export async function endSession(db: DB, token: string): Promise<void> {
  await db.deleteFrom('auth_sessions').where('token_hash', '=', sha256(token)).execute();
}

export async function findUserBySession(db: DB, token: string, now: Date) {
  const row = await db
    .selectFrom('auth_sessions')
    .innerJoin('users', 'users.id', 'auth_sessions.user_id')
    .select(['users.id', 'users.login', 'users.display_name', 'users.role', 'users.organisation_id', 'auth_sessions.expires_at'])
    .where('auth_sessions.token_hash', '=', sha256(token))
    .executeTakeFirst();
  if (!row || row.expires_at <= now.toISOString()) return null;
  return { id: row.id, login: row.login, displayName: row.display_name, role: row.role, organisationId: row.organisation_id };
}
