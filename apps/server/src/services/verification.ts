// Annual verification (年度审验) and compliance (达标率): running a unit's verification, passing it
// up the chain (unit → city → province), and the audited export of who is compliant.
import { newId, takesPartInRound, titleLevelOf, type VerificationRound } from '@opencme/core';
import type { DB } from '../db/connect.ts';
import { UserFacingError } from '../errors.ts';
import { organisationsOfRuns } from '../repositories/scopes.ts';
import { audit } from '../repositories/audit.ts';
import { isProvinceDirect, kindOf } from '../repositories/organisations.ts';
import { standingsOf } from '../repositories/standing.ts';
import { addRun, advanceRun, compliancePeople, complianceSheet, decideRun, findRun, reopenRun, replaceResults } from '../repositories/verification.ts';

const PAGE_SIZE = 50;

type Filter = Parameters<typeof compliancePeople>[1];

/** Runs (or re-runs, while still a draft or once returned by the province) a unit's verification for a year and round; answers the run's id. */
export async function runVerification(
  db: DB,
  input: { organisationId: string; cmeYear: number; round: VerificationRound; by: string; at: Date },
): Promise<string> {
  if ((await kindOf(db, input.organisationId)) !== 'institution') throw new UserFacingError('BAD_REQUEST', 'verification.verification-run-institution');
  const existing = await findRun(db, input);
  if (existing && existing.status !== 'draft' && existing.status !== 'returned') {
    throw new UserFacingError('CONFLICT', 'verification.verification-submitted-results-frozen');
  }
  const standings = (await standingsOf(db, { organisationId: input.organisationId }, input.cmeYear)).filter((p) =>
    takesPartInRound(input.round, titleLevelOf(p.title)),
  );
  const id = existing?.id ?? newId();
  await db.transaction().execute(async (trx) => {
    if (!existing) await addRun(trx, { id, ...input });
    else await reopenRun(trx, id);
    await replaceResults(trx, id, standings);
  });
  return id;
}

/**
 * Moves runs one step up, all or none: the unit submits its run to the city (from `draft`; from
 * then on its results are frozen), the city forwards its units' runs to the province (from `submitted`).
 */
export async function advanceRuns(
  db: DB,
  input: { runIds: readonly string[]; from: 'draft' | 'submitted'; by: { id: string; organisationId: string }; at: Date },
): Promise<void> {
  const action = input.from === 'draft' ? 'verification.submit' : 'verification.forward';
  await db.transaction().execute(async (trx) => {
    for (const runId of input.runIds) {
      if (!(await advanceRun(trx, runId, input.from, input.at))) {
        throw new UserFacingError('CONFLICT', input.from === 'draft' ? 'verification.submit-only-draft' : 'verification.forward-only-submitted');
      }
      // A province-direct unit (省直/委直属) submits straight to its province: no city forwards it.
      const [unitId] = (await organisationsOfRuns(trx, [runId])) ?? [];
      if (input.from === 'draft' && unitId && (await isProvinceDirect(trx, unitId))) await advanceRun(trx, runId, 'submitted', input.at);
      await audit(trx, {
        actor: { userId: input.by.id },
        action,
        entity: 'verification_run',
        entityId: runId,
        organisationId: input.by.organisationId,
        at: input.at,
      });
    }
  });
}

/**
 * The province's decision on a run its city forwarded (or a province-direct unit submitted):
 * accept (备案; the results are frozen for good in a snapshot) or return (退回) with a reason.
 */
export async function decideVerification(
  db: DB,
  input: { runId: string; by: { id: string; organisationId: string }; at: Date } & ({ decision: 'accept' } | { decision: 'return'; reason: string }),
): Promise<void> {
  await db.transaction().execute(async (trx) => {
    if (!(await decideRun(trx, { ...input, by: input.by.id }))) throw new UserFacingError('CONFLICT', 'verification.decide-only-forwarded');
    await audit(trx, {
      actor: { userId: input.by.id },
      action: input.decision === 'accept' ? 'verification.accept' : 'verification.return',
      entity: 'verification_run',
      entityId: input.runId,
      // On the unit's log: the unit reads who returned its verification, and why.
      organisationId: (await organisationsOfRuns(trx, [input.runId]))?.[0] ?? input.by.organisationId,
      after: input.decision === 'return' ? { reason: input.reason } : undefined,
      at: input.at,
    });
  });
}

/** One page of the unit's staff with their standing, filtered by department and result. */
export async function compliancePage(db: DB, input: Filter & { page: number }) {
  const all = await compliancePeople(db, input);
  const pages = Math.max(1, Math.ceil(all.length / PAGE_SIZE));
  const page = Math.min(input.page, pages);
  return { total: all.length, page, pages, rows: all.slice((page - 1) * PAGE_SIZE, page * PAGE_SIZE) };
}

/** The filtered list as a sheet to stream (达标情况); the export goes on the unit's log before a byte leaves. */
export async function exportCompliance(db: DB, input: Filter, by: string, now: Date): Promise<ReturnType<typeof complianceSheet>> {
  const people = await compliancePeople(db, input);
  await audit(db, {
    actor: { userId: by },
    action: 'verification.export',
    entity: 'organisation',
    entityId: input.organisationId,
    organisationId: input.organisationId,
    after: { cmeYear: input.cmeYear, people: people.length },
    at: now,
  });
  return complianceSheet(people, input.cmeYear);
}
