import type { TRPCRouterRecord } from '@trpc/server';
import { z } from 'zod';
import { UserFacingError } from '../errors.ts';
import { auditPersonalData } from '../repositories/audit.ts';
import { userProcedure } from '../trpc.ts';

export const personsRouter = {
  /** The full ID number, for the rare case that needs it; every such view is written to the audit log. */
  revealIdNumber: userProcedure.input(z.object({ personId: z.string() })).mutation(async ({ ctx, input }) => {
    const person = await ctx.db
      .selectFrom('persons')
      .select(['id', 'id_number_enc', 'institution_id'])
      .where('id', '=', input.personId)
      .executeTakeFirst();
    if (!person) throw new UserFacingError('NOT_FOUND', 'proofs.no-such-person');
    await auditPersonalData(ctx.db, {
      actor: { userId: ctx.user.id, organisationId: ctx.user.organisationId },
      action: 'person.reveal-id-number',
      persons: [{ id: person.id, institutionId: person.institution_id }],
      at: ctx.now(),
    });
    return { idNumber: ctx.vault.decrypt(person.id_number_enc) };
  }),
} satisfies TRPCRouterRecord;
