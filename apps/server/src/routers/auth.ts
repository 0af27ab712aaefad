import type { TRPCRouterRecord } from '@trpc/server';
import { stringifySetCookie } from 'cookie';
import { z } from 'zod';
import { UserFacingError } from '../errors.ts';
import { endSession, startSession } from '../repositories/users.ts';
import { userProcedure, publicProcedure, SESSION_COOKIE } from '../trpc.ts';

export const authRouter = {
  login: publicProcedure
    .input(z.object({ login: z.string().trim().min(1).max(64), password: z.string().min(1).max(256) }))
    .mutation(async ({ ctx, input }) => {
      const token = await startSession(ctx.db, input.login, input.password, ctx.now());
      if (!token) throw new UserFacingError('UNAUTHORIZED', '用户名或密码错误', 'Wrong login or password');
      ctx.res.setHeader(
        'Set-Cookie',
        stringifySetCookie({
          name: SESSION_COOKIE,
          value: token,
          httpOnly: true,
          sameSite: 'lax',
          secure: ctx.req.secure,
          path: '/',
          maxAge: 7 * 86_400,
        }),
      );
      return { ok: true };
    }),

  logout: userProcedure.mutation(async ({ ctx }) => {
    const token = ctx.req.headers.cookie?.match(new RegExp(`${SESSION_COOKIE}=([^;]+)`))?.[1];
    if (token) await endSession(ctx.db, token);
    ctx.res.setHeader('Set-Cookie', stringifySetCookie({ name: SESSION_COOKIE, value: '', path: '/', maxAge: 0 }));
    return { ok: true };
  }),

  me: publicProcedure.query(({ ctx }) => ctx.user),
} satisfies TRPCRouterRecord;
