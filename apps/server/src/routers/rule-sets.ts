import { requirementSchema, ruleSetSchema } from '@opencme/core';
import type { TRPCRouterRecord } from '@trpc/server';
import { z } from 'zod';
import { audit } from '../repositories/audit.ts';
import { copyRuleSet } from '../repositories/rule-sets.ts';
import { provinceCodeOf } from '../repositories/organisations.ts';
import { loadRuleSets } from '../repositories/standing.ts';
import { userProcedure } from '../trpc.ts';

export const ruleSetsRouter = {
  /** Every version, newest first (rules are public knowledge within the system), and the caller's own region. */
  list: userProcedure.query(async ({ ctx }) => ({
    ruleSets: (await loadRuleSets(ctx.db)).sort((a, b) => b.fromYear - a.fromYear || a.id.localeCompare(b.id)),
    ownRegion: await provinceCodeOf(ctx.db, ctx.user.organisationId),
  })),

  /** A province office copies a rule set (its own or the national one) and edits it for a new year. */
  copyForYear: userProcedure
    .input(
      z.object({
        sourceId: z.string(),
        region: z.string().regex(/^\d{2}$/),
        fromYear: z.number().int().min(2000).max(2100),
        name: z.string().trim().min(1).max(100),
        cmeYearStart: ruleSetSchema.shape.cmeYearStart.optional(),
        furtherStudyMinMonths: z.number().int().min(1).max(12).nullable().optional(),
        requirements: z.array(requirementSchema).optional(),
        basis: z.string().trim().max(300),
      }),
    )
    .mutation(async ({ ctx, input }) => {
      const ruleSet = await copyRuleSet(ctx.db, input, { userId: ctx.user.id, at: ctx.now() });
      await audit(ctx.db, {
        actor: { userId: ctx.user.id },
        action: 'rule-set.copy',
        entity: 'rule_set',
        entityId: ruleSet.id,
        organisationId: ctx.user.organisationId,
        after: ruleSet,
        at: ctx.now(),
      });
      return ruleSet;
    }),
} satisfies TRPCRouterRecord;
