import { claimDraftSchema } from '@opencme/core';
import type { TRPCRouterRecord } from '@trpc/server';
import { z } from 'zod';
import { takeUploads } from '../repositories/uploads.ts';
import { ownClaims, personOfStaffAccount, reviewClaims, reviewQueue, submitClaim, withdrawClaim } from '../services/claims.ts';
import { type Context, userProcedure } from '../trpc.ts';

/** The person record of a staff account; every staff procedure acts for that person only. */
export async function ownPerson(ctx: Context & { user: { id: string } }): Promise<string> {
  return personOfStaffAccount(ctx.db, ctx.user.id);
}

/** An evidence file, sent first to POST /api/files/evidence: the id it answered. */
const evidenceUpload = z.string().min(1).max(100);

export const claimsRouter = {
  submit: userProcedure
    .input(claimDraftSchema.and(z.object({ evidence: z.array(evidenceUpload).min(1).max(5), replacesId: z.string().nullable().default(null) })))
    .mutation(async ({ ctx, input }) => {
      const personId = await ownPerson(ctx);
      const evidence = await takeUploads(ctx.db, { ids: input.evidence, purpose: 'evidence', ownerUserId: ctx.user.id, now: ctx.now() });
      const id = await submitClaim(ctx.db, { userId: ctx.user.id, personId, draft: input, evidence, replacesId: input.replacesId, at: ctx.now() });
      return { id };
    }),

  withdraw: userProcedure.input(z.object({ claimId: z.string() })).mutation(async ({ ctx, input }) => {
    await withdrawClaim(ctx.db, { claimId: input.claimId, personId: await ownPerson(ctx), at: ctx.now() });
    return { ok: true };
  }),

  /** The staff member's own claims and standing for the current CME year. */
  mine: userProcedure.query(async ({ ctx }) => ownClaims(ctx.db, await ownPerson(ctx), ctx.now())),

  /** Claims waiting for the caller's stage of review, each flagged when its evidence was claimed before. */
  queue: userProcedure.query(({ ctx }) => reviewQueue(ctx.db, ctx.user)),

  /** Approve or reject one claim or many at once (all or none); a rejection needs a reason. */
  review: userProcedure
    .input(
      z.object({
        claimIds: z.array(z.string()).min(1).max(500),
        decision: z.enum(['approved', 'rejected']),
        reason: z.string().trim().max(300).nullable().default(null),
      }),
    )
    .mutation(({ ctx, input }) =>
      reviewClaims(ctx.db, { claimIds: input.claimIds, decision: input.decision, reason: input.reason || null, reviewer: ctx.user, at: ctx.now() }),
    ),
} satisfies TRPCRouterRecord;
