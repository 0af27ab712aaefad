// Walks the whole access table: every procedure, every role, in scope and out of scope. The
// expected matrix is written out here, apart from the code's table, so that changing a row of
// either makes this test fail.
import { DEFAULT_ATTENDANCE_RULES, newId } from '@opencme/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACCESS } from '../src/authz.ts';
import { ROLES, type Role } from '../src/role.ts';
import { assignSession, claimPairingCode, createDevice } from '../src/repositories/devices.ts';
import { submitClaim } from '../src/services/claims.ts';
import { appendLedgerEntries } from '../src/repositories/ledger.ts';
import { advanceRuns, runVerification } from '../src/services/verification.ts';
import { createHrToken } from '../src/services/hr-handoff.ts';
import { issueCreditProofs } from '../src/repositories/proofs.ts';
import { createUser } from '../src/repositories/users.ts';
import { DOWNLOADS, type DownloadName } from '../src/downloads.ts';
import { EXCHANGE_ROUTE_ACCESS } from '../src/exchange/routes.ts';
import { KIOSK_ROUTE_ACCESS } from '../src/roster-photos.ts';
import { appRouter } from '../src/router.ts';
import { makeTaps, startServer, type TestServer } from './harness.ts';

const ADMINS = ['province-admin', 'city-admin', 'unit-admin'] as const;
const OFFICES = ['province-admin', 'city-admin'] as const;

const EXPECTED: Record<string, 'public' | 'device' | readonly Role[]> = {
  'alerts.list': ['unit-admin'],
  'alerts.decide': ['unit-admin'],
  'auth.login': 'public',
  'auth.me': 'public',
  'auth.logout': ROLES,
  'auth.changePassword': ROLES,
  'auth.createAccount': ADMINS,
  'accounts.list': ['unit-admin'],
  'accounts.issueResetCode': ['unit-admin'],
  'me.profile': ['staff'],
  'me.standing': ['staff'],
  'me.attendance': ['staff'],
  'me.certificates': ['staff'],
  'devices.pair': 'public',
  'devices.list': ['unit-admin'],
  'devices.create': ['unit-admin'],
  'devices.repair': ['unit-admin'],
  'devices.revoke': ['unit-admin'],
  'devices.assignSession': ['unit-admin'],
  'lookup.credits': 'public',
  'enrolment.catalogue': 'public',
  'enrolment.mine': ['staff'],
  'enrolment.enrolSelf': ['staff'],
  'enrolment.enrolStaff': ['unit-admin'],
  'enrolment.list': ['unit-admin'],
  'enrolment.close': ['unit-admin'],
  'enrolment.recordExternal': ['unit-admin'],
  'enrolment.assessExternal': ['unit-admin'],
  'persons.revealIdNumber': ['unit-admin', 'department-reviewer'],
  'sessions.list': ['unit-admin'],
  'sessions.attendance': ['unit-admin'],
  'online.platforms': ADMINS,
  'online.registerPlatform': ADMINS,
  'online.revokePlatform': ADMINS,
  'projects.list': ['province-admin', 'city-admin', 'unit-admin'],
  'projects.get': ['province-admin', 'city-admin', 'unit-admin'],
  'projects.declare': ['unit-admin'],
  'projects.leadTime': ['unit-admin'],
  'projects.submit': ['unit-admin'],
  'projects.update': ['unit-admin'],
  'projects.delete': ['unit-admin'],
  'projects.review': ['province-admin', 'city-admin', 'unit-admin'],
  'projects.report': ['unit-admin'],
  'projects.recordAssessments': ['unit-admin'],
  'projects.submitCredits': ['unit-admin'],
  'projects.reviewCredits': ['province-admin', 'city-admin', 'unit-admin'],
  'projects.reviewReport': ['province-admin', 'city-admin', 'unit-admin'],
  'projects.cancel': ['province-admin', 'city-admin', 'unit-admin'],
  'projects.attachFiles': ['unit-admin'],
  'projects.removeFile': ['unit-admin'],
  'projects.saveSettings': ['province-admin'],
  'sessions.correctAttendance': ['unit-admin'],
  'claims.submit': ['staff'],
  'claims.withdraw': ['staff'],
  'claims.mine': ['staff'],
  'claims.queue': ['province-admin', 'city-admin', 'unit-admin', 'department-reviewer'],
  'claims.review': ['province-admin', 'city-admin', 'unit-admin', 'department-reviewer'],
  'proofs.printPerson': ['province-admin', 'city-admin', 'unit-admin'],
  'proofs.printOrganisation': ['province-admin', 'city-admin', 'unit-admin'],
  'proofs.printCertificate': ['province-admin', 'city-admin', 'unit-admin'],
  'proofs.printMine': ['staff'],
  'proofs.printMyCertificate': ['staff'],
  'proofs.printAnnualCertificate': ['province-admin', 'city-admin', 'unit-admin'],
  'proofs.printMyAnnualCertificate': ['staff'],
  'sanctions.reverseEntry': ['province-admin', 'unit-admin'],
  'sanctions.voidYear': ['province-admin', 'unit-admin'],
  'sanctions.barOrganiser': ['province-admin'],
  'sanctions.bars': ['province-admin'],
  'proofs.job': ['province-admin', 'city-admin', 'unit-admin', 'staff'],
  'proofs.revoke': ['province-admin', 'city-admin', 'unit-admin'],
  'proofs.status': 'public',
  'proofs.seal': ['province-admin', 'city-admin', 'unit-admin'],
  'proofs.setSeal': ['unit-admin'],
  'ruleSets.list': ROLES,
  'ruleSets.copyForYear': ['province-admin'],
  'standing.departments': ['province-admin', 'city-admin', 'unit-admin', 'department-reviewer'],
  'standing.person': ROLES,
  'standing.organisation': ['province-admin', 'city-admin', 'unit-admin', 'department-reviewer'],
  'verification.run': ['unit-admin'],
  'verification.results': ['province-admin', 'city-admin', 'unit-admin'],
  'verification.runs': ['province-admin', 'city-admin', 'unit-admin'],
  'verification.submit': ['unit-admin'],
  'verification.forward': ['city-admin'],
  'verification.accept': ['province-admin'],
  'verification.return': ['province-admin'],
  'verification.compliance': ['province-admin', 'city-admin', 'unit-admin', 'department-reviewer'],
  'verification.forecast': ['province-admin', 'city-admin', 'unit-admin', 'department-reviewer'],
  'verification.trend': ['province-admin', 'city-admin', 'unit-admin', 'department-reviewer'],
  'verification.people': ['province-admin', 'city-admin', 'unit-admin', 'department-reviewer'],
  'files.sessionRoster': ['unit-admin'],
  'files.claimEvidence': ['province-admin', 'city-admin', 'unit-admin', 'department-reviewer'],
  'files.projectFile': ['province-admin', 'city-admin', 'unit-admin'],
  'files.statistics': ['province-admin', 'city-admin', 'unit-admin'],
  'standing.statistics': ['province-admin', 'city-admin', 'unit-admin'],
  'files.complianceList': ['province-admin', 'city-admin', 'unit-admin', 'department-reviewer'],
  'files.deviceTaps': ['unit-admin'],
  'files.unitSeal': ['province-admin', 'city-admin', 'unit-admin'],
  'files.hrHandoff': ADMINS,
  'hr.tokens': ['province-admin', 'unit-admin'],
  'hr.createToken': ['province-admin', 'unit-admin'],
  'hr.revokeToken': ['province-admin', 'unit-admin'],
  'files.personPhoto': [...ADMINS, 'department-reviewer'],
  'files.printJob': ['province-admin', 'city-admin', 'unit-admin', 'staff'],
  'exchange.export.staff': [...ADMINS, 'department-reviewer'],
  'exchange.export.credits': ['province-admin', 'city-admin', 'unit-admin', 'department-reviewer'],
  'exchange.export.verification': ADMINS,
  'exchange.export.attendees': ['unit-admin'],
  'exchange.export.ledger': ADMINS,
  'exchange.templates': ADMINS,
  'exchange.staff': ADMINS,
  'exchange.units': ADMINS,
  'exchange.national-projects': ['province-admin'],
  'exchange.external-credits': ADMINS,
  'exchange.assessments': ['unit-admin'],
  'exchange.watch-time': ['unit-admin'],
  'exchange.batches': ADMINS,
  'exchange.undo': ADMINS,
  'sync.push': 'device',
  'sync.pull': 'device',
  'sync.sessionTaps': 'device',
  'files.rosterPhotos': 'device',
  'registration.searchUnits': 'public',
  'registration.departments': 'public',
  'registration.submit': 'public',
  'registration.status': 'public',
  'registry.staff': [...ADMINS, 'department-reviewer'],
  'registry.person': [...ADMINS, 'department-reviewer'],
  'registry.review': ['unit-admin', 'department-reviewer'],
  'registry.bindCard': ['unit-admin'],
  'registry.reportLost': ['unit-admin'],
  'registry.auditLog': ADMINS,
  'registry.cardSheet': ['unit-admin'],
  'registry.setTitle': ['unit-admin'],
  'registry.addPerson': ['unit-admin'],
  'registry.editPerson': ['unit-admin'],
  'registry.history': ['province-admin', 'city-admin', 'unit-admin', 'department-reviewer'],
  'registry.moveDepartment': ['unit-admin'],
  'registry.requestTransfer': ['unit-admin'],
  'registry.decideTransfer': ['unit-admin'],
  'registry.transfers': ['unit-admin'],
  'registry.recordLeaving': ['unit-admin'],
  'registry.replaceCard': ['unit-admin'],
  'registry.cancelCard': ['unit-admin'],
  'registry.cardFees': ADMINS,
  'registry.setCardFees': ['province-admin'],
  'units.cities': 'public',
  'units.register': 'public',
  'units.pending': OFFICES,
  'units.verify': OFFICES,
  'units.departments': ADMINS,
  'units.addDepartment': ['unit-admin'],
  'units.renameDepartment': ['unit-admin'],
};

