// Self-registration (自助注册) from a phone: no account, a status link with a secret instead.
import { STAFF_CATEGORIES } from '@opencme/core';
import type { TRPCRouterRecord } from '@trpc/server';
import { z } from 'zod';
import { limitCaller } from '../rate-limit.ts';
import { departmentsOf, verifiedUnitsNamed } from '../repositories/organisations.ts';
import { registrationStatus, submitRegistration } from '../services/registration.ts';
import { publicProcedure } from '../trpc.ts';
import { PASSWORD } from './auth.ts';

export const RegistrationInput = z.object({
  institutionId: z.string().min(1),
  departmentId: z.string().min(1),
  name: z.string().trim().min(2, 'registration.name-required').max(30),
  idNumber: z.string().trim(),
  phone: z
    .string()
    .trim()
    .regex(/^1\d{10}$/, 'registration.phone-format'),
  title: z.string().trim().min(1, 'registration.title-required').max(30),
  category: z.enum(STAFF_CATEGORIES),
  specialty: z.string().trim().max(60).default(''),
  degree: z.enum(['secondary', 'college', 'bachelor', 'master', 'doctorate']),
  /** The cropped portrait, sent first to POST /api/files/photo: the id it answered. */
  photoUpload: z.string().min(1).max(100),
  /** Her account's password (the strength rule of every account), activated at approval. */
  password: PASSWORD.optional(),
});

export const registrationRouter = {
  /** Verified units whose name contains the query: the first step of the form. */
  searchUnits: publicProcedure.input(z.object({ query: z.string().trim().max(40) })).query(({ ctx, input }) => verifiedUnitsNamed(ctx.db, input.query)),

  departments: publicProcedure.input(z.object({ institutionId: z.string() })).query(({ ctx, input }) => departmentsOf(ctx.db, input.institutionId)),

  submit: publicProcedure.input(RegistrationInput).mutation(async ({ ctx, input }) => {
    await limitCaller(ctx, 'registration');
    return submitRegistration(ctx.db, ctx.vault, input, ctx.now());
  }),

  /** What the registrant sees on their phone: pending, approved with the card number, or rejected with the reason. */
  status: publicProcedure.input(z.object({ token: z.string().min(10).max(100) })).query(({ ctx, input }) => registrationStatus(ctx.db, input.token)),
} satisfies TRPCRouterRecord;
