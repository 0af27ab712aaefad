// Import batches (导入批次): the list of a unit's (or an office's units') imports, and undo.
// The files themselves go over plain HTTP (exchange/routes.ts).
import type { TRPCRouterRecord } from '@trpc/server';
import { z } from 'zod';
import { asProcedure } from '../exchange/messages.ts';
import { listBatches, undoBatch } from '../exchange/service.ts';
import { userProcedure } from '../trpc.ts';

export const exchangeRouter = {
  batches: userProcedure.input(z.object({ organisationId: z.string() })).query(({ ctx, input }) => listBatches(ctx.db, input.organisationId)),

  undo: userProcedure
    .input(z.object({ batchId: z.string() }))
    .mutation(({ ctx, input }) => asProcedure(() => undoBatch({ db: ctx.db, vault: ctx.vault, now: ctx.now }, ctx.user, input.batchId))),
} satisfies TRPCRouterRecord;
