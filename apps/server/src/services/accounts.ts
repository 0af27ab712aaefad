// Accounts made by an administrator for a colleague.
import type { DB } from '../db/connect.ts';
import { UserFacingError } from '../errors.ts';
import { audit } from '../repositories/audit.ts';
import { createUser, loginTaken } from '../repositories/users.ts';
import type { Role } from '../role.ts';
import { newPairingCode } from '../secrets.ts';

/** The rank of a role: an account may create accounts of its own rank or below only. */
const RANK: Record<Role, number> = { 'province-admin': 5, 'city-admin': 4, 'unit-admin': 3, 'department-reviewer': 2, staff: 1 };

/** An account with an initial password that must be changed at first sign-in. */
export async function createAccount(
  db: DB,
  input: { organisationId: string; role: Role; login: string; displayName: string },
  creator: { id: string; role: Role },
  now: Date,
): Promise<{ id: string; initialPassword: string }> {
  if (RANK[input.role] > RANK[creator.role]) throw new UserFacingError('FORBIDDEN', 'auth.cannot-create-account-above-own');
  if (await loginTaken(db, input.login)) throw new UserFacingError('CONFLICT', 'auth.login-taken');
  const initialPassword = `${newPairingCode()}-${newPairingCode()}`;
  const id = await createUser(db, { ...input, password: initialPassword, now, mustChangePassword: true });
  await audit(db, {
    actor: { userId: creator.id },
    action: 'account.create',
    entity: 'user',
    entityId: id,
    organisationId: input.organisationId,
    after: { login: input.login, role: input.role },
    at: now,
  });
  return { id, initialPassword };
}
