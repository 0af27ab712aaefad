import { initTRPC } from '@trpc/server';
import type { CreateExpressContextOptions } from '@trpc/server/adapters/express';
import { parseCookie } from 'cookie';
import superjson from 'superjson';
import { ZodError } from 'zod';
import type { DB } from './db/connect.ts';
import type { IdNumberVault } from './pii.ts';
import { UserFacingError } from './errors.ts';
import { findDeviceByToken } from './repositories/devices.ts';
import { findUserBySession } from './repositories/users.ts';

export const SESSION_COOKIE = 'opencme_session';

export interface ServerDeps {
  db: DB;
  /** The clock, injectable so tests can stand at a chosen moment. */
  now: () => Date;
  vault: IdNumberVault;
}

export async function createContext(deps: ServerDeps, { req, res }: CreateExpressContextOptions) {
  const bearer = req.headers.authorization?.match(/^Bearer (.+)$/)?.[1] ?? null;
  const sessionToken = parseCookie(req.headers.cookie ?? '')[SESSION_COOKIE] ?? null;
  return {
    ...deps,
    req,
    res,
    bearer,
    user: sessionToken ? await findUserBySession(deps.db, sessionToken, deps.now()) : null,
  };
}

export type Context = Awaited<ReturnType<typeof createContext>>;

const t = initTRPC.context<Context>().create({
  transformer: superjson,
  errorFormatter({ shape, error }) {
    const zod = error.cause instanceof ZodError ? error.cause : null;
    return {
      ...shape,
      // A bad request names the fields that are wrong, so the client can point at them.
      message: zod ? `输入有误 / invalid input: ${zod.issues.map((i) => i.path.join('.') || '(root)').join(', ')}` : shape.message,
      data: {
        ...shape.data,
        messageEn: error instanceof UserFacingError ? error.messageEn : null,
        issues: zod?.issues.map((i) => ({ path: i.path.map(String), message: i.message })) ?? null,
      },
    };
  },
});

export const router = t.router;
export const publicProcedure = t.procedure;

/** A signed-in administrator of a unit. */
export const adminProcedure = t.procedure.use(({ ctx, next }) => {
  if (!ctx.user) throw new UserFacingError('UNAUTHORIZED', '请先登录', 'Please sign in first');
  return next({ ctx: { ...ctx, user: ctx.user } });
});

/** A paired, not revoked kiosk: it can do nothing but sync. */
export const deviceProcedure = t.procedure.use(async ({ ctx, next }) => {
  if (!ctx.bearer) throw new UserFacingError('UNAUTHORIZED', '设备未配对', 'This device is not paired');
  const device = await findDeviceByToken(ctx.db, ctx.bearer);
  if (!device) throw new UserFacingError('UNAUTHORIZED', '设备凭证无效，请重新配对', 'Unknown device token: pair the device again');
  if (device.revoked_at) throw new UserFacingError('UNAUTHORIZED', '此设备已被停用，请联系管理员', 'This device was revoked: ask an administrator');
  return next({ ctx: { ...ctx, device } });
});
