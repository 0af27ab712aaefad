import type { TRPCRouterRecord } from '@trpc/server';
import { AttendanceRulesSchema, DECLARATION_FILE_KINDS } from '@opencme/core';
import { z } from 'zod';
import { recordAssessments } from '../repositories/assessments.ts';
import {
  attachDeclarationFiles,
  cancelProject,
  declareProject,
  deleteProject,
  getProject,
  leadTime,
  projectsWithDeadlines,
  removeDeclarationFile,
  reportExecution,
  reviewReport,
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
  specialty: z.string().trim().max(50).nullish(),
  courses: z
    .array(z.object({ name: z.string().trim().min(1).max(100), startsAt: instant, endsAt: instant, credits: z.number().positive().max(100) }))
    .min(1)
    .max(50),
});

const actor = (ctx: { user: { id: string; role: import('../role.ts').Role } }) => ({ userId: ctx.user.id, role: ctx.user.role });

/** CME projects: declaration, review, execution report, assessment, credits. */
export const projectsRouter = {
  /** The projects of the caller's part of the tree, each with the deadline it waits on (逾期 N 天). */
  list: userProcedure.query(({ ctx }) => projectsWithDeadlines(ctx.db, ctx.user.organisationId, ctx.now())),

  get: userProcedure.input(projectId).query(({ ctx, input }) => getProject(ctx.db, input.projectId, ctx.now())),

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

  /** The office whose turn it is decides on the execution report: approve, or return it with the reason. */
  reviewReport: userProcedure
    .input(projectId.extend({ decision: z.enum(['approve', 'return']), reason: z.string().trim().max(500).nullable() }))
    .mutation(({ ctx, input }) => reviewReport(ctx.db, { ...input, actor: actor(ctx), now: ctx.now() })),

  /** 项目废止: the organiser or an office above it cancels a project, with the reason. */
  cancel: userProcedure
    .input(projectId.extend({ reason: z.string().trim().min(1).max(500) }))
    .mutation(({ ctx, input }) => cancelProject(ctx.db, { ...input, actor: actor(ctx), now: ctx.now() })),

  /** Files sent first to POST /api/files/attachment join the declaration as its notice (办班通知) or schedule (日程安排). */
  attachFiles: userProcedure
    .input(projectId.extend({ kind: z.enum(DECLARATION_FILE_KINDS), uploads: z.array(upload).min(1).max(10) }))
    .mutation(async ({ ctx, input }) => {
      const files = await takeUploads(ctx.db, { ids: input.uploads, purpose: 'attachment', ownerUserId: ctx.user.id, now: ctx.now() });
      await attachDeclarationFiles(ctx.db, { projectId: input.projectId, kind: input.kind, files, actor: actor(ctx), now: ctx.now() });
      return { ok: true };
    }),

  removeFile: userProcedure.input(projectId.extend({ fileId: z.string() })).mutation(async ({ ctx, input }) => {
    await removeDeclarationFile(ctx.db, { ...input, actor: actor(ctx), now: ctx.now() });
    return { ok: true };
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
        creditsDays: z.number().int().min(1).max(365).optional(),
        reviewDays: z.number().int().min(1).max(365).optional(),
        declarationFiles: z.array(z.enum(DECLARATION_FILE_KINDS)).max(2).optional(),
        attendanceRules: AttendanceRulesSchema,
      }),
    )
    .mutation(async ({ ctx, input }) => {
      await saveProjectSettings(ctx.db, { ...input, now: ctx.now() });
      return { ok: true };
    }),
} satisfies TRPCRouterRecord;
