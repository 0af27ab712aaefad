// Units (医疗机构) and their departments (科室): a unit registers itself with its unified social
// credit code, its city or province office verifies it, its administrator keeps its departments.
// Each change is one transaction with its audit line.
import { newId, validateCreditCode } from '@opencme/core';
import type { DB } from '../db/connect.ts';
import { UserFacingError } from '../errors.ts';
import { audit } from '../repositories/audit.ts';
import {
  addDepartment,
  addUnit,
  creditCodeTaken,
  findUnit,
  getDepartment,
  isCityOrProvince,
  nameTakenUnder,
  renameOrganisation,
  setUnitStatus,
} from '../repositories/organisations.ts';
import { createUser, unusedLogin } from '../repositories/users.ts';

export async function registerUnit(
  db: DB,
  input: { cityId: string; creditCode: string; name: string; admin: { displayName: string; password: string } },
  now: Date,
): Promise<{ unitId: string; login: string }> {
  const code = validateCreditCode(input.creditCode);
  if (!code.valid) throw new UserFacingError('BAD_REQUEST', `credit-code.${code.reason}`, {}, 'creditCode');
  // A province-direct unit (省直/委直属) names its province: it reports there, no city between.
  if (!(await isCityOrProvince(db, input.cityId))) throw new UserFacingError('BAD_REQUEST', 'units.choose-city', {}, 'cityId');
  if (await creditCodeTaken(db, code.normalized)) {
    throw new UserFacingError('CONFLICT', 'units.unit-code-already-registered', {}, 'creditCode');
  }
  // The unit's administrator signs in with the unit's credit code: the unit's own, and
  // already checked unique among units.
  const login = await unusedLogin(db, code.normalized);
  const id = newId();
  await db.transaction().execute(async (trx) => {
    await addUnit(trx, { id, name: input.name, cityId: input.cityId, creditCode: code.normalized, now });
    await createUser(trx, { ...input.admin, login, role: 'unit-admin', organisationId: id, now });
    await audit(trx, {
      actor: {},
      action: 'unit.register',
      entity: 'organisation',
      entityId: id,
      organisationId: input.cityId,
      after: { name: input.name, creditCode: code.normalized },
      at: now,
    });
  });
  return { unitId: id, login };
}

export async function verifyUnit(db: DB, input: { unitId: string; approve: boolean }, by: string, now: Date): Promise<{ status: 'verified' | 'rejected' }> {
  const unit = await findUnit(db, input.unitId);
  if (!unit) throw new UserFacingError('NOT_FOUND', 'units.no-such-unit');
  const status = input.approve ? 'verified' : 'rejected';
  await db.transaction().execute(async (trx) => {
    await setUnitStatus(trx, input.unitId, { status, by, at: now });
    await audit(trx, {
      actor: { userId: by },
      action: 'unit.verify',
      entity: 'organisation',
      entityId: input.unitId,
      organisationId: unit.parent_id,
      before: { status: unit.status },
      after: { status },
      at: now,
    });
  });
  return { status };
}

export async function openDepartment(db: DB, input: { unitId: string; name: string }, by: string, now: Date): Promise<{ id: string }> {
  if (await nameTakenUnder(db, input.unitId, input.name)) throw new UserFacingError('CONFLICT', 'units.department-name-exists');
  const id = newId();
  await db.transaction().execute(async (trx) => {
    await addDepartment(trx, { id, unitId: input.unitId, name: input.name, now });
    await audit(trx, {
      actor: { userId: by },
      action: 'department.add',
      entity: 'organisation',
      entityId: id,
      organisationId: input.unitId,
      after: { name: input.name },
      at: now,
    });
  });
  return { id };
}

export async function renameDepartment(db: DB, input: { departmentId: string; name: string }, by: string, now: Date): Promise<void> {
  const before = await getDepartment(db, input.departmentId);
  await db.transaction().execute(async (trx) => {
    await renameOrganisation(trx, input.departmentId, input.name);
    await audit(trx, {
      actor: { userId: by },
      action: 'department.rename',
      entity: 'organisation',
      entityId: input.departmentId,
      organisationId: before.parent_id,
      before: { name: before.name },
      after: { name: input.name },
      at: now,
    });
  });
}
