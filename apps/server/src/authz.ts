// Who may call what: one table, procedure × role, and one middleware that applies it to every
// procedure before it runs. A procedure missing from the table cannot be called at all.
import { sql } from 'kysely';
import { provinceCodeOfRegion } from '@opencme/core';
import { z } from 'zod';
import type { DB } from './db/connect.ts';

export const ROLES = [
  'province-admin', // 省继教办
  'city-admin', // 市州卫健委
  'unit-admin', // 单位管理员（医教科）
  'department-reviewer', // 科室审核
  'staff', // 卫生技术人员 / 学员
] as const;
export type Role = (typeof ROLES)[number];

/**
 * The organisations a call acts on, read from its raw input; every one must lie within the
 * caller's part of the tree. `null` when the input names nothing that exists.
 */
type Target = (db: DB, input: unknown) => Promise<string[] | null>;

export type AccessRule =
  | { kind: 'public' }
  /** A paired, not revoked kiosk (刷卡设备): it can do nothing but sync. */
  | { kind: 'device' }
  /** A signed-in account of one of these roles; `target` adds the scope check. */
  | { kind: 'user'; roles: readonly Role[]; target?: Target };

const PUBLIC: AccessRule = { kind: 'public' };
const DEVICE: AccessRule = { kind: 'device' };
const user = (roles: readonly Role[], target?: Target): AccessRule => (target ? { kind: 'user', roles, target } : { kind: 'user', roles });

const idField = <K extends string>(key: K) => z.object({ [key]: z.string() } as Record<K, z.ZodString>);

const deviceOrg: Target = async (db, input) => {
  const parsed = idField('deviceId').safeParse(input);
  if (!parsed.success) return null;
  const row = await db.selectFrom('devices').select('institution_id').where('id', '=', parsed.data.deviceId).executeTakeFirst();
  return row ? [row.institution_id] : null;
};

const sessionOrg: Target = async (db, input) => {
  const parsed = idField('sessionId').safeParse(input);
  if (!parsed.success) return null;
  const row = await db
    .selectFrom('sessions')
    .innerJoin('projects', 'projects.id', 'sessions.project_id')
    .select('projects.organiser_id')
    .where('sessions.id', '=', parsed.data.sessionId)
    .executeTakeFirst();
  return row ? [row.organiser_id] : null;
};

const personOrg: Target = async (db, input) => {
  const parsed = idField('personId').safeParse(input);
  if (!parsed.success) return null;
  const row = await db.selectFrom('persons').select(['institution_id', 'department_id']).where('id', '=', parsed.data.personId).executeTakeFirst();
  return row ? [row.department_id ?? row.institution_id] : null;
};

/** The organisation named by an input field itself (a unit, a department, a city). */
const organisationField =
  (key: string): Target =>
  async (db, input) => {
    const parsed = idField(key).safeParse(input);
    if (!parsed.success) return null;
    const row = await db.selectFrom('organisations').select('id').where('id', '=', parsed.data[key]!).executeTakeFirst();
    return row ? [row.id] : null;
  };

/** Every person of a bulk action must be in scope. */
const personsOrg: Target = async (db, input) => {
  const parsed = z.object({ personIds: z.array(z.string()).min(1) }).safeParse(input);
  if (!parsed.success) return null;
  const rows = await db.selectFrom('persons').select(['institution_id', 'department_id']).where('id', 'in', parsed.data.personIds).execute();
  return rows.length === new Set(parsed.data.personIds).size ? rows.map((r) => r.department_id ?? r.institution_id) : null;
};

const credentialOrg: Target = async (db, input) => {
  const parsed = idField('credentialId').safeParse(input);
  if (!parsed.success) return null;
  const row = await db
    .selectFrom('credentials')
    .innerJoin('persons', 'persons.id', 'credentials.person_id')
    .select(['persons.institution_id', 'persons.department_id'])
    .where('credentials.id', '=', parsed.data.credentialId)
    .executeTakeFirst();
  return row ? [row.department_id ?? row.institution_id] : null;
};

const departmentParent: Target = async (db, input) => {
  const parsed = idField('departmentId').safeParse(input);
  if (!parsed.success) return null;
  const row = await db.selectFrom('organisations').select('parent_id').where('id', '=', parsed.data.departmentId).where('kind', '=', 'department').executeTakeFirst();
  return row?.parent_id ? [row.parent_id] : null;
};
const projectOrg: Target = async (db, input) => {
  const parsed = idField('projectId').safeParse(input);
  if (!parsed.success) return null;
  const row = await db.selectFrom('projects').select('organiser_id').where('id', '=', parsed.data.projectId).executeTakeFirst();
  return row ? [row.organiser_id] : null;
};

