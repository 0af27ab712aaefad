// Who may call what: one table, procedure × role, and one middleware that applies it to every
// procedure before it runs. A procedure missing from the table cannot be called at all.
import { z } from 'zod';
import type { DB } from './db/connect.ts';
import {
  destinationOfTransfer,
  existingOrganisation,
  organisationOfAlert,
  organisationOfDevice,
  organisationOfImportBatch,
  organisationOfPlatform,
  organisationOfProject,
  organisationOfSession,
  organisationsOfPersonRecords,
  organisationsOfPersons,
  organisationsOfRuns,
  organisationOfHrToken,
  provincesOfRegion,
  unitOfDepartment,
} from './repositories/scopes.ts';
import { ROLES, type Role } from './role.ts';

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

const byId =
  (key: string, find: (db: DB, id: string) => Promise<string[] | null>): Target =>
  async (db, input) => {
    const parsed = idField(key).safeParse(input);
    return parsed.success ? find(db, (parsed.data as Record<string, string>)[key]!) : null;
  };

/**
 * Records named by `one` and by the list `many` (a bulk action), both when both are sent: the
 * procedure may read either, so a list sent beside a single id must not stand in for it in the
 * scope check. Every one must be in scope.
 */
const byIds =
  (one: string | null, many: string, find: (db: DB, ids: string[]) => Promise<string[] | null>): Target =>
  async (db, input) => {
    const shape: Record<string, z.ZodOptional<z.ZodString> | z.ZodOptional<z.ZodArray<z.ZodString>>> = { [many]: z.array(z.string()).optional() };
    if (one) shape[one] = z.string().optional();
    const parsed = z.object(shape).safeParse(input);
    if (!parsed.success) return null;
    const data = parsed.data as Record<string, string | string[] | undefined>;
    const ids = [...(one && typeof data[one] === 'string' ? [data[one]] : []), ...((data[many] as string[] | undefined) ?? [])];
    return ids.length ? find(db, ids) : null;
  };

const deviceOrg = byId('deviceId', organisationOfDevice);
const sessionOrg = byId('sessionId', organisationOfSession);
const personOrg = byId('personId', (db, id) => organisationsOfPersons(db, [id]));
/** The organisation named by an input field itself (a unit, a department, a city). */
const organisationField = (key: string): Target => byId(key, existingOrganisation);
const personsOrg = byIds(null, 'personIds', organisationsOfPersons);
/** The person an input may name (`personId` absent or null names none): in scope when named. */
const optionalPersonOrg: Target = async (db, input) => {
  const parsed = z.object({ personId: z.string().nullish() }).safeParse(input);
  if (!parsed.success) return null;
  return parsed.data.personId ? organisationsOfPersons(db, [parsed.data.personId]) : [];
};
const credentialOrg = byId('credentialId', (db, id) => organisationsOfPersonRecords(db, 'credentials', [id]));
const departmentParent = byId('departmentId', unitOfDepartment);
const projectOrg = byId('projectId', organisationOfProject);
/** The province whose division code the input's `region` names: its office owns that region's rule sets. */
const regionOrg = byId('region', provincesOfRegion);
const ledgerEntryOrg = byId('ledgerEntryId', (db, id) => organisationsOfPersonRecords(db, 'ledger_entries', [id]));
const proofOrg = byId('proofId', (db, id) => organisationsOfPersonRecords(db, 'proofs', [id]));
/** Claims named by `claimId` or `claimIds`: every claimant must lie within the caller's scope. */
const claimsOrg = byIds('claimId', 'claimIds', (db, ids) => organisationsOfPersonRecords(db, 'claims', ids));
/** Verification runs named by `runId` or `runIds`: in scope where their unit is. */
const runsOrg = byIds('runId', 'runIds', organisationsOfRuns);
/** A proxy-tap alert: where the organiser of its session is. */
const alertOrg = byId('alertId', organisationOfAlert);
/** A transfer lies at the unit it goes to: only that unit's office accepts or declines it. */
const transferDestination = byId('transferId', destinationOfTransfer);

const both =
  (...targets: Target[]): Target =>
  async (db, input) => {
    const found = await Promise.all(targets.map((t) => t(db, input)));
    return found.some((f) => f === null) ? null : (found.flat() as string[]);
  };

