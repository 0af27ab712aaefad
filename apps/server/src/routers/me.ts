// A staff member's own pages (/me): every procedure acts for the caller's own person only.
import type { TRPCRouterRecord } from '@trpc/server';
import { z } from 'zod';
import { myAttendance, myCertificates, myProfile, myStanding } from '../services/self-service.ts';
import { userProcedure } from '../trpc.ts';
import { ownPerson } from './claims.ts';

export const meRouter = {
  /** Her record (the ID number masked) and the CME years she can look at. */
  profile: userProcedure.query(async ({ ctx }) => myProfile(ctx.db, await ownPerson(ctx), ctx.now())),

  /** Her standing in a year, with the entries it is summed from and the reasons it is not met. */
  standing: userProcedure
    .input(z.object({ cmeYear: z.number().int().min(2000).max(2100) }))
    .query(async ({ ctx, input }) => myStanding(ctx.db, await ownPerson(ctx), input.cmeYear, ctx.user, ctx.now())),

  attendance: userProcedure.query(async ({ ctx }) => myAttendance(ctx.db, await ownPerson(ctx))),

  /** Her attendance entries, each of which she may print a certificate (电子学分证书) for. */
  certificates: userProcedure.query(async ({ ctx }) => myCertificates(ctx.db, await ownPerson(ctx))),
} satisfies TRPCRouterRecord;
