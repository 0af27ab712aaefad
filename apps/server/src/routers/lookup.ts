import { maskIdNumber, validateIdNumber } from '@opencme/core';
import type { TRPCRouterRecord } from '@trpc/server';
import { z } from 'zod';
import { UserFacingError } from '../errors.ts';
import { limitCaller } from '../rate-limit.ts';
import { audit } from '../repositories/audit.ts';
import { standingsOf } from '../repositories/standing.ts';
import { publicProcedure } from '../trpc.ts';

/** 王秀英 → 王*英, 王芳 → 王*: enough for the person to recognise, too little to learn a name. */
export function maskName(name: string): string {
  const chars = [...name];
  if (chars.length <= 1) return name;
  if (chars.length === 2) return `${chars[0]}*`;
  return `${chars[0]}${'*'.repeat(chars.length - 2)}${chars.at(-1)}`;
}

export const lookupRouter = {
  /**
   * Public credit lookup (公共查询): the ID number and the name together give that person's
   * yearly totals, masked. Rate-limited per address, and every lookup is logged, found or not.
   */
  credits: publicProcedure.input(z.object({ idNumber: z.string().trim().max(30), name: z.string().trim().min(1).max(50) })).query(async ({ ctx, input }) => {
    await limitCaller(ctx, 'lookup');
    const address = ctx.req.ip ?? 'unknown';
    const check = validateIdNumber(input.idNumber);
    if (!check.valid) throw new UserFacingError('BAD_REQUEST', 'lookup.id-number-not-valid-check');
    const person = await ctx.db
      .selectFrom('persons')
      .innerJoin('organisations', 'organisations.id', 'persons.institution_id')
      .select(['persons.id', 'persons.name', 'persons.institution_id', 'organisations.name as institution'])
      .where('persons.id_number_index', '=', ctx.vault.index(check.normalized))
      .executeTakeFirst();
    const found = person && person.name === input.name ? person : null;
    await audit(ctx.db, {
      actor: {},
      action: 'public.lookup',
      entity: 'person',
      entityId: found?.id ?? '',
      organisationId: found?.institution_id ?? null,
      after: { address, found: found !== null },
      at: ctx.now(),
    });
    // The same answer whether the number is unknown or the name does not match it.
    if (!found) throw new UserFacingError('NOT_FOUND', 'lookup.no-record-matches-id-number');
    const years = await ctx.db.selectFrom('ledger_entries').select('cme_year').distinct().where('person_id', '=', found.id).orderBy('cme_year', 'desc').limit(10).execute();
    const totals = [];
    for (const { cme_year } of years) {
      const [s] = await standingsOf(ctx.db, { personIds: [found.id] }, cme_year);
      totals.push({ cmeYear: cme_year, classI: s!.standing.totals.classI, classII: s!.standing.totals.classII, total: s!.standing.totals.total, compliant: s!.standing.compliant });
    }
    return { name: maskName(found.name), idMasked: maskIdNumber(check.normalized), institution: found.institution, years: totals };
  }),
} satisfies TRPCRouterRecord;