/** A person or an organisation, whichever the input names (each one sent must be in scope). */
const personOrOrganisation: Target = async (db, input) => {
  const named = z.object({ personId: z.unknown(), organisationId: z.unknown() }).partial().safeParse(input);
  if (!named.success) return null;
  const targets = [named.data.personId !== undefined && personOrg, named.data.organisationId !== undefined && organisationField('organisationId')].filter(
    (t): t is Target => t !== false,
  );
  return targets.length ? both(...targets)(db, input) : null;
};

const ALL_ROLES = ROLES;
const ADMINS = ['province-admin', 'city-admin', 'unit-admin'] as const;
const OFFICES = ['province-admin', 'city-admin'] as const;
const REVIEWERS = ['unit-admin', 'department-reviewer'] as const;
/** The offices that review projects (which one may act on a given project is the router's check). */
const PROJECT_OFFICES = ADMINS;
/** Accounts that review claims, each at its own stage of the chain (科室 → 单位 → 市州 → 省). */
const CLAIM_REVIEWERS = ['province-admin', 'city-admin', 'unit-admin', 'department-reviewer'] as const satisfies readonly Role[];
/**
 * Who corrects and sanctions a person's credits (冲销, 作废年度学分): her unit's office, which
 * enters and checks its staff's credits (录入、审核本单位学分), and the province's office, which
 * grants project credits and acts on cheating; the city verifies (审验) but writes no credits.
 */
const LEDGER_CORRECTORS = ['province-admin', 'unit-admin'] as const satisfies readonly Role[];
/** Accounts that print and revoke proofs: the unit's office and the offices above it. */
const PROOF_OFFICES = ADMINS;
/**
 * Who may read a person's full ID number, for people in their part of the tree: on screen
 * (`persons.revealIdNumber`) and in exports; everyone else reads it masked.
 */
export const FULL_ID_NUMBER_READERS: readonly Role[] = REVIEWERS;