/** A person as the add and edit forms send her, with an ID number that fails its check. */
const NEW_PERSON = { name: '某人', idNumber: '1', phone: '13900000000', title: '护师', category: 'nurse', degree: 'bachelor' };

let server: TestServer;
const cookies = new Map<Role, string>();
let deviceToken: string;
let inputs: Record<string, { inScope: unknown; outOfScope?: unknown }>;

async function org(kind: 'province' | 'city' | 'institution' | 'department', name: string, parentId: string | null, regionCode: string | null = null) {
  const id = newId();
  await server.db
    .insertInto('organisations')
    .values({ id, kind, name, parent_id: parentId, credit_code: null, region_code: regionCode, created_at: server.clock.now.toISOString() })
    .execute();
  return id;
}

// Five accounts, each hashed and signed in with a memory-hard function: slow on a loaded 2-core machine.
beforeAll(async () => {
  server = await startServer();
  const db = server.db;
  const now = server.clock.now;
  const hospitalA = await db.selectFrom('organisations').select(['id', 'parent_id']).where('kind', '=', 'institution').executeTakeFirstOrThrow();
  const cityA = hospitalA.parent_id!;
  const provinceA = (await db.selectFrom('organisations').select('parent_id').where('id', '=', cityA).executeTakeFirstOrThrow()).parent_id!;
  const personA = await db.selectFrom('persons').select(['id', 'department_id']).where('department_id', 'is not', null).executeTakeFirstOrThrow();
  const sessionA = await db.selectFrom('sessions').select(['id', 'project_id']).executeTakeFirstOrThrow();

  // A second province with its own hospital, device, session and person: outside every account's scope.
  const provinceB = await org('province', '四川省', null, '510000');
  const hospitalB = await org('institution', '成都市某医院', await org('city', '成都市', provinceB));
  const departmentB = await org('department', '内科', hospitalB);
  const personB = newId();
  await db
    .insertInto('persons')
    .values({
      id: personB,
      name: '外省人',
      gender: 'male',
      ...server.vault.seal('510104198001010015'),
      phone: null,
      institution_id: hospitalB,
      department_id: departmentB,
      title: null,
      category: 'doctor',
      cme_number: null,
      photo_hash: null,
      version: 0,
      created_at: now.toISOString(),
      updated_at: now.toISOString(),
    })
    .execute();
  const projectB = newId();
  await db
    .insertInto('projects')
    .values({
      id: projectB,
      number: 'B-1',
      name: '外省项目',
      level: 'provincial',
      credit_class: 'I',
      credits: 1,
      organiser_id: hospitalB,
      venue: '成都',
      starts_on: '2026-11-22',
      ends_on: '2026-11-22',
      mode: 'onsite',
      created_at: now.toISOString(),
    })
    .execute();
  // A draft of hospital A: what cancels or reviews a report must not move the project the other rows use.
  const projectDraftA = newId();
  await db
    .insertInto('projects')
    .values({
      id: projectDraftA,
      number: 'A-draft',
      name: '草稿项目',
      level: 'provincial',
      credit_class: 'I',
      credits: 1,
      organiser_id: hospitalA.id,
      venue: '合肥',
      starts_on: '2026-12-22',
      ends_on: '2026-12-22',
      mode: 'onsite',
      created_at: now.toISOString(),
    })
    .execute();
  const sessionB = newId();
  await db
    .insertInto('sessions')
    .values({
      id: sessionB,
      project_id: projectB,
      title: '上午',
      venue: '成都',
      starts_at: '2026-11-22T08:00:00+08:00',
      ends_at: '2026-11-22T12:00:00+08:00',
      created_at: now.toISOString(),
    })
    .execute();
  const deviceB = await createDevice(db, { name: '外省签到机', institutionId: hospitalB, now });
  const credentialA = await db.selectFrom('credentials').select('id').where('person_id', '=', personA.id).executeTakeFirstOrThrow();
  const credentialB = newId();
  await db
    .insertInto('credentials')
    .values({
      id: credentialB,
      person_id: personB,
      kind: 'ic-card',
      value: 'B0B0B0B0',
      status: 'active',
      version: 0,
      created_at: now.toISOString(),
      issue_category: 'II',
      lost_at: null,
    })
    .execute();
  // Transfers (调动) waiting at each hospital: only the receiving unit decides one.
  const transfer = async (personId: string, from: string, to: string) => {
    const id = newId();
    const by = (await db.selectFrom('users').select('id').executeTakeFirstOrThrow()).id;
    await db
      .insertInto('transfers')
      .values({
        id,
        person_id: personId,
        from_institution_id: from,
        to_institution_id: to,
        to_department_id: null,
        reason: '调动',
        status: 'pending',
        requested_by: by,
        requested_at: now.toISOString(),
        decided_by: null,
        decided_at: null,
      })
      .execute();
    return id;
  };
  const transferToA = await transfer(personB, hospitalB, hospitalA.id);
  const transferToB = await transfer(personA.id, hospitalA.id, hospitalB);
  const deviceA = await createDevice(db, { name: '测试签到机', institutionId: hospitalA.id, now });
  const syncDevice = await createDevice(db, { name: '同步签到机', institutionId: hospitalA.id, now });
  await assignSession(db, syncDevice.id, sessionA.id, now);
  deviceToken = (await claimPairingCode(db, syncDevice.pairingCode, now))!.token;

  const scopes: Record<Role, string> = {
    'province-admin': provinceA,
    'city-admin': cityA,
    'unit-admin': hospitalA.id,
    'department-reviewer': personA.department_id!,
    staff: personA.department_id!,
  };
  for (const role of ROLES) {
    await createUser(db, { login: `authz-${role}`, displayName: role, password: `pw-${role}`, role, organisationId: scopes[role], now });
    cookies.set(role, await server.login({ login: `authz-${role}`, password: `pw-${role}` }));
  }

  const attendance = (personId: string) => ({
    personId,
    cmeYear: 2026,
    creditClass: 'I' as const,
    level: 'provincial' as const,
    credits: 2,
    sourceKind: 'attendance' as const,
    sourceId: sessionA.id,
    sourceLabel: '急危重症',
    approvedBy: null,
    at: now,
  });
  const [entryA] = await appendLedgerEntries(db, [attendance(personA.id)]);
  const [entryB] = await appendLedgerEntries(db, [attendance(personB)]);
  const [entryA2024] = await appendLedgerEntries(db, [{ ...attendance(personA.id), cmeYear: 2024, sourceKind: 'adjustment', sourceId: newId() }]);
  const issuer = (await db.selectFrom('users').select('id').executeTakeFirstOrThrow()).id;
  const [proofA, proofB] = await issueCreditProofs(db, server.proofSigner, {
    personIds: [personA.id, personB],
    fromYear: 2026,
    toYear: 2026,
    by: issuer,
    at: now,
  });
  const years = { fromYear: 2026, toYear: 2026 };

  // The staff account acts for person A; claims of A and of the other province's person B.
  const staffUser = (await db.selectFrom('users').select('id').where('login', '=', 'authz-staff').executeTakeFirstOrThrow()).id;
  await db.insertInto('staff_accounts').values({ user_id: staffUser, person_id: personA.id, created_at: now.toISOString() }).execute();
  const png = Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex');
  const draft = { activity: 'paper' as const, occurredOn: '2026-05-01', credits: 2, months: 0, description: '论文：急性心梗的早期识别' };
  const claim = (personId: string, marker: string) =>
    submitClaim(db, {
      userId: staffUser,
      personId,
      draft,
      evidence: [{ fileName: 'paper.png', bytes: Buffer.concat([png, Buffer.from(marker)]) }],
      replacesId: null,
      at: now,
    });
  const [claimA, claimA2, claimB] = [await claim(personA.id, 'a'), await claim(personA.id, 'a2'), await claim(personB, 'b')];
  // Verification runs of both hospitals: A's submitted (so the city may forward it), B's too.
  const runA = await runVerification(db, { organisationId: hospitalA.id, cmeYear: 2025, round: 'year-end', by: issuer, at: now });
  const runB = await runVerification(db, { organisationId: hospitalB, cmeYear: 2025, round: 'year-end', by: issuer, at: now });
  const draftA = await runVerification(db, { organisationId: hospitalA.id, cmeYear: 2025, round: 'mid-year', by: issuer, at: now });
  await advanceRuns(db, { runIds: [runA, runB], from: 'draft', by: { id: issuer, organisationId: hospitalA.id }, at: now });
  const hrTokenA = (await createHrToken(db, { organisationId: hospitalA.id, label: 'A', by: { id: issuer, organisationId: hospitalA.id }, at: now })).id;
  const hrTokenB = (await createHrToken(db, { organisationId: hospitalB, label: 'B', by: { id: issuer, organisationId: hospitalB }, at: now })).id;
  const evidenceA = (await db.selectFrom('claim_evidence').select('evidence_hash').where('claim_id', '=', claimA).executeTakeFirstOrThrow()).evidence_hash;

  const newProject = {
    number: 'A-2',
    name: '新项目',
    level: 'unit',
    creditClass: 'II',
    credits: 1,
    venue: '会议室',
    startsOn: '2026-12-20',
    endsOn: '2026-12-20',
    mode: 'onsite',
    courses: [{ name: '讲座', startsAt: '2026-12-20T09:00:00+08:00', endsAt: '2026-12-20T11:00:00+08:00', credits: 1 }],
  };
  // A proxy-tap alert of each province's session.
  const alert = async (organisationId: string, sessionId: string) => {
    const id = newId();
    await db
      .insertInto('proxy_alerts')
      .values({ id, rule: 'burst', key: id, organisation_id: organisationId, session_id: sessionId, params: '{}', created_at: now.toISOString() })
      .execute();
    return id;
  };
  const [alertA, alertB] = [await alert(hospitalA.id, sessionA.id), await alert(hospitalB, sessionB)];
  // An online learning platform of each province's hospital.
  const platform = async (organisationId: string) => {
    const id = newId();
    await db
      .insertInto('online_platforms')
      .values({
        id,
        organisation_id: organisationId,
        name: '平台',
        secret_enc: 'x',
        created_by: issuer,
        created_at: now.toISOString(),
        revoked_at: null,
        revoked_by: null,
      })
      .execute();
    return id;
  };
  const [platformA, platformB] = [await platform(hospitalA.id), await platform(hospitalB)];
  inputs = {
    'online.platforms': { inScope: undefined },
    'online.registerPlatform': { inScope: { name: '某学习平台' } },
    'online.revokePlatform': { inScope: { platformId: platformA }, outOfScope: { platformId: platformB } },
    'alerts.list': { inScope: { status: 'open' } },
    'alerts.decide': {
      inScope: { alertId: alertA, decision: 'dismiss', reason: '测试驳回' },
      outOfScope: { alertId: alertB, decision: 'dismiss', reason: '测试驳回' },
    },
    'auth.login': { inScope: { login: 'authz-unit-admin', password: 'pw-unit-admin' } },
    'auth.me': { inScope: undefined },
    'auth.logout': { inScope: undefined },
    'devices.pair': { inScope: { code: 'ZZZZ-ZZZZ' } },
    'devices.list': { inScope: undefined },
    'devices.create': { inScope: { name: '新签到机' } },
    'devices.repair': { inScope: { deviceId: deviceA.id }, outOfScope: { deviceId: deviceB.id } },
    'devices.revoke': { inScope: { deviceId: deviceA.id }, outOfScope: { deviceId: deviceB.id } },
    'devices.assignSession': { inScope: { deviceId: deviceA.id, sessionId: sessionA.id }, outOfScope: { deviceId: deviceB.id, sessionId: sessionB } },
    'lookup.credits': { inScope: { idNumber: '510104198001010015', name: '外省人' } },
    'enrolment.catalogue': { inScope: undefined },
    'enrolment.mine': { inScope: undefined },
    'enrolment.enrolSelf': { inScope: { projectId: projectB } },
    'enrolment.enrolStaff': { inScope: { projectId: projectB, personIds: [personA.id] }, outOfScope: { projectId: projectB, personIds: [personB] } },
    'enrolment.list': { inScope: { projectId: sessionA.project_id }, outOfScope: { projectId: projectB } },
    'enrolment.close': { inScope: { projectId: sessionA.project_id }, outOfScope: { projectId: projectB } },
    'enrolment.recordExternal': {
      inScope: { projectId: sessionA.project_id, name: '外省人', idNumber: '1', workplace: '四川某医院' },
      outOfScope: { projectId: projectB, name: '外省人', idNumber: '1', workplace: '四川某医院' },
    },
    'enrolment.assessExternal': {
      inScope: { projectId: sessionA.project_id, personId: personA.id, passed: true },
      outOfScope: { projectId: projectB, personId: personB, passed: true },
    },
    'persons.revealIdNumber': { inScope: { personId: personA.id }, outOfScope: { personId: personB } },
    'sessions.list': { inScope: undefined },
    'sessions.attendance': { inScope: { sessionId: sessionA.id }, outOfScope: { sessionId: sessionB } },
    'projects.list': { inScope: undefined },
    'projects.get': { inScope: { projectId: sessionA.project_id }, outOfScope: { projectId: projectB } },
    'projects.declare': { inScope: newProject },
    'projects.leadTime': { inScope: undefined },
    'projects.submit': { inScope: { projectId: sessionA.project_id }, outOfScope: { projectId: projectB } },
    'projects.update': { inScope: { projectId: sessionA.project_id, project: newProject }, outOfScope: { projectId: projectB, project: newProject } },
    'projects.delete': { inScope: { projectId: sessionA.project_id }, outOfScope: { projectId: projectB } },
    'projects.review': {
      inScope: { projectId: sessionA.project_id, decision: 'approve', reason: null },
      outOfScope: { projectId: projectB, decision: 'approve', reason: null },
    },
    'projects.report': {
      inScope: { projectId: sessionA.project_id, summary: '总结', attachments: [] },
      outOfScope: { projectId: projectB, summary: '总结', attachments: [] },
    },
    'projects.recordAssessments': { inScope: { projectId: sessionA.project_id, results: [] }, outOfScope: { projectId: projectB, results: [] } },
    'projects.submitCredits': { inScope: { projectId: sessionA.project_id }, outOfScope: { projectId: projectB } },
    'projects.reviewCredits': {
      inScope: { projectId: sessionA.project_id, decision: 'approve', reason: null },
      outOfScope: { projectId: projectB, decision: 'approve', reason: null },
    },
    'projects.reviewReport': {
      inScope: { projectId: projectDraftA, decision: 'approve', reason: null },
      outOfScope: { projectId: projectB, decision: 'approve', reason: null },
    },
    'projects.cancel': { inScope: { projectId: projectDraftA, reason: '取消' }, outOfScope: { projectId: projectB, reason: '取消' } },
    'projects.attachFiles': {
      inScope: { projectId: projectDraftA, kind: 'notice', uploads: ['x'] },
      outOfScope: { projectId: projectB, kind: 'notice', uploads: ['x'] },
    },
    'projects.removeFile': { inScope: { projectId: projectDraftA, fileId: 'x' }, outOfScope: { projectId: projectB, fileId: 'x' } },
    'projects.saveSettings': {
      inScope: { provinceId: provinceA, projectLeadDays: 14, reportDays: 14, attendanceRules: DEFAULT_ATTENDANCE_RULES },
      outOfScope: { provinceId: provinceB, projectLeadDays: 14, reportDays: 14, attendanceRules: DEFAULT_ATTENDANCE_RULES },
    },
    'sessions.correctAttendance': {
      inScope: { sessionId: sessionA.id, personId: personA.id, signInAt: null, signOutAt: null, reason: '测试更正' },
      outOfScope: { sessionId: sessionB, personId: personB, signInAt: null, signOutAt: null, reason: '测试更正' },
    },
    'claims.submit': { inScope: { ...draft, evidence: ['no-such-upload'] } },
    'claims.withdraw': { inScope: { claimId: claimA }, outOfScope: { claimId: claimB } },
    'claims.mine': { inScope: undefined },
    'claims.queue': { inScope: undefined },
    'claims.review': {
      inScope: { claimIds: [claimA2], decision: 'rejected', reason: '材料不清晰' },
      outOfScope: { claimIds: [claimB], decision: 'rejected', reason: '材料不清晰' },
    },
    'proofs.printPerson': { inScope: { personId: personA.id, ...years }, outOfScope: { personId: personB, ...years } },
    'proofs.printOrganisation': { inScope: { organisationId: personA.department_id!, ...years }, outOfScope: { organisationId: hospitalB, ...years } },
    'proofs.printCertificate': { inScope: { ledgerEntryId: entryA }, outOfScope: { ledgerEntryId: entryB } },
    'proofs.printMine': { inScope: years },
    'proofs.printMyCertificate': { inScope: { ledgerEntryId: entryA } },
    'proofs.printAnnualCertificate': { inScope: { personId: personA.id, cmeYear: 2026 }, outOfScope: { personId: personB, cmeYear: 2026 } },
    'proofs.printMyAnnualCertificate': { inScope: { cmeYear: 2026 } },
    // In scope the calls act on a year and an entry nothing else here reads.
    'sanctions.reverseEntry': { inScope: { ledgerEntryId: entryA2024, reason: '测试冲销' }, outOfScope: { ledgerEntryId: entryB, reason: '测试冲销' } },
    'sanctions.voidYear': {
      inScope: { personId: personA.id, cmeYear: 2023, reason: '测试作废' },
      outOfScope: { personId: personB, cmeYear: 2023, reason: '测试作废' },
    },
    'sanctions.barOrganiser': {
      inScope: { organisationId: personA.department_id!, years: 1, reason: '测试取消' },
      outOfScope: { organisationId: hospitalB, years: 1, reason: '测试取消' },
    },
    'sanctions.bars': { inScope: undefined },
    'me.profile': { inScope: undefined },
    'me.standing': { inScope: { cmeYear: 2026 } },
    'me.attendance': { inScope: undefined },
    'me.certificates': { inScope: undefined },
    'accounts.list': { inScope: { organisationId: hospitalA.id }, outOfScope: { organisationId: hospitalB } },
    'accounts.issueResetCode': { inScope: { personId: personA.id }, outOfScope: { personId: personB } },
    'proofs.job': { inScope: { jobId: 'no-such-job' } },
    'proofs.revoke': { inScope: { proofId: proofA!.payload.id, reason: '测试撤销' }, outOfScope: { proofId: proofB!.payload.id, reason: '测试撤销' } },
    'proofs.status': { inScope: { proofId: proofA!.payload.id } },
    'proofs.seal': { inScope: undefined },
    'proofs.setSeal': { inScope: { fileId: 'no-such-upload' } },
    'ruleSets.list': { inScope: undefined },
    'ruleSets.copyForYear': {
      inScope: { sourceId: 'CN-2024', region: '34', fromYear: 2027, name: '安徽省学分规则（2027）', basis: '测试' },
      outOfScope: { sourceId: 'CN-2024', region: '51', fromYear: 2027, name: '四川', basis: '测试' },
    },
    'standing.departments': { inScope: undefined },
    'standing.person': { inScope: { personId: personA.id, cmeYear: 2026 }, outOfScope: { personId: personB, cmeYear: 2026 } },
    'standing.organisation': { inScope: { organisationId: personA.department_id!, cmeYear: 2026 }, outOfScope: { organisationId: hospitalB, cmeYear: 2026 } },
    'verification.run': {
      inScope: { organisationId: hospitalA.id, cmeYear: 2026, round: 'year-end' },
      outOfScope: { organisationId: hospitalB, cmeYear: 2026, round: 'year-end' },
    },
    'verification.results': { inScope: { runId: runA }, outOfScope: { runId: runB } },
    'verification.runs': { inScope: { organisationId: hospitalA.id, cmeYear: 2025 }, outOfScope: { organisationId: hospitalB, cmeYear: 2025 } },
    'verification.submit': { inScope: { runId: draftA }, outOfScope: { runId: runB } },
    'verification.forward': { inScope: { runIds: [runA] }, outOfScope: { runIds: [runB] } },
    'verification.accept': { inScope: { runId: runA }, outOfScope: { runId: runB } },
    'verification.return': { inScope: { runId: runA, reason: '测试退回' }, outOfScope: { runId: runB, reason: '测试退回' } },
    'hr.tokens': { inScope: { organisationId: hospitalA.id }, outOfScope: { organisationId: hospitalB } },
    'hr.createToken': { inScope: { organisationId: hospitalA.id, label: '人社' }, outOfScope: { organisationId: hospitalB, label: '人社' } },
    'hr.revokeToken': { inScope: { tokenId: hrTokenA }, outOfScope: { tokenId: hrTokenB } },
    'verification.compliance': { inScope: { organisationId: personA.department_id!, cmeYear: 2025 }, outOfScope: { organisationId: hospitalB, cmeYear: 2025 } },
    'verification.forecast': { inScope: { organisationId: personA.department_id!, cmeYear: 2025 }, outOfScope: { organisationId: hospitalB, cmeYear: 2025 } },
    'verification.trend': { inScope: { organisationId: personA.department_id!, cmeYear: 2025 }, outOfScope: { organisationId: hospitalB, cmeYear: 2025 } },
    'verification.people': {
      inScope: { organisationId: personA.department_id!, cmeYear: 2025, page: 1 },
      outOfScope: { organisationId: hospitalB, cmeYear: 2025, page: 1 },
    },
    'files.sessionRoster': { inScope: { sessionId: sessionA.id }, outOfScope: { sessionId: sessionB } },
    'files.claimEvidence': { inScope: { claimId: claimA, hash: evidenceA }, outOfScope: { claimId: claimB, hash: evidenceA } },
    'files.statistics': { inScope: { organisationId: personA.department_id!, cmeYear: 2025 }, outOfScope: { organisationId: hospitalB, cmeYear: 2025 } },
    'standing.statistics': { inScope: { organisationId: personA.department_id!, cmeYear: 2025 }, outOfScope: { organisationId: hospitalB, cmeYear: 2025 } },
    'files.projectFile': { inScope: { projectId: sessionA.project_id, fileId: 'x' }, outOfScope: { projectId: projectB, fileId: 'x' } },
    'files.complianceList': { inScope: { organisationId: personA.department_id!, cmeYear: 2025 }, outOfScope: { organisationId: hospitalB, cmeYear: 2025 } },
    'files.deviceTaps': { inScope: { deviceId: deviceA.id }, outOfScope: { deviceId: deviceB.id } },
    'files.unitSeal': { inScope: undefined },
    'files.hrHandoff': { inScope: { organisationId: hospitalA.id, cmeYear: 2025 }, outOfScope: { organisationId: hospitalB, cmeYear: 2025 } },
    'files.personPhoto': { inScope: { personId: personA.id }, outOfScope: { personId: personB } },
    'files.printJob': { inScope: { jobId: 'no-such-job' } },
    'exchange.export.staff': { inScope: { organisationId: personA.department_id! }, outOfScope: { organisationId: hospitalB } },
    'exchange.export.credits': { inScope: { personId: personA.id, cmeYear: 2025 }, outOfScope: { organisationId: hospitalB, cmeYear: 2025 } },
    'exchange.export.verification': {
      inScope: { organisationId: personA.department_id!, cmeYear: 2025 },
      outOfScope: { organisationId: hospitalB, cmeYear: 2025 },
    },
    'exchange.export.attendees': { inScope: { projectId: sessionA.project_id }, outOfScope: { projectId: projectB } },
    'exchange.export.ledger': {
      inScope: { organisationId: personA.department_id!, from: '2025-01-01', to: '2025-12-31' },
      outOfScope: { organisationId: hospitalB, from: '2025-01-01', to: '2025-12-31' },
    },
    'exchange.templates': { inScope: undefined },
    'exchange.staff': { inScope: { scope: hospitalA.id }, outOfScope: { scope: hospitalB } },
    'exchange.units': { inScope: undefined },
    'exchange.national-projects': { inScope: { scope: provinceA }, outOfScope: { scope: provinceB } },
    'exchange.external-credits': { inScope: { scope: hospitalA.id }, outOfScope: { scope: hospitalB } },
    'exchange.assessments': { inScope: { project: sessionA.project_id }, outOfScope: { project: projectB } },
    'exchange.watch-time': { inScope: { project: sessionA.project_id }, outOfScope: { project: projectB } },
    'exchange.batches': { inScope: { organisationId: hospitalA.id }, outOfScope: { organisationId: hospitalB } },
    'exchange.undo': { inScope: { batchId: 'no-such-batch' } },
    'sync.push': { inScope: { taps: makeTaps({ deviceId: syncDevice.id, sessionId: sessionA.id, cards: [{ kind: 'card-number', value: '3426000001' }] }) } },
    'sync.pull': { inScope: { cursor: null } },
    'sync.sessionTaps': { inScope: { sessionId: sessionA.id, cursor: null } },
    'files.rosterPhotos': { inScope: { hashes: ['0'.repeat(64)] } },
    'auth.changePassword': { inScope: { current: 'not-my-password', next: 'a-new-password' } },
    'auth.createAccount': {
      inScope: { organisationId: personA.department_id!, role: 'staff', login: 'created-in-scope', displayName: '新账号' },
      outOfScope: { organisationId: departmentB, role: 'staff', login: 'created-outside', displayName: '新账号' },
    },
    'registration.searchUnits': { inScope: { query: '' } },
    'registration.departments': { inScope: { institutionId: hospitalA.id } },
    'registration.submit': {
      inScope: {
        institutionId: hospitalA.id,
        departmentId: personA.department_id,
        name: '某人',
        idNumber: '1',
        phone: '13900000000',
        title: '护师',
        category: 'nurse',
        photoUpload: 'no-such-upload',
      },
    },
    'registration.status': { inScope: { token: 'no-such-token' } },
    'registry.staff': { inScope: { organisationId: personA.department_id! }, outOfScope: { organisationId: departmentB } },
    'registry.person': { inScope: { personId: personA.id }, outOfScope: { personId: personB } },
    'registry.review': { inScope: { decision: 'approve', personIds: [personA.id] }, outOfScope: { decision: 'approve', personIds: [personB] } },
    'registry.bindCard': {
      inScope: { personId: personA.id, typed: 'A1A1A1A1', category: 'II' },
      outOfScope: { personId: personB, typed: 'A2A2A2A2', category: 'II' },
    },
    'registry.reportLost': { inScope: { credentialId: credentialA.id }, outOfScope: { credentialId: credentialB } },
    'registry.auditLog': { inScope: { organisationId: hospitalA.id }, outOfScope: { organisationId: hospitalB } },
    'registry.cardSheet': { inScope: { personIds: [personA.id] }, outOfScope: { personIds: [personA.id, personB] } },
    'registry.setTitle': {
      inScope: { personId: personA.id, kind: 'employed', title: '主治医师', fromDate: '2030-01-01' },
      outOfScope: { personId: personB, kind: 'employed', title: '主治医师', fromDate: '2030-01-01' },
    },
    'registry.addPerson': {
      inScope: { departmentId: personA.department_id!, ...NEW_PERSON },
      outOfScope: { departmentId: departmentB, ...NEW_PERSON },
    },
    // In scope the inputs fail the service's checks, not the access table's: nothing of A changes for the procedures after it.
    'registry.editPerson': { inScope: { personId: personA.id, ...NEW_PERSON }, outOfScope: { personId: personB, ...NEW_PERSON } },
    'registry.history': { inScope: { personId: personA.id }, outOfScope: { personId: personB } },
    'registry.moveDepartment': {
      inScope: { personId: personA.id, departmentId: personA.department_id! },
      outOfScope: { personId: personB, departmentId: departmentB },
    },
    'registry.requestTransfer': {
      inScope: { personId: personA.id, toUnitId: hospitalA.id, reason: '调动' },
      outOfScope: { personId: personB, toUnitId: hospitalA.id, reason: '调动' },
    },
    'registry.decideTransfer': { inScope: { transferId: transferToA, accept: false }, outOfScope: { transferId: transferToB, accept: false } },
    'registry.transfers': { inScope: undefined },
    'registry.recordLeaving': {
      inScope: { personId: personA.id, reason: 'retired', on: '2099-01-01' },
      outOfScope: { personId: personB, reason: 'retired', on: '2026-11-01' },
    },
    'registry.replaceCard': {
      inScope: { credentialId: credentialA.id, typed: 'A3A3A3A3', category: 'III' },
      outOfScope: { credentialId: credentialB, typed: 'A4A4A4A4', category: 'III' },
    },
    'registry.cancelCard': { inScope: { credentialId: credentialA.id }, outOfScope: { credentialId: credentialB } },
    'registry.cardFees': { inScope: { organisationId: hospitalA.id }, outOfScope: { organisationId: hospitalB } },
    'registry.setCardFees': { inScope: { provinceId: provinceA, fees: { II: 50, III: 30 } }, outOfScope: { provinceId: provinceB, fees: { II: 50 } } },
    'units.cities': { inScope: undefined },
    'units.register': {
      inScope: { cityId: cityA, creditCode: 'bad', name: '某某医院', admin: { login: 'someone', displayName: '某人', password: 'a-long-password' } },
    },
    'units.pending': { inScope: undefined },
    'units.verify': { inScope: { unitId: hospitalA.id, approve: true }, outOfScope: { unitId: hospitalB, approve: true } },
    'units.departments': { inScope: { unitId: hospitalA.id }, outOfScope: { unitId: hospitalB } },
    'units.addDepartment': { inScope: { unitId: hospitalA.id, name: '新设科室' }, outOfScope: { unitId: hospitalB, name: '新设科室' } },
    'units.renameDepartment': {
      inScope: { departmentId: personA.department_id!, name: '改名科室' },
      outOfScope: { departmentId: departmentB, name: '改名科室' },
    },
  };
}, 60_000);
afterAll(() => server.close());