/** The province whose division code the input's `region` names: its office owns that region's rule sets. */
const regionOrg: Target = async (db, input) => {
  const parsed = z.object({ region: z.string() }).safeParse(input);
  if (!parsed.success) return null;
  const provinces = await db.selectFrom('organisations').select(['id', 'region_code']).where('kind', '=', 'province').execute();
  const found = provinces.filter((p) => provinceCodeOfRegion(p.region_code) === parsed.data.region).map((p) => p.id);
  return found.length ? found : null;
};

/** A record that belongs to a person (a ledger entry, a proof): in scope where the person is. */
const personRecordOrg =
  (table: 'ledger_entries' | 'proofs', key: string): Target =>
  async (db, input) => {
    const parsed = idField(key).safeParse(input);
    if (!parsed.success) return null;
    const row = await db
      .selectFrom(table)
      .innerJoin('persons', 'persons.id', `${table}.person_id`)
      .select(['persons.institution_id', 'persons.department_id'])
      .where(`${table}.id`, '=', (parsed.data as Record<string, string>)[key]!)
      .executeTakeFirst();
    return row ? [row.department_id ?? row.institution_id] : null;
  };
const ledgerEntryOrg = personRecordOrg('ledger_entries', 'ledgerEntryId');
const proofOrg = personRecordOrg('proofs', 'proofId');

/** Claims named by `claimId` or `claimIds`: every claimant must lie within the caller's scope. */
const claimsOrg: Target = async (db, input) => {
  const parsed = z.union([z.object({ claimIds: z.array(z.string()).min(1) }), idField('claimId')]).safeParse(input);
  if (!parsed.success) return null;
  const ids = 'claimIds' in parsed.data ? parsed.data.claimIds : [parsed.data.claimId];
  const rows = await db
    .selectFrom('claims')
    .innerJoin('persons', 'persons.id', 'claims.person_id')
    .select(['persons.institution_id', 'persons.department_id'])
    .where('claims.id', 'in', ids)
    .execute();
  return rows.length === new Set(ids).size ? rows.map((r) => r.department_id ?? r.institution_id) : null;
};

/** Verification runs named by `runId` or `runIds`: in scope where their unit is. */
const runsOrg: Target = async (db, input) => {
  const parsed = z.union([z.object({ runIds: z.array(z.string()).min(1) }), idField('runId')]).safeParse(input);
  if (!parsed.success) return null;
  const ids = 'runIds' in parsed.data ? parsed.data.runIds : [parsed.data.runId];
  const rows = await db.selectFrom('verification_runs').select('organisation_id').where('id', 'in', ids).execute();
  return rows.length === new Set(ids).size ? rows.map((r) => r.organisation_id) : null;
};

const both =
  (...targets: Target[]): Target =>
  async (db, input) => {
    const found = await Promise.all(targets.map((t) => t(db, input)));
    return found.some((f) => f === null) ? null : found.flat() as string[];
  };

const ALL_ROLES = ROLES;
const ADMINS = ['province-admin', 'city-admin', 'unit-admin'] as const;
const OFFICES = ['province-admin', 'city-admin'] as const;
const REVIEWERS = ['unit-admin', 'department-reviewer'] as const;
/** The offices that review projects (which one may act on a given project is the router's check). */
const PROJECT_OFFICES = ADMINS;
/** Accounts that review claims, each at its own stage of the chain (科室 → 单位 → 市州 → 省). */
const CLAIM_REVIEWERS = ['province-admin', 'city-admin', 'unit-admin', 'department-reviewer'] as const satisfies readonly Role[];
/** Accounts that print and revoke proofs: the unit's office and the offices above it. */
const PROOF_OFFICES = ADMINS;

