import type { TRPCRouterRecord } from '@trpc/server';
import { z } from 'zod';
import { departmentsWithin } from '../repositories/organisations.ts';
import { explainedStandings, standingWithEntries } from '../services/standing.ts';
import { statisticsOf } from '../services/statistics.ts';
import { userProcedure } from '../trpc.ts';

const cmeYear = z.number().int().min(2000).max(2100);

export const standingRouter = {
  /** One person's standing for a year, with the ledger entries it comes from. */
  person: userProcedure.input(z.object({ personId: z.string(), cmeYear })).query(({ ctx, input }) => standingWithEntries(ctx.db, input, ctx.user, ctx.now())),

  /** Everyone in an organisation's subtree, each with the reason for the result. */
  organisation: userProcedure.input(z.object({ organisationId: z.string(), cmeYear })).query(({ ctx, input }) => explainedStandings(ctx.db, input)),

  /** 统计报表: per city and per unit of the organisation's subtree, staff, credits by class, 达标率 and projects held. */
  statistics: userProcedure.input(z.object({ organisationId: z.string(), cmeYear })).query(({ ctx, input }) => statisticsOf(ctx.db, input)),

  /** The departments in the caller's part of the tree, for choosing whom to print or count. */
  departments: userProcedure.query(({ ctx }) => departmentsWithin(ctx.db, ctx.user.organisationId)),
} satisfies TRPCRouterRecord;
