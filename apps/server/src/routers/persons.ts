import type { TRPCRouterRecord } from '@trpc/server';
import { z } from 'zod';
import { revealIdNumber } from '../services/persons.ts';
import { userProcedure } from '../trpc.ts';

export const personsRouter = {
  /** The full ID number, for the rare case that needs it; every such view is written to the audit log. */
  revealIdNumber: userProcedure
    .input(z.object({ personId: z.string() }))
    .mutation(({ ctx, input }) => revealIdNumber(ctx.db, ctx.vault, input.personId, ctx.user, ctx.now())),
} satisfies TRPCRouterRecord;
