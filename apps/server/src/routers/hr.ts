import type { TRPCRouterRecord } from '@trpc/server';
import { z } from 'zod';
import { createHrToken, hrTokens, revokeHrToken } from '../services/hr-handoff.ts';
import { userProcedure } from '../trpc.ts';

// The tokens HR systems (人社部门) pull accepted verification results with.
export const hrRouter = {
  /** The tokens that read an organisation's results: label, dates, never the secret. */
  tokens: userProcedure.input(z.object({ organisationId: z.string() })).query(({ ctx, input }) => hrTokens(ctx.db, input.organisationId)),

  /** A new token; its secret is in this answer only. */
  createToken: userProcedure
    .input(z.object({ organisationId: z.string(), label: z.string().trim().min(1).max(60) }))
    .mutation(({ ctx, input }) => createHrToken(ctx.db, { ...input, by: ctx.user, at: ctx.now() })),

  revokeToken: userProcedure.input(z.object({ tokenId: z.string() })).mutation(async ({ ctx, input }) => {
    await revokeHrToken(ctx.db, { tokenId: input.tokenId, by: ctx.user.id, at: ctx.now() });
    return { ok: true };
  }),
} satisfies TRPCRouterRecord;