const STATUS_CODES: Record<number, string> = {
  200: 'OK',
  400: 'BAD_REQUEST',
  401: 'UNAUTHORIZED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  422: 'UNPROCESSABLE_CONTENT',
};

/** An import's HTTP route (exchange/routes.ts) as the admin page calls it: the template, or a small file's preview into `scope` (or about `project`). */
async function exchange(path: string, input: { scope?: string; project?: string } | undefined, headers: Record<string, string>): Promise<string> {
  if (path === 'exchange.templates') return fetchStatus(`/api/exchange/templates/staff`, headers);
  const form = new FormData();
  if (input?.scope) form.append('scope', input.scope);
  if (input?.project) form.append('project', input.project);
  form.append('file', new Blob(['姓名,身份证号,科室\r\n某人,340104198001010019,内科\r\n']), 'staff.csv');
  const res = await fetch(`${server.url}/api/exchange/${path.slice('exchange.'.length)}/preview`, {
    method: 'POST',
    headers: { 'x-opencme-upload': '1', ...headers },
    body: form,
  });
  await res.arrayBuffer();
  return STATUS_CODES[res.status] ?? String(res.status);
}

async function fetchStatus(route: string, headers: Record<string, string>): Promise<string> {
  const res = await fetch(`${server.url}${route}`, { headers });
  await res.arrayBuffer();
  return STATUS_CODES[res.status] ?? String(res.status);
}

