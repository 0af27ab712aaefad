import type { TRPCRouterRecord } from '@trpc/server';
import { z } from 'zod';
import { assessExternal, catalogue, closeEnrolmentOf, enrolSelf, enrolStaff, listEnrolments, ownEnrolments, recordExternal } from '../services/enrolment.ts';
import { publicProcedure, userProcedure } from '../trpc.ts';
import { ownPerson } from './claims.ts';

const projectId = z.string().min(1).max(64);

export const enrolmentRouter = {
  /** The public catalogue of approved projects (项目目录): what the projects announce, nobody's data. */
  catalogue: publicProcedure.query(({ ctx }) => catalogue(ctx.db, ctx.now())),

  /** The projects the signed-in staff member is enrolled in. */
  mine: userProcedure.query(async ({ ctx }) => ownEnrolments(ctx.db, await ownPerson(ctx))),

  /** A staff member enrols herself (报名): never anyone else, whatever the input says. */
  enrolSelf: userProcedure.input(z.object({ projectId })).mutation(async ({ ctx, input }) => {
    await enrolSelf(ctx.db, { user: ctx.user, personId: await ownPerson(ctx), projectId: input.projectId, at: ctx.now() });
    return { ok: true };
  }),

  /** A unit's office enrols people of its own unit. */
  enrolStaff: userProcedure
    .input(z.object({ projectId, personIds: z.array(z.string().min(1).max(64)).min(1).max(500) }))
    .mutation(({ ctx, input }) => enrolStaff(ctx.db, { user: ctx.user, projectId: input.projectId, personIds: input.personIds, at: ctx.now() })),

  /** The organiser's enrolment list (报名名单). */
  list: userProcedure
    .input(z.object({ projectId }))
    .query(({ ctx, input }) => listEnrolments(ctx.db, { user: ctx.user, projectId: input.projectId, at: ctx.now() })),

  /** The organiser closes enrolment (报名截止). */
  close: userProcedure.input(z.object({ projectId })).mutation(async ({ ctx, input }) => {
    await closeEnrolmentOf(ctx.db, { user: ctx.user, projectId: input.projectId, at: ctx.now() });
    return { ok: true };
  }),

  /** The organiser records an external attendee (院外/省外人员) by name, ID number and workplace. */
  recordExternal: userProcedure
    .input(
      z.object({
        projectId,
        name: z.string().trim().min(1).max(50),
        idNumber: z.string().trim().min(1).max(30),
        workplace: z.string().trim().min(1).max(100),
      }),
    )
    .mutation(({ ctx, input }) => recordExternal(ctx.db, ctx.vault, { user: ctx.user, ...input, at: ctx.now() })),

  /** The organiser records whether an external attendee passed the assessment (考核). */
  assessExternal: userProcedure.input(z.object({ projectId, personId: z.string().min(1).max(64), passed: z.boolean() })).mutation(async ({ ctx, input }) => {
    await assessExternal(ctx.db, { user: ctx.user, ...input, at: ctx.now() });
    return { ok: true };
  }),
} satisfies TRPCRouterRecord;
