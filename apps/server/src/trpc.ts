import { initTRPC } from '@trpc/server';
import type { CreateExpressContextOptions } from '@trpc/server/adapters/express';
import { parseCookie } from 'cookie';
import superjson from 'superjson';
import { ZodError } from 'zod';
import type { DB } from './db/connect.ts';
import type { DeviceRow } from './db/schema.ts';
import type { IdNumberVault } from './pii.ts';
import type { PrintJobs } from './print-jobs.ts';
import type { ProofSigner } from './proof-key.ts';
import { ACCESS, type AccessRule, withinScope } from './authz.ts';
import { UserFacingError } from './errors.ts';
import { findDeviceByToken } from './repositories/devices.ts';
import { findUserBySession } from './repositories/users.ts';
import { requestId, serverErrorMessage } from './request-log.ts';

export const SESSION_COOKIE = 'opencme_session';

export interface ServerDeps {
  db: DB;
  /** The clock, injectable so tests can stand at a chosen moment. */
  now: () => Date;
  vault: IdNumberVault;
  /** Signs proofs (学分证明) with the server's Ed25519 key. */
  proofSigner: ProofSigner;
  /**
   * The address printed on proofs (e.g. https://cme.example.org), from configuration: never from a
   * request, whose Host header anyone can forge to send a proof's verifier to a site of their own.
   */
  publicUrl: string;
}

export async function createContext(deps: ServerDeps & { printJobs: PrintJobs }, { req, res }: CreateExpressContextOptions) {
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

/** Stack traces in replies only when a developer runs the server as such, never by default. */
const isDev = process.env.NODE_ENV === 'development';

const t = initTRPC.context<Context>().create({
  transformer: superjson,
  isDev,
  errorFormatter({ shape, error }) {
    const zod = error.cause instanceof ZodError ? error.cause : null;
    const id = requestId();
    // An unexpected failure's own message can name tables, files or values: the user gets a
    // reference to quote instead, and the server log has the rest.
    const hidden = shape.data.httpStatus >= 500 && !(error instanceof UserFacingError) ? serverErrorMessage(id) : null;
    const { stack, ...data } = shape.data;
    return {
      ...shape,
      // A bad request names the fields that are wrong, so the client can point at them.
      message: hidden?.zh ?? (zod ? `输入有误 / invalid input: ${zod.issues.map((i) => i.path.join('.') || '(root)').join(', ')}` : shape.message),
      data: {
        ...data,
        ...(isDev && stack ? { stack } : {}),
        requestId: id,
        messageEn: hidden?.en ?? (error instanceof UserFacingError ? error.messageEn : null),
        issues: zod?.issues.map((i) => ({ path: i.path.map(String), message: i.message })) ?? null,
        field: error instanceof UserFacingError ? error.field : null,
      },
    };
  },
});

export const router = t.router;

/**
 * Every procedure passes here first: the access table decides, in one place, whether the caller
 * (anyone, a kiosk, or an account of a role) may call it and on which part of the organisation tree.
 */
/** What an account may do before it has changed its initial password. */
const FIRST_SIGN_IN = new Set(['auth.changePassword', 'auth.logout']);

const authorized = t.procedure.use(async ({ ctx, path, getRawInput, next }) => {
  const rule = (ACCESS as Record<string, AccessRule>)[path];
  if (!rule) throw new UserFacingError('INTERNAL_SERVER_ERROR', `接口 ${path} 没有访问规则`, `No access rule for ${path}`);
  const noDevice = null as DeviceRow | null;
  if (rule.kind === 'public') return next({ ctx: { ...ctx, device: noDevice } });

  if (rule.kind === 'device') {
    if (!ctx.bearer) throw new UserFacingError('UNAUTHORIZED', '设备未配对', 'This device is not paired');
    const device = await findDeviceByToken(ctx.db, ctx.bearer);
    if (!device) throw new UserFacingError('UNAUTHORIZED', '设备凭证无效，请重新配对', 'Unknown device token: pair the device again');
    if (device.revoked_at) throw new UserFacingError('UNAUTHORIZED', '此设备已被停用，请联系管理员', 'This device was revoked: ask an administrator');
    return next({ ctx: { ...ctx, device } });
  }

  if (!ctx.user) throw new UserFacingError('UNAUTHORIZED', '请先登录', 'Please sign in first');
  // An initial password is known to whoever handed it over: nothing else until it is changed.
  if (ctx.user.mustChangePassword && !FIRST_SIGN_IN.has(path)) {
    throw new UserFacingError('FORBIDDEN', '首次登录请先修改初始密码', 'Change the initial password first');
  }
  if (!rule.roles.includes(ctx.user.role)) throw new UserFacingError('FORBIDDEN', '您的角色无权进行此操作', 'Your role may not do this');
  if (rule.target) {
    const organisations = await rule.target(ctx.db, await getRawInput());
    if (!organisations) throw new UserFacingError('NOT_FOUND', '找不到要操作的记录', 'The record was not found');
    for (const organisationId of organisations) {
      if (!(await withinScope(ctx.db, ctx.user.organisationId, organisationId))) {
        throw new UserFacingError('FORBIDDEN', '这条记录不在您的管理范围内', 'This record is outside your part of the organisation');
      }
    }
  }
  return next({ ctx: { ...ctx, device: noDevice } });
});

export const publicProcedure = authorized;

/** A signed-in account (the access table has already checked its role and scope). */
export const userProcedure = authorized.use(({ ctx, next }) => {
  if (!ctx.user) throw new UserFacingError('UNAUTHORIZED', '请先登录', 'Please sign in first');
  return next({ ctx: { ...ctx, user: ctx.user } });
});

/** A paired kiosk (the access table has already checked its token). */
export const deviceProcedure = authorized.use(({ ctx, next }) => {
  if (!ctx.device) throw new UserFacingError('UNAUTHORIZED', '设备未配对', 'This device is not paired');
  return next({ ctx: { ...ctx, device: ctx.device } });
});
