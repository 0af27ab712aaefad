import type { TRPCRouterRecord } from '@trpc/server';
import { z } from 'zod';
import { complianceByDepartment, complianceTrend, forecast, runResults, runsWithin } from '../repositories/verification.ts';
import { advanceRuns, compliancePage, decideVerification, runVerification } from '../services/verification.ts';
import { userProcedure } from '../trpc.ts';

const cmeYear = z.number().int().min(2000).max(2100);
const scope = z.object({ organisationId: z.string(), cmeYear });
/** The department (within the scope) and the result to list; both optional. */
const filter = scope.extend({ departmentId: z.string().nullish(), compliant: z.boolean().nullish() });

export const verificationRouter = {
  /** Runs (or re-runs, while still a draft) a unit's verification for a year and round. */
  run: userProcedure.input(scope.extend({ round: z.enum(['mid-year', 'year-end']) })).mutation(async ({ ctx, input }) => {
    const runId = await runVerification(ctx.db, { ...input, by: ctx.user.id, at: ctx.now() });
    return runResults(ctx.db, runId);
  }),

  results: userProcedure.input(z.object({ runId: z.string() })).query(({ ctx, input }) => runResults(ctx.db, input.runId)),

  /** The unit submits its run to the city: from now on its results are frozen. */
  submit: userProcedure.input(z.object({ runId: z.string() })).mutation(async ({ ctx, input }) => {
    await advanceRuns(ctx.db, { runIds: [input.runId], from: 'draft', by: ctx.user, at: ctx.now() });
    return { ok: true };
  }),

  /** The city forwards its units' submitted runs to the province. */
  forward: userProcedure.input(z.object({ runIds: z.array(z.string()).min(1).max(1000) })).mutation(async ({ ctx, input }) => {
    await advanceRuns(ctx.db, { runIds: input.runIds, from: 'submitted', by: ctx.user, at: ctx.now() });
    return { ok: true };
  }),

  /** The province accepts (备案) a forwarded verification: its results are frozen for the proofs and HR. */
  accept: userProcedure.input(z.object({ runId: z.string() })).mutation(async ({ ctx, input }) => {
    await decideVerification(ctx.db, { runId: input.runId, decision: 'accept', by: ctx.user, at: ctx.now() });
    return { ok: true };
  }),

  /** The province returns (退回) a forwarded verification with the reason its unit and city read. */
  return: userProcedure.input(z.object({ runId: z.string(), reason: z.string().trim().min(2).max(500) })).mutation(async ({ ctx, input }) => {
    await decideVerification(ctx.db, { runId: input.runId, decision: 'return', reason: input.reason, by: ctx.user, at: ctx.now() });
    return { ok: true };
  }),

  /** The verifications of the units below: what a city forwards and a province receives. */
  runs: userProcedure.input(scope).query(({ ctx, input }) => runsWithin(ctx.db, input)),

  /** 达标率 per department. */
  compliance: userProcedure.input(scope).query(({ ctx, input }) => complianceByDepartment(ctx.db, input)),

  /** The unit's rate at the end of each month of the year so far. */
  trend: userProcedure.input(scope).query(({ ctx, input }) => complianceTrend(ctx.db, { ...input, now: ctx.now() })),

  /** One page of the unit's staff with their standing, filtered by department and result. */
  people: userProcedure.input(filter.extend({ page: z.number().int().min(1).max(10_000) })).query(({ ctx, input }) => compliancePage(ctx.db, input)),

  /** Who is at risk this year and what each still needs. */
  forecast: userProcedure.input(scope).query(({ ctx, input }) => forecast(ctx.db, input)),
} satisfies TRPCRouterRecord;
