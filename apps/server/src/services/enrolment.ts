// Enrolment (报名) across units, and the external people (院外/省外人员) an organiser records: the
// use cases behind the public catalogue, the staff's own enrolment, the unit's enrolment of its
// staff, and the organiser's list.
import { chinaDate, enrolmentState, type EnrolmentState, projectMayBeHeld, validateIdNumber } from '@opencme/core';
import type { DB } from '../db/connect.ts';
import { UserFacingError } from '../errors.ts';
import type { IdNumberVault } from '../pii.ts';
import { audit, auditPersonalDataOf, viewerOf } from '../repositories/audit.ts';
import {
  catalogueProjects,
  closeEnrolment,
  enrollablePersons,
  enrolledProjectIds,
  enrolledAttendee,
  enrolmentList,
  enrolmentOutcomes,
  insertEnrolments,
  insertExternalPerson,
  personByIdNumber,
  projectForEnrolment,
  recordAssessment,
  resolveEnrolledTaps,
} from '../repositories/enrolments.ts';

interface Actor {
  id: string;
  organisationId: string;
}

const REFUSALS: Record<Exclude<EnrolmentState, 'open'>, string> = {
  'not-approved': 'enrolment.project-not-approved',
  closed: 'enrolment.closed',
  finished: 'enrolment.finished',
};

/** The catalogue anyone may read: each approved project that has not ended, and whether it takes enrolments. */
export async function catalogue(db: DB, now: Date) {
  const today = chinaDate(now);
  const rows = await catalogueProjects(db, today);
  return rows.map(({ status, closedAt, ...p }) => ({ ...p, enrolment: enrolmentState({ status, endsOn: p.endsOn, closedAt }, today) }));
}

export async function ownEnrolments(db: DB, personId: string): Promise<string[]> {
  return enrolledProjectIds(db, personId);
}

async function openProject(db: DB, projectId: string, now: Date) {
  const project = await projectForEnrolment(db, projectId);
  if (!project) throw new UserFacingError('NOT_FOUND', 'enrolment.no-such-project');
  const state = enrolmentState(project, chinaDate(now));
  if (state !== 'open') throw new UserFacingError('PRECONDITION_FAILED', REFUSALS[state]);
  return project;
}

/** A staff member enrols herself; twice is refused. */
export async function enrolSelf(db: DB, input: { user: Actor; personId: string; projectId: string; at: Date }): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await openProject(trx, input.projectId, input.at);
    const [person] = await enrollablePersons(trx, [input.personId]);
    if (person?.status !== 'approved') throw new UserFacingError('PRECONDITION_FAILED', 'enrolment.only-approved-staff');
    const already = await insertEnrolments(trx, { projectId: input.projectId, personIds: [input.personId], source: 'self', by: input.user.id, at: input.at });
    if (already.length > 0) throw new UserFacingError('CONFLICT', 'enrolment.already-enrolled');
    await resolveEnrolledTaps(trx, input.projectId, [input.personId], input.at);
    await audit(trx, {
      actor: { userId: input.user.id },
      action: 'enrolment.enrol',
      entity: 'person',
      entityId: input.personId,
      organisationId: person.institutionId,
      after: { projectId: input.projectId, source: 'self' },
      at: input.at,
    });
  });
}

/**
 * A unit's office enrols staff of its own (the access table checks that every person is within
 * its scope); those enrolled already stay as they were and are counted apart.
 */
export async function enrolStaff(db: DB, input: { user: Actor; projectId: string; personIds: readonly string[]; at: Date }) {
  return db.transaction().execute(async (trx) => {
    await openProject(trx, input.projectId, input.at);
    const persons = await enrollablePersons(trx, input.personIds);
    if (persons.length !== new Set(input.personIds).size || persons.some((p) => p.status !== 'approved')) {
      throw new UserFacingError('PRECONDITION_FAILED', 'enrolment.only-approved-staff');
    }
    const already = await insertEnrolments(trx, { projectId: input.projectId, personIds: input.personIds, source: 'unit', by: input.user.id, at: input.at });
    const added = persons.filter((p) => !already.includes(p.id));
    await resolveEnrolledTaps(
      trx,
      input.projectId,
      added.map((p) => p.id),
      input.at,
    );
    for (const p of added) {
      await audit(trx, {
        actor: viewerOf(input.user),
        action: 'enrolment.enrol',
        entity: 'person',
        entityId: p.id,
        organisationId: p.institutionId,
        after: { projectId: input.projectId, source: 'unit' },
        at: input.at,
      });
    }
    return { enrolled: added.length, already: already.length };
  });
}