export const ACCESS = {
  // Proxy-tap (代刷) alerts go to the organiser's reviewers, who also correct its attendance.
  'alerts.list': user(['unit-admin']),
  'alerts.decide': user(['unit-admin'], alertOrg),
  'auth.login': PUBLIC,
  'auth.me': PUBLIC,
  'auth.logout': user(ALL_ROLES),
  'auth.changePassword': user(ALL_ROLES),
  // Within the creator's part of the tree, of her rank or below (the service's check), for a person of hers.
  'auth.createAccount': user(ADMINS, both(organisationField('organisationId'), optionalPersonOrg)),
  'accounts.list': user(['unit-admin'], organisationField('organisationId')),
  // The unit's office hands the code over in person: the unit admin of the person's unit (or above it in the tree) only.
  'accounts.issueResetCode': user(['unit-admin'], personOrg),
  // A staff member's own pages: each reads the caller's own person, never one named in the input.
  'me.profile': user(['staff']),
  'me.standing': user(['staff']),
  'me.attendance': user(['staff']),
  'me.certificates': user(['staff']),
  'devices.pair': PUBLIC,
  'devices.list': user(['unit-admin']),
  'devices.create': user(['unit-admin']),
  'devices.repair': user(['unit-admin'], deviceOrg),
  'devices.revoke': user(['unit-admin'], deviceOrg),
  'devices.assignSession': user(['unit-admin'], both(deviceOrg, sessionOrg)),
  // Enrolment (报名): the catalogue is public and names no one; staff enrol only themselves (the
  // input names no person); a unit's office enrols only people within its scope; the organiser's
  // office alone reads and closes a project's list and records its external attendees.
  'enrolment.catalogue': PUBLIC,
  'enrolment.mine': user(['staff']),
  'enrolment.enrolSelf': user(['staff']),
  'enrolment.enrolStaff': user(['unit-admin'], personsOrg),
  'enrolment.list': user(['unit-admin'], projectOrg),
  'enrolment.close': user(['unit-admin'], projectOrg),
  'enrolment.recordExternal': user(['unit-admin'], projectOrg),
  'enrolment.assessExternal': user(['unit-admin'], both(projectOrg, personOrg)),
  'persons.revealIdNumber': user(FULL_ID_NUMBER_READERS, personOrg),
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
  // Registry maintenance (issue 12): the unit's office keeps its own people; a transfer out is
  // started where she is and decided where she goes.
  'registry.addPerson': user(['unit-admin'], organisationField('departmentId')),
  'registry.editPerson': user(['unit-admin'], personOrg),
  'registry.history': user([...ADMINS, 'department-reviewer'], personOrg),
  'registry.moveDepartment': user(['unit-admin'], both(personOrg, organisationField('departmentId'))),
  'registry.requestTransfer': user(['unit-admin'], personOrg),
  'registry.decideTransfer': user(['unit-admin'], transferDestination),
  'registry.transfers': user(['unit-admin']),
  'registry.recordLeaving': user(['unit-admin'], personOrg),
  'registry.replaceCard': user(['unit-admin'], credentialOrg),
  'registry.cancelCard': user(['unit-admin'], credentialOrg),
  'registry.cardFees': user(ADMINS, organisationField('organisationId')),
  'registry.setCardFees': user(['province-admin'], organisationField('provinceId')),
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
  'projects.submitCredits': user(['unit-admin'], projectOrg),
  'projects.reviewCredits': user(PROJECT_OFFICES, projectOrg),
  'projects.reviewReport': user(PROJECT_OFFICES, projectOrg),
  // 项目废止: the organiser's office or an office above it (which one reviews it is the chain's business).
  'projects.cancel': user(PROJECT_OFFICES, projectOrg),
  'projects.attachFiles': user(['unit-admin'], projectOrg),
  'projects.removeFile': user(['unit-admin'], projectOrg),
  'projects.saveSettings': user(['province-admin'], organisationField('provinceId')),
  'sessions.correctAttendance': user(['unit-admin'], sessionOrg),
  // Online learning platforms: an admin registers them for the own organisation (a unit, or an
  // office for the units below it) and revokes those of the own part of the tree.
  'online.platforms': user(ADMINS),
  'online.registerPlatform': user(ADMINS),
  'online.revokePlatform': user(ADMINS, byId('platformId', organisationOfPlatform)),
  'lookup.credits': PUBLIC,
  'claims.submit': user(['staff']),
  'claims.withdraw': user(['staff'], claimsOrg),
  'claims.mine': user(['staff']),
  'claims.queue': user(CLAIM_REVIEWERS),
  'claims.review': user(CLAIM_REVIEWERS, claimsOrg),
  'proofs.printPerson': user(PROOF_OFFICES, personOrg),
  'proofs.printOrganisation': user(PROOF_OFFICES, organisationField('organisationId')),
  'proofs.printCertificate': user(PROOF_OFFICES, ledgerEntryOrg),
  'proofs.printMine': user(['staff']),
  'proofs.printMyCertificate': user(['staff']),
  'proofs.printAnnualCertificate': user(PROOF_OFFICES, personOrg),
  'proofs.printMyAnnualCertificate': user(['staff']),
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
  // 统计报表: the offices for their own part of the tree (a unit's office for its unit alone).
  'standing.statistics': user(ADMINS, organisationField('organisationId')),
  'sanctions.reverseEntry': user(LEDGER_CORRECTORS, ledgerEntryOrg),
  'sanctions.voidYear': user(LEDGER_CORRECTORS, personOrg),
  // Barring an organiser (取消办班资格) is the province's: it approves the projects.
  'sanctions.barOrganiser': user(['province-admin'], organisationField('organisationId')),
  'sanctions.bars': user(['province-admin']),
  'standing.organisation': user(['province-admin', 'city-admin', 'unit-admin', 'department-reviewer'], organisationField('organisationId')),
  'verification.run': user(['unit-admin'], organisationField('organisationId')),
  'verification.results': user(PROOF_OFFICES, runsOrg),
  'verification.runs': user(PROOF_OFFICES, organisationField('organisationId')),
  'verification.submit': user(['unit-admin'], runsOrg),
  'verification.forward': user(['city-admin'], runsOrg),
  // Only the province office decides (备案 / 退回), on runs of units in its province.
  'verification.accept': user(['province-admin'], runsOrg),
  'verification.return': user(['province-admin'], runsOrg),
  'verification.compliance': user(CLAIM_REVIEWERS, organisationField('organisationId')),
  'verification.forecast': user(CLAIM_REVIEWERS, organisationField('organisationId')),
  'verification.trend': user(CLAIM_REVIEWERS, organisationField('organisationId')),
  'verification.people': user(CLAIM_REVIEWERS, organisationField('organisationId')),
  // Downloads (GET /api/files/…, downloads.ts): files as files, decided like the procedures.
  'files.sessionRoster': user(['unit-admin'], sessionOrg),
  'files.claimEvidence': user(CLAIM_REVIEWERS, claimsOrg),
  // A project's files: its organiser's office and the offices above it that review it, no other unit.
  'files.projectFile': user(PROJECT_OFFICES, projectOrg),
  'files.statistics': user(ADMINS, organisationField('organisationId')),
  'files.complianceList': user(CLAIM_REVIEWERS, organisationField('organisationId')),
  'files.deviceTaps': user(['unit-admin'], deviceOrg),
  'files.unitSeal': user(PROOF_OFFICES),
  // The hand-off to HR carries full ID numbers: the unit's office and the offices above it, audited per person.
  'files.hrHandoff': user(PROOF_OFFICES, organisationField('organisationId')),
  // HR systems' tokens: made and revoked by the province office (for any of its units) or a unit's own office.
  'hr.tokens': user(['province-admin', 'unit-admin'], organisationField('organisationId')),
  'hr.createToken': user(['province-admin', 'unit-admin'], organisationField('organisationId')),
  'hr.revokeToken': user(['province-admin', 'unit-admin'], byId('tokenId', organisationOfHrToken)),
  'files.personPhoto': user([...ADMINS, 'department-reviewer'], personOrg),
  // Whoever may print fetches their own jobs only (the job knows its owner).
  'files.printJob': user([...PROOF_OFFICES, 'staff']),
  // Exports of the exchange (GET /api/exchange/:kind/export, downloads.ts): whoever reads the same
  // records on screen, in the same scope.
  'exchange.export.staff': user([...ADMINS, 'department-reviewer'], organisationField('organisationId')),
  'exchange.export.credits': user(CLAIM_REVIEWERS, personOrOrganisation),
  'exchange.export.verification': user(PROOF_OFFICES, organisationField('organisationId')),
  'exchange.export.attendees': user(['unit-admin'], projectOrg),
  'exchange.export.ledger': user(PROOF_OFFICES, organisationField('organisationId')),
  // Imports (exchange/): a template for any admin; each kind's preview and commit (plain HTTP,
  // exchange/routes.ts) in its row, the scope held against `scope`, the organisation imported into.
  'exchange.templates': user(ADMINS),
  'exchange.staff': user(ADMINS, organisationField('scope')),
  'exchange.units': user(ADMINS),
  // The national project list is the province office's: its scope is the province.
  'exchange.national-projects': user(['province-admin'], organisationField('scope')),
  'exchange.external-credits': user(ADMINS, organisationField('scope')),
  // A project's results: its organiser's admin, the scope being the project's organiser (exchange/service.ts targetOf).
  'exchange.assessments': user(['unit-admin'], organisationField('scope')),
  // An online project's watch time from a platform's file: like its results, its organiser's admin.
  'exchange.watch-time': user(['unit-admin'], organisationField('scope')),
  'exchange.batches': user(ADMINS, organisationField('organisationId')),
  'exchange.undo': user(ADMINS, byId('batchId', organisationOfImportBatch)),
  'sync.push': DEVICE,
  'sync.pull': DEVICE,
  'sync.sessionTaps': DEVICE,
  /** POST /api/sync/photos (roster-photos.ts): thumbnails by hash, only of people on the kiosk's own roster. */
  'files.rosterPhotos': DEVICE,
  'units.cities': PUBLIC,
  'units.register': PUBLIC,
  'units.pending': user(OFFICES),
  'units.verify': user(OFFICES, organisationField('unitId')),
  'units.departments': user(ADMINS, organisationField('unitId')),
  'units.addDepartment': user(['unit-admin'], organisationField('unitId')),
  'units.renameDepartment': user(['unit-admin'], departmentParent),
} as const satisfies Record<string, AccessRule>;

export type ProcedurePath = keyof typeof ACCESS;
