// Administrators' accounts of a unit, and one-time reset codes for staff.
import type { TRPCRouterRecord } from '@trpc/server';
import { z } from 'zod';
import { adminAccountsWithin, issueResetCode } from '../services/accounts.ts';
import { userProcedure } from '../trpc.ts';

export const accountsRouter = {
  /** The administrators' and reviewers' accounts of an organisation's part of the tree. */
  list: userProcedure.input(z.object({ organisationId: z.string() })).query(({ ctx, input }) => adminAccountsWithin(ctx.db, input.organisationId)),

  /** A one-time code (24 h, single use) for a staff member to set a new password, to hand over in person. */
  issueResetCode: userProcedure.input(z.object({ personId: z.string() })).mutation(({ ctx, input }) => issueResetCode(ctx.db, input, ctx.user, ctx.now())),
} satisfies TRPCRouterRecord;
