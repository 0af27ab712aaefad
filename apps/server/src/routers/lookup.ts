import type { TRPCRouterRecord } from '@trpc/server';
import { z } from 'zod';
import { limitCaller } from '../rate-limit.ts';
import { lookUpCredits } from '../services/lookup.ts';
import { publicProcedure } from '../trpc.ts';

export const lookupRouter = {
  /**
   * Public credit lookup (公共查询): the ID number and the name together give that person's
   * yearly totals, masked. Rate-limited per address, and every lookup is logged, found or not.
   */
  credits: publicProcedure.input(z.object({ idNumber: z.string().trim().max(30), name: z.string().trim().min(1).max(50) })).query(async ({ ctx, input }) => {
    await limitCaller(ctx, 'lookup');
    return lookUpCredits(ctx.db, ctx.vault, input, ctx.req.ip ?? 'unknown', ctx.now());
  }),
} satisfies TRPCRouterRecord;