/** The organiser's enrolment list: who enrolled, from which unit, masked; a view of other units' staff, audited. */
export async function listEnrolments(db: DB, input: { user: Actor; projectId: string; at: Date }) {
  const project = await projectForEnrolment(db, input.projectId);
  if (!project) throw new UserFacingError('NOT_FOUND', 'enrolment.no-such-project');
  const [people, outcomes] = await Promise.all([enrolmentList(db, input.projectId), enrolmentOutcomes(db, input.projectId)]);
  await auditPersonalDataOf(db, {
    actor: viewerOf(input.user),
    action: 'project.view-enrolment',
    personIds: people.map((p) => p.personId),
    detail: { projectId: input.projectId },
    at: input.at,
  });
  return {
    state: enrolmentState(project, chinaDate(input.at)),
    people: people.map(({ status, ...p }) => ({
      ...p,
      external: status === 'external',
      passed: outcomes.passed.get(p.personId) ?? null,
      credits: (outcomes.entries.get(p.personId) ?? []).map(({ person_id: _, ...e }) => e),
    })),
  };
}

export async function closeEnrolmentOf(db: DB, input: { user: Actor; projectId: string; at: Date }): Promise<void> {
  await db.transaction().execute(async (trx) => {
    const project = await projectForEnrolment(trx, input.projectId);
    if (!project) throw new UserFacingError('NOT_FOUND', 'enrolment.no-such-project');
    if (project.closedAt) return;
    await closeEnrolment(trx, input.projectId, input.at);
    await audit(trx, {
      actor: { userId: input.user.id },
      action: 'enrolment.close',
      entity: 'project',
      entityId: input.projectId,
      organisationId: project.organiserId,
      at: input.at,
    });
  });
}

/**
 * The organiser records an attendee from outside the province or of no registered unit (院外人员)
 * by name, ID number and workplace, before or after the door: she is enrolled in the project, and
 * the taps her typed or read number left at its doors are hers. Someone already registered is
 * enrolled as herself, never recorded twice.
 */
export async function recordExternal(
  db: DB,
  vault: IdNumberVault,
  input: { user: Actor; projectId: string; name: string; idNumber: string; workplace: string; at: Date },
): Promise<{ personId: string; registered: boolean }> {
  const id = validateIdNumber(input.idNumber);
  if (!id.valid) throw new UserFacingError('BAD_REQUEST', `id-number.${id.reason}`, {}, 'idNumber');
  return db.transaction().execute(async (trx) => {
    const project = await projectForEnrolment(trx, input.projectId);
    if (!project) throw new UserFacingError('NOT_FOUND', 'enrolment.no-such-project');
    if (!projectMayBeHeld(project.status) || project.status === 'credits-submitted' || project.status === 'credits-approved') {
      throw new UserFacingError('PRECONDITION_FAILED', 'enrolment.external-not-now');
    }
    const existing = await personByIdNumber(trx, vault, id.normalized);
    if (existing && existing.status !== 'approved' && existing.status !== 'external') {
      throw new UserFacingError('PRECONDITION_FAILED', 'enrolment.registration-under-review', {}, 'idNumber');
    }
    const personId =
      existing?.id ??
      (await insertExternalPerson(trx, vault, {
        name: input.name,
        idNumber: id.normalized,
        gender: id.gender,
        workplace: input.workplace,
        institutionId: project.organiserId,
        at: input.at,
      }));
    await insertEnrolments(trx, { projectId: input.projectId, personIds: [personId], source: 'organiser', by: input.user.id, at: input.at });
    await resolveEnrolledTaps(trx, input.projectId, [personId], input.at);
    await audit(trx, {
      actor: viewerOf(input.user),
      action: 'enrolment.record-external',
      entity: 'person',
      entityId: personId,
      organisationId: existing?.institutionId ?? project.organiserId,
      after: { projectId: input.projectId, registered: existing?.status === 'approved' },
      at: input.at,
    });
    return { personId, registered: existing?.status === 'approved' };
  });
}

/**
 * The assessment (考核) of an external attendee, who has no CME card number for the results sheet:
 * recorded by the organiser from the enrolment list, once she attended.
 */
export async function assessExternal(db: DB, input: { user: Actor; projectId: string; personId: string; passed: boolean; at: Date }): Promise<void> {
  await db.transaction().execute(async (trx) => {
    const attendee = await enrolledAttendee(trx, input.projectId, input.personId);
    if (attendee?.status !== 'external') throw new UserFacingError('NOT_FOUND', 'enrolment.not-external-attendee');
    if (!attendee.attended) throw new UserFacingError('PRECONDITION_FAILED', 'enrolment.no-attendance');
    await recordAssessment(trx, { projectId: input.projectId, personId: input.personId, passed: input.passed, by: input.user.id, at: input.at });
    await audit(trx, {
      actor: { userId: input.user.id },
      action: 'enrolment.assess-external',
      entity: 'person',
      entityId: input.personId,
      organisationId: null,
      after: { projectId: input.projectId, passed: input.passed },
      at: input.at,
    });
  });
}
