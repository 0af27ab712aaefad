import type { TRPCRouterRecord } from '@trpc/server';
import { chinaDate } from '@opencme/core';
import { z } from 'zod';
import { barsWithin } from '../repositories/sanctions.ts';
import { barOrganiser, reverseEntry, voidYear } from '../services/sanctions.ts';
import { userProcedure } from '../trpc.ts';

/** Why, in the office's words: it goes on the reversal and in the audit log. */
const reason = z.string().trim().min(2).max(200);

export const sanctionsRouter = {
  /** Reverses one ledger entry (冲销) with a reason. */
  reverseEntry: userProcedure.input(z.object({ ledgerEntryId: z.string().max(40), reason })).mutation(async ({ ctx, input }) => {
    const reversalId = await reverseEntry(ctx.db, { entryId: input.ledgerEntryId, reason: input.reason, actor: ctx.user, at: ctx.now() });
    return { reversalId };
  }),

  /** Voids a person's CME year for cheating (作废年度学分). */
  voidYear: userProcedure
    .input(z.object({ personId: z.string().max(40), cmeYear: z.number().int().min(2000).max(2100), reason }))
    .mutation(({ ctx, input }) => voidYear(ctx.db, { ...input, actor: ctx.user, at: ctx.now() })),

  /** Bars a unit from declaring projects (取消办班资格) for 1–3 years. */
  barOrganiser: userProcedure
    .input(z.object({ organisationId: z.string().max(40), years: z.number().int().min(1).max(3), reason }))
    .mutation(({ ctx, input }) => barOrganiser(ctx.db, { ...input, actor: ctx.user, at: ctx.now() })),

  /** The bars within the caller's part of the tree that have not ended. */
  bars: userProcedure.query(({ ctx }) => barsWithin(ctx.db, ctx.user.organisationId, chinaDate(ctx.now()))),
} satisfies TRPCRouterRecord;
