// Accounts: made by an administrator for a colleague, activated for a registrant at approval,
// signed in to by login or (staff) by ID number, CME card number or phone, and given a one-time
// reset code by the unit admin when a password is forgotten.
import { validateIdNumber } from '@opencme/core';
import type { DB } from '../db/connect.ts';
import { UserFacingError } from '../errors.ts';
import type { IdNumberVault } from '../pii.ts';
import { audit } from '../repositories/audit.ts';
import { getOrganisation, subtreeIds } from '../repositories/organisations.ts';
import { registrant, unitOf } from '../repositories/registry.ts';
import {
  addResetCode,
  adminAccountsAmong,
  createUser,
  linkStaffAccount,
  loginTaken,
  type SignIn,
  type SignInName,
  staffAccountOf,
  startSession,
  takeRegistrantPassword,
  unusedLogin,
} from '../repositories/users.ts';
import type { Role } from '../role.ts';
import { hashPassword, NO_PASSWORD_HASH, newPairingCode } from '../secrets.ts';
import { IN_PERSON, type ResetCodeChannel } from './reset-channels.ts';

/** The rank of a role: an account may create accounts of its own rank or below only. */
const RANK: Record<Role, number> = { 'province-admin': 5, 'city-admin': 4, 'unit-admin': 3, 'department-reviewer': 2, staff: 1 };

/** The kind of organisation an administrator's account of each role is rooted at. */
const ROOT_KIND: Record<Exclude<Role, 'staff'>, string> = {
  'province-admin': 'province',
  'city-admin': 'city',
  'unit-admin': 'institution',
  'department-reviewer': 'department',
};

/** How long a reset code works (24 hours). */
export const RESET_CODE_MS = 24 * 3_600_000;

/** An account with an initial password that must be changed at first sign-in. */
export async function createAccount(
  db: DB,
  input: { organisationId: string; role: Role; login: string; displayName: string; personId?: string | null | undefined },
  creator: { id: string; role: Role },
  now: Date,
): Promise<{ id: string; initialPassword: string }> {
  if (RANK[input.role] > RANK[creator.role]) throw new UserFacingError('FORBIDDEN', 'auth.cannot-create-account-above-own');
  // Staff accounts come from registration (and a reset code), each tied to its person.
  if (input.role === 'staff') throw new UserFacingError('BAD_REQUEST', 'accounts.staff-account-from-registration', {}, 'role');
  const organisation = await getOrganisation(db, input.organisationId);
  if (organisation.kind !== ROOT_KIND[input.role]) throw new UserFacingError('BAD_REQUEST', 'accounts.role-does-not-fit-organisation', {}, 'organisationId');
  if (input.personId) {
    const person = await registrant(db, input.personId);
    if (person.registration_status !== 'approved') throw new UserFacingError('BAD_REQUEST', 'accounts.person-not-approved', {}, 'personId');
  }
  if (await loginTaken(db, input.login)) throw new UserFacingError('CONFLICT', 'auth.login-taken');
  const initialPassword = `${newPairingCode()}-${newPairingCode()}`;
  const id = await createUser(db, { ...input, password: initialPassword, now, mustChangePassword: true, personId: input.personId ?? null });
  await audit(db, {
    actor: { userId: creator.id },
    action: 'account.create',
    entity: 'user',
    entityId: id,
    organisationId: input.organisationId,
    after: { login: input.login, role: input.role, personId: input.personId ?? null },
    at: now,
  });
  return { id, initialPassword };
}

/** The administrators' accounts of an organisation's part of the tree, for its admin to see. */
export async function adminAccountsWithin(db: DB, organisationId: string) {
  return adminAccountsAmong(db, await subtreeIds(db, organisationId));
}

const ID_NUMBER_SHAPE = /^\d{17}[\dX]$|^\d{15}$/;
const PHONE_SHAPE = /^1\d{10}$/;

/**
 * Signs in by login, ID number, CME card number or phone. An ID number is looked up by its blind
 * index (never by decrypting anyone's), and the backoff table keys ID numbers and phones by the
 * same keyed digest, so it holds neither in clear.
 */
