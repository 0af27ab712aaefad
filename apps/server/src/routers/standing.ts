import { explainStanding } from '@opencme/core';
import type { TRPCRouterRecord } from '@trpc/server';
import { z } from 'zod';
import { UserFacingError } from '../errors.ts';
import { auditPersonalDataOf, viewerOf } from '../repositories/audit.ts';
import { personOfUser } from '../repositories/claims.ts';
import { departmentsWithin } from '../repositories/organisations.ts';
import { standingOfPerson, standingsOf } from '../repositories/standing.ts';
import { userProcedure } from '../trpc.ts';

const cmeYear = z.number().int().min(2000).max(2100);

export const standingRouter = {
  /** One person's standing for a year, with the ledger entries it comes from. */
  person: userProcedure.input(z.object({ personId: z.string(), cmeYear })).query(async ({ ctx, input }) => {
    // A staff member sees their own standing, not their colleagues'.
    const own = ctx.user.role === 'staff';
    if (own && (await personOfUser(ctx.db, ctx.user.id)) !== input.personId) {
      throw new UserFacingError('FORBIDDEN', '只能查看本人的学分', 'You may see your own credits only');
    }
    // Someone else's credit record is personal data: the view goes on the person's unit's log.
    if (!own) await auditPersonalDataOf(ctx.db, { actor: viewerOf(ctx.user), action: 'person.view-standing', personIds: [input.personId], detail: { cmeYear: input.cmeYear }, at: ctx.now() });
    const found = await standingOfPerson(ctx.db, input.personId, input.cmeYear);
    const entries = await ctx.db
      .selectFrom('ledger_entries')
      .select(['id', 'credit_class', 'level', 'credits', 'source_kind', 'source_label', 'reverses_id', 'approved_at'])
      .where('person_id', '=', input.personId)
      .where('cme_year', '=', input.cmeYear)
      .orderBy('approved_at')
      .orderBy('id')
      .execute();
    return { ...found, explanation: { zh: explainStanding(found.standing, 'zh-CN'), en: explainStanding(found.standing, 'en') }, entries };
  }),

  /** Everyone in an organisation's subtree, each with the reason for the result. */
  organisation: userProcedure.input(z.object({ organisationId: z.string(), cmeYear })).query(async ({ ctx, input }) => {
    const all = await standingsOf(ctx.db, { organisationId: input.organisationId }, input.cmeYear);
    return all.map((p) => ({ ...p, explanation: { zh: explainStanding(p.standing, 'zh-CN'), en: explainStanding(p.standing, 'en') } }));
  }),

  /** The departments in the caller's part of the tree, for choosing whom to print or count. */
  departments: userProcedure.query(({ ctx }) => departmentsWithin(ctx.db, ctx.user.organisationId)),
} satisfies TRPCRouterRecord;
