import type { TRPCRouterRecord } from '@trpc/server';
import { z } from 'zod';
import { UserFacingError } from '../errors.ts';
import { listSessions, sessionBelongsTo } from '../repositories/sessions.ts';
import { listSessionAttendance, listSessionTaps } from '../repositories/taps.ts';
import { adminProcedure } from '../trpc.ts';

export const sessionsRouter = {
  list: adminProcedure.query(({ ctx }) => listSessions(ctx.db, ctx.user.institutionId)),

  /** The raw taps of a session and the sign-in / sign-out per person they add up to. */
  attendance: adminProcedure.input(z.object({ sessionId: z.string() })).query(async ({ ctx, input }) => {
    if (!(await sessionBelongsTo(ctx.db, input.sessionId, ctx.user.institutionId))) {
      throw new UserFacingError('NOT_FOUND', '没有这个场次', 'No such session');
    }
    const [taps, people] = await Promise.all([listSessionTaps(ctx.db, input.sessionId), listSessionAttendance(ctx.db, input.sessionId)]);
    return { taps, people };
  }),
} satisfies TRPCRouterRecord;