export const ACCESS = {
  'auth.login': PUBLIC,
  'auth.me': PUBLIC,
  'auth.logout': user(ALL_ROLES),
  'auth.changePassword': user(ALL_ROLES),
  'auth.createAccount': user(ADMINS, organisationField('organisationId')),
  'devices.pair': PUBLIC,
  'devices.list': user(['unit-admin']),
  'devices.create': user(['unit-admin']),
  'devices.repair': user(['unit-admin'], deviceOrg),
  'devices.revoke': user(['unit-admin'], deviceOrg),
  'devices.assignSession': user(['unit-admin'], both(deviceOrg, sessionOrg)),
  'persons.revealIdNumber': user(REVIEWERS, personOrg),
  'registration.searchUnits': PUBLIC,
  'registration.departments': PUBLIC,
  'registration.submit': PUBLIC,
  'registration.status': PUBLIC,
  'registry.staff': user([...ADMINS, 'department-reviewer'], organisationField('organisationId')),
  'registry.person': user([...ADMINS, 'department-reviewer'], personOrg),
  'registry.review': user(REVIEWERS, personsOrg),
  'registry.bindCard': user(['unit-admin'], personOrg),
  'registry.reportLost': user(['unit-admin'], credentialOrg),
  'registry.auditLog': user(ADMINS, organisationField('organisationId')),
  'registry.cardSheet': user(['unit-admin'], personsOrg),
  'registry.setTitle': user(['unit-admin'], personOrg),
  'sessions.list': user(['unit-admin']),
  'sessions.attendance': user(['unit-admin'], sessionOrg),
  'projects.list': user(PROJECT_OFFICES),
  'projects.get': user(PROJECT_OFFICES, projectOrg),
  'projects.declare': user(['unit-admin']),
  'projects.leadTime': user(['unit-admin']),
  'projects.submit': user(['unit-admin'], projectOrg),
  'projects.update': user(['unit-admin'], projectOrg),
  'projects.delete': user(['unit-admin'], projectOrg),
  'projects.review': user(PROJECT_OFFICES, projectOrg),
  'projects.report': user(['unit-admin'], projectOrg),
  'projects.recordAssessments': user(['unit-admin'], projectOrg),
  'projects.importAssessments': user(['unit-admin'], projectOrg),
  'projects.submitCredits': user(['unit-admin'], projectOrg),
  'projects.reviewCredits': user(PROJECT_OFFICES, projectOrg),
  'projects.saveSettings': user(['province-admin'], organisationField('provinceId')),
  'sessions.correctAttendance': user(['unit-admin'], sessionOrg),
  'sessions.exportRoster': user(['unit-admin'], sessionOrg),
  'lookup.credits': PUBLIC,
  'claims.submit': user(['staff']),
  'claims.withdraw': user(['staff'], claimsOrg),
  'claims.mine': user(['staff']),
  'claims.queue': user(CLAIM_REVIEWERS),
  'claims.review': user(CLAIM_REVIEWERS, claimsOrg),
  'claims.evidence': user(CLAIM_REVIEWERS, claimsOrg),
  'proofs.printPerson': user(PROOF_OFFICES, personOrg),
  'proofs.printOrganisation': user(PROOF_OFFICES, organisationField('organisationId')),
  'proofs.printCertificate': user(PROOF_OFFICES, ledgerEntryOrg),
  'proofs.printMine': user(['staff']),
  // Anyone who may print follows their own jobs only (the job knows its owner).
  'proofs.job': user([...PROOF_OFFICES, 'staff']),
  'proofs.revoke': user(PROOF_OFFICES, proofOrg),
  'proofs.status': PUBLIC,
  // The seal is the unit's own: read and set for the caller's unit, never another's.
  'proofs.seal': user(PROOF_OFFICES),
  'proofs.setSeal': user(['unit-admin']),
  'ruleSets.list': user(ALL_ROLES),
  'ruleSets.copyForYear': user(['province-admin'], regionOrg),
  'standing.departments': user(CLAIM_REVIEWERS),
  'standing.person': user(ALL_ROLES, personOrg),
  'standing.organisation': user(['province-admin', 'city-admin', 'unit-admin', 'department-reviewer'], organisationField('organisationId')),
  'verification.run': user(['unit-admin'], organisationField('organisationId')),
  'verification.results': user(PROOF_OFFICES, runsOrg),
  'verification.runs': user(PROOF_OFFICES, organisationField('organisationId')),
  'verification.submit': user(['unit-admin'], runsOrg),
  'verification.forward': user(['city-admin'], runsOrg),
  'verification.compliance': user(CLAIM_REVIEWERS, organisationField('organisationId')),
  'verification.forecast': user(CLAIM_REVIEWERS, organisationField('organisationId')),
  'verification.trend': user(CLAIM_REVIEWERS, organisationField('organisationId')),
  'verification.people': user(CLAIM_REVIEWERS, organisationField('organisationId')),
  'verification.export': user(CLAIM_REVIEWERS, organisationField('organisationId')),
  'sync.push': DEVICE,
  'sync.pull': DEVICE,
  'units.cities': PUBLIC,
  'units.register': PUBLIC,
  'units.pending': user(OFFICES),
  'units.verify': user(OFFICES, organisationField('unitId')),
  'units.departments': user(ADMINS, organisationField('unitId')),
  'units.addDepartment': user(['unit-admin'], organisationField('unitId')),
  'units.renameDepartment': user(['unit-admin'], departmentParent),
} as const satisfies Record<string, AccessRule>;

export type ProcedurePath = keyof typeof ACCESS;

/** Whether `organisationId` is `scopeRoot` or lies below it in the organisation tree. */
export async function withinScope(db: DB, scopeRoot: string, organisationId: string): Promise<boolean> {
  const row = await sql<{ found: number }>`
    with recursive ancestors(id, parent_id) as (
      select id, parent_id from organisations where id = ${organisationId}
      union all
      select o.id, o.parent_id from organisations o join ancestors a on o.id = a.parent_id
    )
    select 1 as found from ancestors where id = ${scopeRoot}`.execute(db);
  return row.rows.length > 0;
}
