import { newId } from '@opencme/core';
import type { Role } from '../role.ts';
import type { DB } from '../db/connect.ts';
import { LIMITS, limitKey } from '../rate-limit.ts';
import { hashPassword, NO_PASSWORD_HASH, newPairingCode, newToken, normalizePairingCode, sha256, verifyPassword } from '../secrets.ts';
import { clearBackoff, release, reserve, reserveSignIn, sweepThrottles } from './rate-limits.ts';

const SESSION_DAYS = 7;

export async function createUser(
  db: DB,
  user: {
    login: string;
    displayName: string;
    /** A password, or its scrypt hash already made (a registrant's, chosen at registration). */
    password: string | { hash: string };
    role: Role;
    organisationId: string;
    now: Date;
    mustChangePassword?: boolean;
    personId?: string | null;
  },
): Promise<string> {
  const id = newId();
  await db
    .insertInto('users')
    .values({
      id,
      login: user.login,
      display_name: user.displayName,
      password_hash: typeof user.password === 'string' ? await hashPassword(user.password) : user.password.hash,
      role: user.role,
      organisation_id: user.organisationId,
      created_at: user.now.toISOString(),
      must_change_password: user.mustChangePassword ? 1 : 0,
      person_id: user.personId ?? null,
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
 * What someone typed to sign in, as the account lookup reads it: a login, a CME card number or a
 * phone as typed, an ID number by its blind index only (never decrypted, never kept in clear).
 * `throttleKey` names the attempt in the backoff table, which then holds no ID number or phone.
 */
export interface SignInName {
  login: string;
  idNumberIndex: string | null;
  throttleKey: string;
}

type AccountRow = { id: string; password_hash: string; status: 'pending' | 'verified' | 'rejected' };

/**
 * The account a sign-in name names: an ID number names the staff account of its person; anything
 * else is a login, else a CME card number (继教卡号), else a phone that one staff account alone
 * has. Staff accounts of approved people only: a registrant is no one until approved.
 */
async function accountNamed(db: DB, name: SignInName): Promise<AccountRow | undefined> {
  const staff = db
    .selectFrom('persons')
    .innerJoin('staff_accounts', 'staff_accounts.person_id', 'persons.id')
    .innerJoin('users', 'users.id', 'staff_accounts.user_id')
    .innerJoin('organisations', 'organisations.id', 'users.organisation_id')
    .select(['users.id', 'users.password_hash', 'organisations.status'])
    .where('persons.registration_status', '=', 'approved');
  if (name.idNumberIndex) return staff.where('persons.id_number_index', '=', name.idNumberIndex).executeTakeFirst();
  const byLogin = await db
    .selectFrom('users')
    .innerJoin('organisations', 'organisations.id', 'users.organisation_id')
    .select(['users.id', 'users.password_hash', 'organisations.status'])
    .where('users.login', '=', name.login)
    .executeTakeFirst();
  if (byLogin) return byLogin;
  const byCard = await staff.where('persons.cme_number', '=', name.login).executeTakeFirst();
  if (byCard) return byCard;
  const byPhone = await staff.where('persons.phone', '=', name.login).limit(2).execute();
  return byPhone.length === 1 ? byPhone[0] : undefined;
}

/** The open reset code of an account (the latest issued, unused, unexpired), if any. */
function openResetCode(db: DB, userId: string, now: Date) {
  return db
    .selectFrom('password_reset_codes')
    .select(['id', 'code_hash'])
    .where('user_id', '=', userId)
    .where('used_at', 'is', null)
    .where('expires_at', '>', now.toISOString())
    .orderBy('issued_at', 'desc')
    .executeTakeFirst();
}

/** Spends a reset code; `false` when another sign-in spent it first. */
async function spendResetCode(db: DB, id: string, now: Date): Promise<boolean> {
  const spent = await db
    .updateTable('password_reset_codes')
    .set({ used_at: now.toISOString() })
    .where('id', '=', id)
    .where('used_at', 'is', null)
    .executeTakeFirst();
  return Number(spent.numUpdatedRows) === 1;
}

/**
 * Checks a password (or a one-time reset code) and opens a session. Each attempt is reserved
 * before the password is checked (so concurrent guesses cannot all slip under a limit) and counted
 * as a failure unless it succeeds: per (name, address) with a growing wait, and per address across
 * all names. A stranger elsewhere therefore cannot lock anyone out. A failure costs two scrypts
 * (the password, then a reset code or a stand-in) for an unknown name as for a known one, so the
 * answer's timing does not tell which accounts exist or have a code open.
 */
export async function startSession(db: DB, input: { name: SignInName; password: string; address: string; now: Date }): Promise<SignIn> {
  const byAddress = {
    key: limitKey('signInFailures', input.address),
    limit: LIMITS.signInFailures.limit,
    windowMs: LIMITS.signInFailures.windowMs,
    now: input.now,
  };
  const addressTurn = await reserve(db, byAddress);
  if (!addressTurn.ok) return { ok: false, reason: 'throttled', retryAt: addressTurn.retryAt };
  const pair = { login: input.name.throttleKey, address: input.address };
  const pairTurn = await reserveSignIn(db, { ...pair, now: input.now });
  if (!pairTurn.ok) {
    await release(db, byAddress.key);
    return { ok: false, reason: 'throttled', retryAt: pairTurn.retryAt };
  }

  const user = await accountNamed(db, input.name);
  let resetCodeId: string | null = null;
  if (!(await verifyPassword(input.password, user?.password_hash ?? NO_PASSWORD_HASH)) || !user) {
    const code = user ? await openResetCode(db, user.id, input.now) : undefined;
    const codeMatches = await verifyPassword(normalizePairingCode(input.password), code?.code_hash ?? NO_PASSWORD_HASH);
    if (!user || !code || !codeMatches || !(await spendResetCode(db, code.id, input.now))) return { ok: false, reason: 'wrong' };
    resetCodeId = code.id;
  }
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
      reset_code_id: resetCodeId,
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
 * cookie, a forgotten browser) must sign in again with the new password. A session opened with a
 * reset code proved itself with the code (spent at sign-in) and is asked for no current password.
 */
export async function changePassword(db: DB, input: { userId: string; current: string; next: string; keepSessionToken: string | null }): Promise<boolean> {
  const user = await db.selectFrom('users').select('password_hash').where('id', '=', input.userId).executeTakeFirstOrThrow();
  const session = input.keepSessionToken
    ? await db.selectFrom('auth_sessions').select('reset_code_id').where('token_hash', '=', sha256(input.keepSessionToken)).executeTakeFirst()
    : undefined;
  if (!session?.reset_code_id && !(await verifyPassword(input.current, user.password_hash))) return false;
  const hash = await hashPassword(input.next);
  await db.transaction().execute(async (trx) => {
    await trx.updateTable('users').set({ password_hash: hash, must_change_password: 0 }).where('id', '=', input.userId).execute();
    let others = trx.deleteFrom('auth_sessions').where('user_id', '=', input.userId);
    if (input.keepSessionToken) others = others.where('token_hash', '!=', sha256(input.keepSessionToken));
    await others.execute();
    if (input.keepSessionToken)
      await trx.updateTable('auth_sessions').set({ reset_code_id: null }).where('token_hash', '=', sha256(input.keepSessionToken)).execute();
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
    .select([
      'users.id',
      'users.login',
      'users.display_name',
      'users.role',
      'users.organisation_id',
      'users.must_change_password',
      'auth_sessions.expires_at',
      'auth_sessions.reset_code_id',
    ])
    .where('auth_sessions.token_hash', '=', sha256(token))
    .executeTakeFirst();
  if (!row || row.expires_at <= now.toISOString()) return null;
  return {
    id: row.id,
    login: row.login,
    displayName: row.display_name,
    role: row.role,
    organisationId: row.organisation_id,
    // A reset code's session may do nothing else either (the code was handed over by someone).
    mustChangePassword: row.must_change_password === 1 || row.reset_code_id !== null,
    /** Opened with a one-time reset code: the new password is set without the current one. */
    viaResetCode: row.reset_code_id !== null,
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

/** Keeps (or replaces, at a registration sent again after a rejection) the password a registrant chose. */
export async function setRegistrantPassword(db: DB, input: { personId: string; hash: string; now: Date }): Promise<void> {
  await db
    .insertInto('registrant_passwords')
    .values({ person_id: input.personId, password_hash: input.hash, set_at: input.now.toISOString() })
    .onConflict((oc) => oc.column('person_id').doUpdateSet({ password_hash: input.hash, set_at: input.now.toISOString() }))
    .execute();
}

/** The password a registrant chose, removed from where it waited (approval makes it an account's). */
export async function takeRegistrantPassword(db: DB, personId: string): Promise<string | null> {
  const row = await db.selectFrom('registrant_passwords').select('password_hash').where('person_id', '=', personId).executeTakeFirst();
  if (row) await db.deleteFrom('registrant_passwords').where('person_id', '=', personId).execute();
  return row?.password_hash ?? null;
}

/** The staff account (学员账号) of a person, if she has one. */
export async function staffAccountOf(db: DB, personId: string) {
  return db
    .selectFrom('staff_accounts')
    .innerJoin('users', 'users.id', 'staff_accounts.user_id')
    .select(['users.id', 'users.login'])
    .where('staff_accounts.person_id', '=', personId)
    .executeTakeFirst();
}

export async function linkStaffAccount(db: DB, input: { userId: string; personId: string; now: Date }): Promise<void> {
  await db.insertInto('staff_accounts').values({ user_id: input.userId, person_id: input.personId, created_at: input.now.toISOString() }).execute();
}

/** A new one-time code for an account; any code it had open before stops working. */
export async function addResetCode(
  db: DB,
  input: { userId: string; codeHash: string; channel: string; by: string; now: Date; expiresAt: Date },
): Promise<string> {
  const id = newId();
  await db
    .updateTable('password_reset_codes')
    .set({ used_at: input.now.toISOString() })
    .where('user_id', '=', input.userId)
    .where('used_at', 'is', null)
    .execute();
  await db
    .insertInto('password_reset_codes')
    .values({
      id,
      user_id: input.userId,
      code_hash: input.codeHash,
      channel: input.channel,
      issued_by: input.by,
      issued_at: input.now.toISOString(),
      expires_at: input.expiresAt.toISOString(),
      used_at: null,
    })
    .execute();
  return id;
}

/** The administrators' accounts (not staff's) whose part of the tree lies among `organisationIds`. */
export async function adminAccountsAmong(db: DB, organisationIds: readonly string[]) {
  if (organisationIds.length === 0) return [];
  return db
    .selectFrom('users')
    .innerJoin('organisations', 'organisations.id', 'users.organisation_id')
    .leftJoin('persons', 'persons.id', 'users.person_id')
    .select([
      'users.id',
      'users.login',
      'users.display_name as displayName',
      'users.role',
      'organisations.name as organisationName',
      'persons.name as personName',
    ])
    .where('users.organisation_id', 'in', [...organisationIds])
    .where('users.role', '!=', 'staff')
    .orderBy('users.role')
    .orderBy('users.login')
    .execute();
}