/** A download over HTTP (GET, the input in its address) as the browser asks for it; the status as a tRPC code. */
async function get(name: DownloadName, input: Record<string, unknown> | undefined, headers: Record<string, string>): Promise<string> {
  const query = new URLSearchParams();
  let route = DOWNLOADS[name].route;
  for (const [key, value] of Object.entries(input ?? {})) {
    if (route.includes(`:${key}`)) route = route.replace(`:${key}`, encodeURIComponent(String(value)));
    else query.set(key, String(value));
  }
  const res = await fetch(`${server.url}${route}${query.size ? `?${query.toString()}` : ''}`, { headers });
  await res.arrayBuffer();
  return STATUS_CODES[res.status] ?? String(res.status);
}

/** Calls a procedure (or a download) over HTTP as the kiosk and the browser do, and returns the error code or 'OK'. */
async function call(path: string, input: unknown, headers: Record<string, string>): Promise<string> {
  if (Object.hasOwn(DOWNLOADS, path)) return get(path as DownloadName, input as Record<string, unknown> | undefined, headers);
  if (KIOSK_ROUTE_ACCESS.includes(path)) {
    const res = await fetch(`${server.url}/api/sync/photos`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify(input),
    });
    await res.arrayBuffer();
    return STATUS_CODES[res.status] ?? String(res.status);
  }
  if (EXCHANGE_ROUTE_ACCESS.includes(path)) return exchange(path, input as { scope?: string; project?: string } | undefined, headers);
  const res = await fetch(`${server.url}/trpc/${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(input === undefined ? {} : { json: input }),
  });
  const body = (await res.json()) as { error?: { json: { data: { code: string } } } };
  return body.error ? body.error.json.data.code : 'OK';
}

const DENIED = ['UNAUTHORIZED', 'FORBIDDEN'];

describe('the access table', () => {
  it('names every procedure and download of the API, and only those, with the expected rule', () => {
    const procedures = [...Object.keys(appRouter._def.procedures), ...Object.keys(DOWNLOADS), ...EXCHANGE_ROUTE_ACCESS, ...KIOSK_ROUTE_ACCESS].sort();
    expect(Object.keys(ACCESS).sort()).toEqual(procedures);
    expect(Object.keys(EXPECTED).sort()).toEqual(procedures);
    for (const [path, rule] of Object.entries(ACCESS)) {
      const expected = EXPECTED[path]!;
      if (rule.kind === 'user') expect([...rule.roles].sort(), path).toEqual([...(expected as Role[])].sort());
      else expect(rule.kind, path).toBe(expected);
    }
  });

  // Logging out ends the session the other calls use: it goes last.
  const paths = Object.keys(EXPECTED).sort((a, b) => Number(a === 'auth.logout') - Number(b === 'auth.logout'));

  it.each(paths)('%s: each role in scope, out of scope, a kiosk and nobody', async (path) => {
    const expected = EXPECTED[path]!;
    const { inScope, outOfScope } = inputs[path]!;
    const anonymous = await call(path, inScope, {});
    const device = await call(path, inScope, { authorization: `Bearer ${deviceToken}` });
    if (expected === 'public') {
      expect(DENIED, `${path} anonymous`).not.toContain(anonymous);
    } else if (expected === 'device') {
      expect(device, `${path} as kiosk`).toBe('OK');
      expect(anonymous, `${path} anonymous`).toBe('UNAUTHORIZED');
    } else {
      expect(anonymous, `${path} anonymous`).toBe('UNAUTHORIZED');
      expect(device, `${path} as kiosk`).toBe('UNAUTHORIZED');
    }
    for (const role of ROLES) {
      const cookie = { cookie: cookies.get(role)! };
      const inside = await call(path, inScope, cookie);
      if (expected === 'public') expect(DENIED, `${path} as ${role}`).not.toContain(inside);
      else if (expected === 'device') expect(inside, `${path} as ${role}`).toBe('UNAUTHORIZED');
      else if (expected.includes(role)) expect(DENIED, `${path} as ${role} in scope`).not.toContain(inside);
      else expect(inside, `${path} as ${role} in scope`).toBe('FORBIDDEN');
      if (outOfScope !== undefined) expect(await call(path, outOfScope, cookie), `${path} as ${role} out of scope`).toBe('FORBIDDEN');
    }
  });
});
