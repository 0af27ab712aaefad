import type { TRPCRouterRecord } from '@trpc/server';
import { AttendanceRulesSchema } from '@opencme/core';
import { z } from 'zod';
import { recordAssessments } from '../repositories/assessments.ts';
import { listProjects } from '../repositories/projects.ts';
import {
  declareProject,
  deleteProject,
  getProject,
  leadTime,
  reportExecution,
  reviewCredits,
  reviewProject,
  saveProjectSettings,
  submitCredits,
  submitProject,
  updateProject,
} from '../services/projects.ts';
import { takeUploads } from '../repositories/uploads.ts';
import { userProcedure } from '../trpc.ts';

const date = z.iso.date();
const instant = z.iso.datetime({ offset: true });
const projectId = z.object({ projectId: z.string() });
const decision = projectId.extend({ decision: z.enum(['approve', 'reject']), reason: z.string().trim().max(500).nullable() });
/** A file sent first to POST /api/files/…: the id it answered. */
const upload = z.string().min(1).max(100);

const ProjectInput = z.object({
  number: z.string().trim().min(1).max(40),
  name: z.string().trim().min(1).max(100),
  level: z.enum(['national', 'provincial', 'city', 'unit']),
  creditClass: z.enum(['I', 'II']),
  credits: z.number().positive().max(100),
  venue: z.string().trim().min(1).max(100),
  startsOn: date,
  endsOn: date,
  mode: z.enum(['onsite', 'online']),
  courses: z
    .array(z.object({ name: z.string().trim().min(1).max(100), startsAt: instant, endsAt: instant, credits: z.number().positive().max(100) }))
    .min(1)
    .max(50),
});

const actor = (ctx: { user: { id: string; role: import('../role.ts').Role } }) => ({ userId: ctx.user.id, role: ctx.user.role });

/** CME projects: declaration, review, execution report, assessment, credits. */
export const projectsRouter = {
  list: userProcedure.query(({ ctx }) => listProjects(ctx.db, ctx.user.organisationId)),

  get: userProcedure.input(projectId).query(({ ctx, input }) => getProject(ctx.db, input.projectId)),

  /** The province's lead time, as the organiser's declare form shows it beside the start date. */
  leadTime: userProcedure.query(({ ctx }) => leadTime(ctx.db, ctx.user.organisationId, ctx.now())),

  /** The organiser (the caller's unit) declares a project as a draft. */
  declare: userProcedure.input(ProjectInput).mutation(async ({ ctx, input }) => ({
    projectId: await declareProject(ctx.db, { project: input, organiserId: ctx.user.organisationId, actor: actor(ctx), now: ctx.now() }),
  })),

  /** The organiser amends a draft, or a project sent back, before submitting it. */
  update: userProcedure.input(projectId.extend({ project: ProjectInput })).mutation(async ({ ctx, input }) => {
    await updateProject(ctx.db, { projectId: input.projectId, project: input.project, actor: actor(ctx), now: ctx.now() });
    return { ok: true };
  }),

  /** The organiser withdraws a draft, or a project sent back, that will not be held. */
  delete: userProcedure.input(projectId).mutation(async ({ ctx, input }) => {
    await deleteProject(ctx.db, { projectId: input.projectId, actor: actor(ctx), now: ctx.now() });
    return { ok: true };
  }),

  submit: userProcedure.input(projectId).mutation(async ({ ctx, input }) => {
    await submitProject(ctx.db, { projectId: input.projectId, actor: actor(ctx), now: ctx.now() });
    return { ok: true };
  }),

  review: userProcedure.input(decision).mutation(async ({ ctx, input }) => ({
    status: await reviewProject(ctx.db, { ...input, actor: actor(ctx), now: ctx.now() }),
  })),

  report: userProcedure
    .input(projectId.extend({ summary: z.string().trim().min(1).max(5000), attachments: z.array(upload).max(10) }))
    .mutation(async ({ ctx, input }) => {
      const files = await takeUploads(ctx.db, { ids: input.attachments, purpose: 'attachment', ownerUserId: ctx.user.id, now: ctx.now() });
      return reportExecution(ctx.db, {
        projectId: input.projectId,
        summary: input.summary,
        attachments: files.map((f) => ({ name: f.fileName, contentType: f.contentType.slice(0, 100), bytes: f.bytes })),
        actor: actor(ctx),
        now: ctx.now(),
      });
    }),

  recordAssessments: userProcedure
    .input(
      projectId.extend({
        results: z.array(z.object({ cmeNumber: z.string().trim().min(1).max(32), passed: z.boolean(), score: z.number().nullable() })).max(5000),
      }),
    )
    .mutation(({ ctx, input }) => recordAssessments(ctx.db, { projectId: input.projectId, results: input.results, userId: ctx.user.id, now: ctx.now() })),

  submitCredits: userProcedure
    .input(projectId)
    .mutation(({ ctx, input }) => submitCredits(ctx.db, { projectId: input.projectId, actor: actor(ctx), now: ctx.now() })),

  reviewCredits: userProcedure.input(decision).mutation(({ ctx, input }) => reviewCredits(ctx.db, { ...input, actor: actor(ctx), now: ctx.now() })),

  /** The province's lead time, report deadline and attendance rules. */
  saveSettings: userProcedure
    .input(
      z.object({
        provinceId: z.string(),
        projectLeadDays: z.number().int().min(0).max(365),
        reportDays: z.number().int().min(1).max(365),
        attendanceRules: AttendanceRulesSchema,
      }),
    )
    .mutation(async ({ ctx, input }) => {
      await saveProjectSettings(ctx.db, { ...input, now: ctx.now() });
      return { ok: true };
    }),
} satisfies TRPCRouterRecord;