export async function signIn(db: DB, vault: IdNumberVault, input: { login: string; password: string; address: string; now: Date }): Promise<SignIn> {
  const typed = input.login.trim();
  const upper = typed.toUpperCase();
  let name: SignInName = { login: typed, idNumberIndex: null, throttleKey: typed };
  if (ID_NUMBER_SHAPE.test(upper)) {
    const id = validateIdNumber(upper);
    const index = vault.index(id.valid ? id.normalized : upper);
    name = { login: typed, idNumberIndex: index, throttleKey: `id:${index}` };
  } else if (PHONE_SHAPE.test(typed)) {
    name = { ...name, throttleKey: `phone:${vault.index(typed)}` };
  }
  return startSession(db, { name, password: input.password, address: input.address, now: input.now });
}

/** A staff account for an approved person, on her record's department, with a password hash made beforehand. */
async function openStaffAccount(
  db: DB,
  person: { id: string; name: string; institution_id: string; department_id: string | null; cme_number: string },
  passwordHash: string,
  now: Date,
): Promise<{ id: string; login: string }> {
  const login = await unusedLogin(db, person.cme_number);
  const id = await createUser(db, {
    login,
    displayName: person.name,
    password: { hash: passwordHash },
    role: 'staff',
    organisationId: person.department_id ?? person.institution_id,
    now,
  });
  await linkStaffAccount(db, { userId: id, personId: person.id, now });
  return { id, login };
}

/** The hash of a registrant's chosen password, made before the registration's transaction (scrypt is slow). */
export function registrantPasswordHash(password: string | undefined): Promise<string | null> {
  return password ? hashPassword(password) : Promise.resolve(null);
}

/**
 * At approval: the password the registrant chose becomes her staff account, on her record's
 * department, signed in to with her ID number, card number or phone. Someone who registered
 * without one (before passwords, or by a form that sent none) gets hers by a reset code.
 */
export async function activateRegistrantAccount(
  db: DB,
  person: { id: string; name: string; institution_id: string; department_id: string | null; cme_number: string },
  reviewer: string,
  now: Date,
): Promise<void> {
  const hash = await takeRegistrantPassword(db, person.id);
  if (!hash || (await staffAccountOf(db, person.id))) return;
  await openStaffAccount(db, person, hash, now);
  await audit(db, {
    actor: { userId: reviewer },
    action: 'account.activate',
    entity: 'person',
    entityId: person.id,
    organisationId: unitOf(person),
    after: { role: 'staff' },
    at: now,
  });
}

/**
 * A one-time code for a staff member to set a new password (24 hours, single use, kept hashed),
 * delivered by `channel`. An approved person without an account gets one here, which signs in
 * with the code only.
 */
export async function issueResetCode(
  db: DB,
  input: { personId: string },
  issuer: { id: string },
  now: Date,
  channel: ResetCodeChannel = IN_PERSON,
): Promise<{ code: string | null; expiresAt: Date; channel: string }> {
  const person = await registrant(db, input.personId);
  if (person.registration_status !== 'approved' || !person.cme_number) throw new UserFacingError('BAD_REQUEST', 'accounts.person-not-approved');
  const code = newPairingCode();
  const expiresAt = new Date(now.getTime() + RESET_CODE_MS);
  const codeHash = await hashPassword(code);
  const cmeNumber = person.cme_number;
  await db.transaction().execute(async (trx) => {
    // A new account gets a hash no password matches: until the code is used, no one signs in to it.
    const account = (await staffAccountOf(trx, person.id)) ?? (await openStaffAccount(trx, { ...person, cme_number: cmeNumber }, NO_PASSWORD_HASH, now));
    await addResetCode(trx, { userId: account.id, codeHash, channel: channel.name, by: issuer.id, now, expiresAt });
    await audit(trx, {
      actor: { userId: issuer.id },
      action: 'account.reset-code',
      entity: 'person',
      entityId: person.id,
      organisationId: unitOf(person),
      after: { channel: channel.name, expiresAt: expiresAt.toISOString() },
      at: now,
    });
  });
  const delivered = await channel.deliver(code, { personId: person.id, phone: person.phone });
  return { code: delivered.showToIssuer, expiresAt, channel: channel.name };
}
