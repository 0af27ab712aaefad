import type { TRPCRouterRecord } from '@trpc/server';
import { z } from 'zod';
import { listSessions } from '../repositories/sessions.ts';
import { correctAttendance, listSessionAttendance } from '../repositories/attendance.ts';
import { onlineWatchOfSession } from '../repositories/online.ts';
import { listSessionTaps } from '../repositories/taps.ts';
import { userProcedure } from '../trpc.ts';

export const sessionsRouter = {
  list: userProcedure.query(({ ctx }) => listSessions(ctx.db, ctx.user.organisationId)),

  /**
   * The raw taps of a session and the sign-in / sign-out per person they add up to; for an online
   * session (线上), also the watch time per person and China day, and what the rule asks.
   */
  attendance: userProcedure.input(z.object({ sessionId: z.string() })).query(async ({ ctx, input }) => {
    const [taps, people, online] = await Promise.all([
      listSessionTaps(ctx.db, input.sessionId),
      listSessionAttendance(ctx.db, input.sessionId),
      onlineWatchOfSession(ctx.db, input.sessionId),
    ]);
    return { taps, people, online };
  }),

  /** Sets a person's sign-in and sign-out by hand, with the reason (audited). */
  correctAttendance: userProcedure
    .input(
      z.object({
        sessionId: z.string(),
        personId: z.string(),
        signInAt: z.iso.datetime({ offset: true }).nullable(),
        signOutAt: z.iso.datetime({ offset: true }).nullable(),
        reason: z.string().trim().min(2).max(500),
      }),
    )
    .mutation(async ({ ctx, input }) => {
      await correctAttendance(ctx.db, { ...input, userId: ctx.user.id, organisationId: ctx.user.organisationId, now: ctx.now() });
      return { ok: true };
    }),
} satisfies TRPCRouterRecord;
