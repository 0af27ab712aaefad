import type { TRPCRouterRecord } from '@trpc/server';
import { parseCookie, stringifySetCookie } from 'cookie';
import { z } from 'zod';
import { ROLES } from '../role.ts';
import { UserFacingError } from '../errors.ts';
import { changePassword, endSession } from '../repositories/users.ts';
import { addressKey, LIMITS, tooMany } from '../rate-limit.ts';
import { DEMO_PASSWORD } from '../secrets.ts';
import { createAccount, signIn } from '../services/accounts.ts';
import { publicProcedure, SESSION_COOKIE, userProcedure } from '../trpc.ts';

/** A password an account chooses: long enough, and never the demo's published one. */
export const PASSWORD = z
  .string()
  .min(10, 'auth.password-too-short')
  .max(128)
  .refine((p) => p !== DEMO_PASSWORD, 'auth.password-is-demo');

export const authRouter = {
  /** `login`: an account's login, or a staff member's ID number, CME card number (继教卡号) or phone. */
  login: publicProcedure.input(z.object({ login: z.string().trim().min(1).max(64), password: z.string().min(1).max(256) })).mutation(async ({ ctx, input }) => {
    const now = ctx.now();
    const result = await signIn(ctx.db, ctx.vault, { ...input, address: addressKey(ctx.req.ip), now });
    if (!result.ok) {
      if (result.reason === 'throttled') throw tooMany(ctx.res, LIMITS.signInFailures, result.retryAt, now);
      if (result.reason === 'unit-pending') throw new UserFacingError('FORBIDDEN', 'auth.unit-not-verified-yet-sign');
      throw new UserFacingError('UNAUTHORIZED', 'auth.wrong-login-password');
    }
    ctx.res.setHeader(
      'Set-Cookie',
      stringifySetCookie({ name: SESSION_COOKIE, value: result.token, httpOnly: true, sameSite: 'lax', secure: ctx.req.secure, path: '/', maxAge: 7 * 86_400 }),
    );
    return { ok: true };
  }),

  logout: userProcedure.mutation(async ({ ctx }) => {
    const token = parseCookie(ctx.req.headers.cookie ?? '')[SESSION_COOKIE];
    if (token) await endSession(ctx.db, token);
    ctx.res.setHeader('Set-Cookie', stringifySetCookie({ name: SESSION_COOKIE, value: '', path: '/', maxAge: 0 }));
    return { ok: true };
  }),

  me: publicProcedure.query(({ ctx }) => ctx.user),

  // `current` may be empty in a session opened with a reset code (the code stood for it).
  changePassword: userProcedure.input(z.object({ current: z.string().max(256), next: PASSWORD })).mutation(async ({ ctx, input }) => {
    if (input.current === input.next) throw new UserFacingError('BAD_REQUEST', 'auth.new-password-differ-old-one');
    const keepSessionToken = parseCookie(ctx.req.headers.cookie ?? '')[SESSION_COOKIE] ?? null;
    if (!(await changePassword(ctx.db, { userId: ctx.user.id, current: input.current, next: input.next, keepSessionToken }))) {
      throw new UserFacingError('BAD_REQUEST', 'auth.current-password-wrong');
    }
    return { ok: true };
  }),

  /** An account for a colleague, with an initial password that must be changed at first sign-in. */
  createAccount: userProcedure
    .input(
      z.object({
        organisationId: z.string(),
        role: z.enum(ROLES),
        login: z
          .string()
          .trim()
          .regex(/^[a-zA-Z0-9_.-]{3,32}$/, 'auth.login-format'),
        displayName: z.string().trim().min(2).max(30),
        /** The person the account belongs to, where she is staff too. */
        personId: z.string().nullish(),
      }),
    )
    .mutation(({ ctx, input }) => createAccount(ctx.db, input, ctx.user, ctx.now())),
} satisfies TRPCRouterRecord;
