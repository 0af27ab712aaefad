// Where each kind of record lies in the organisation tree: the organisations the access table
// (authz.ts) holds against the caller's scope. A person's record lies in their department, or in
// their unit when they have none. `null`: a record named does not exist.
import { provinceCodeOfRegion } from '@opencme/core';
import type { DB } from '../db/connect.ts';
import { unitOf } from './registry.ts';

/** The organisations of several records, or `null` unless every id named was found. */
const allFound = (ids: readonly string[], rows: readonly { institution_id: string; department_id: string | null }[]) =>
  rows.length === new Set(ids).size ? rows.map(unitOf) : null;

export async function organisationOfDevice(db: DB, deviceId: string): Promise<string[] | null> {
  const row = await db.selectFrom('devices').select('institution_id').where('id', '=', deviceId).executeTakeFirst();
  return row ? [row.institution_id] : null;
}

/** A session lies where its project's organiser is. */
export async function organisationOfSession(db: DB, sessionId: string): Promise<string[] | null> {
  const row = await db
    .selectFrom('sessions')
    .innerJoin('projects', 'projects.id', 'sessions.project_id')
    .select('projects.organiser_id')
    .where('sessions.id', '=', sessionId)
    .executeTakeFirst();
  return row ? [row.organiser_id] : null;
}

/** An online learning platform lies where the organisation that registered it is. */
export async function organisationOfPlatform(db: DB, platformId: string): Promise<string[] | null> {
  const row = await db.selectFrom('online_platforms').select('organisation_id').where('id', '=', platformId).executeTakeFirst();
  return row ? [row.organisation_id] : null;
}

export async function organisationOfProject(db: DB, projectId: string): Promise<string[] | null> {
  const row = await db.selectFrom('projects').select('organiser_id').where('id', '=', projectId).executeTakeFirst();
  return row ? [row.organiser_id] : null;
}

export async function organisationsOfPersons(db: DB, personIds: readonly string[]): Promise<string[] | null> {
  const rows = await db.selectFrom('persons').select(['institution_id', 'department_id']).where('id', 'in', personIds).execute();
  return allFound(personIds, rows);
}

/** The organisation itself, if it exists (a unit, a department, a city named by id). */
export async function existingOrganisation(db: DB, organisationId: string): Promise<string[] | null> {
  const row = await db.selectFrom('organisations').select('id').where('id', '=', organisationId).executeTakeFirst();
  return row ? [row.id] : null;
}

/** A department lies under its unit: the unit's administrator manages it. */
export async function unitOfDepartment(db: DB, departmentId: string): Promise<string[] | null> {
  const row = await db.selectFrom('organisations').select('parent_id').where('id', '=', departmentId).where('kind', '=', 'department').executeTakeFirst();
  return row?.parent_id ? [row.parent_id] : null;
}

/** The provinces whose stored region code has this province division code. */
export async function provincesOfRegion(db: DB, region: string): Promise<string[] | null> {
  const provinces = await db.selectFrom('organisations').select(['id', 'region_code']).where('kind', '=', 'province').execute();
  const found = provinces.filter((p) => provinceCodeOfRegion(p.region_code) === region).map((p) => p.id);
  return found.length ? found : null;
}

/** A record that belongs to a person (a card, a ledger entry, a proof, a claim) lies where the person is. */
export async function organisationsOfPersonRecords(
  db: DB,
  table: 'credentials' | 'ledger_entries' | 'proofs' | 'claims',
  ids: readonly string[],
): Promise<string[] | null> {
  const rows = await db
    .selectFrom(table)
    .innerJoin('persons', 'persons.id', `${table}.person_id`)
    .select(['persons.institution_id', 'persons.department_id'])
    .where(`${table}.id`, 'in', ids)
    .execute();
  return allFound(ids, rows);
}

/** A verification run lies at its unit. */
export async function organisationsOfRuns(db: DB, runIds: readonly string[]): Promise<string[] | null> {
  const rows = await db.selectFrom('verification_runs').select('organisation_id').where('id', 'in', runIds).execute();
  return rows.length === new Set(runIds).size ? rows.map((r) => r.organisation_id) : null;
}

/** A proxy-tap alert lies where the organiser of its session is. */
export async function organisationOfAlert(db: DB, alertId: string): Promise<string[] | null> {
  const row = await db.selectFrom('proxy_alerts').select('organisation_id').where('id', '=', alertId).executeTakeFirst();
  return row ? [row.organisation_id] : null;
}

/** An import batch lies where it was imported: its unit (or province, for a province's list). */
export async function organisationOfImportBatch(db: DB, batchId: string): Promise<string[] | null> {
  const row = await db.selectFrom('exchange_batches').select('scope_id').where('id', '=', batchId).executeTakeFirst();
  return row ? [row.scope_id] : null;
}

/** A transfer (调动) is the receiving unit's to decide: it lies there. */
export async function destinationOfTransfer(db: DB, transferId: string): Promise<string[] | null> {
  const row = await db.selectFrom('transfers').select('to_institution_id').where('id', '=', transferId).executeTakeFirst();
  return row ? [row.to_institution_id] : null;
}

/** An HR token lies where the organisation it reads is. */
export async function organisationOfHrToken(db: DB, tokenId: string): Promise<string[] | null> {
  const row = await db.selectFrom('hr_tokens').select('organisation_id').where('id', '=', tokenId).executeTakeFirst();
  return row ? [row.organisation_id] : null;
}
