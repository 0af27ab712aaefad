import type { TRPCRouterRecord } from '@trpc/server';
import { z } from 'zod';
import { alertQueue, decideAlert } from '../services/alerts.ts';
import { userProcedure } from '../trpc.ts';

export const alertsRouter = {
  /** Proxy-tap (代刷) alerts of the caller's organisers, newest first, each with its taps. */
  list: userProcedure
    .input(z.object({ status: z.enum(['open', 'confirmed', 'dismissed']).default('open') }))
    .query(({ ctx, input }) => alertQueue(ctx.db, ctx.user, input.status)),

  /** Confirms (voids the attendance the alert names, and its credits) or dismisses an alert, with the reason. */
  decide: userProcedure
    .input(
      z.object({
        alertId: z.string(),
        decision: z.enum(['confirm', 'dismiss']),
        reason: z.string().trim().min(2).max(500),
        /** Confirm for these people only; all the alert names when left out. */
        personIds: z.array(z.string()).min(1).max(1000).optional(),
      }),
    )
    .mutation(({ ctx, input }) => decideAlert(ctx.db, { ...input, actor: ctx.user, now: ctx.now() })),
} satisfies TRPCRouterRecord;
