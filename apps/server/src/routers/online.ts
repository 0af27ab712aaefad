import type { TRPCRouterRecord } from '@trpc/server';
import { z } from 'zod';
import { platformsOf, registerPlatform, retirePlatform } from '../services/online.ts';
import { userProcedure } from '../trpc.ts';

/** Online learning platforms (线上学习平台) of the caller's organisation, that send watch time. */
export const onlineRouter = {
  platforms: userProcedure.query(({ ctx }) => platformsOf(ctx.db, ctx.user.organisationId)),

  /** Registers a platform; the reply holds its secret, shown this once. */
  registerPlatform: userProcedure
    .input(z.object({ name: z.string().trim().min(2).max(100) }))
    .mutation(({ ctx, input }) =>
      registerPlatform(ctx.db, ctx.vault, { name: input.name, userId: ctx.user.id, organisationId: ctx.user.organisationId, now: ctx.now() }),
    ),

  /** Stops a platform's key from working (a leaked key, a platform no longer used); audited. */
  revokePlatform: userProcedure.input(z.object({ platformId: z.string() })).mutation(async ({ ctx, input }) => {
    await retirePlatform(ctx.db, { platformId: input.platformId, userId: ctx.user.id, now: ctx.now() });
    return { ok: true };
  }),
} satisfies TRPCRouterRecord;
