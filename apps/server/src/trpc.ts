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
import type { LimitName } from './rate-limit.ts';
import { ACCESS, type AccessRule } from './authz.ts';
import { type Message, type MessageParams, UserFacingError } from './errors.ts';
import { withinScope } from './repositories/organisations.ts';
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
  /**
   * Budgets that replace a limit of rate-limit.ts's LIMITS, set in code only (a benchmark loading
   * the public lookup from one address); no configuration reaches it, so production keeps the defaults.
   */
  limits?: Partial<Record<LimitName, { limit: number; windowMs: number }>>;
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
    const issues = zod?.issues.map(issueMessage) ?? null;
    // The client says the message in its user's language from the key; the key is the message too.
    const message: Message =
      hidden ??
      (error instanceof UserFacingError ? { key: error.messageKey, params: error.params } : zod ? { key: 'input.invalid' } : { key: 'error.generic' });
    return {
      ...shape,
      // A refused input also names its fields in the message, for logs and for other clients.
      message: zod ? `${message.key}: ${zod.issues.map((i) => i.path.join('.') || '(root)').join(', ')}` : message.key,
      data: {
        ...data,
        ...(isDev && stack ? { stack } : {}),
        requestId: id,
        messageKey: message.key,
        params: message.params ?? {},
        // A bad request names the fields that are wrong, so the client can point at them.
        issues,
        field: error instanceof UserFacingError ? error.field : null,
      },
    };
  },
});

const MESSAGE_KEY = /^[a-z0-9-]+(\.[a-z0-9-]+)+$/;

/**
 * A refused input field with the message to show beside it: the key a schema gave (routers and
 * core's schemas use keys as messages), or a generic one for the kind of refusal.
 */
function issueMessage(issue: ZodError['issues'][number]): { path: string[]; messageKey: string; params: MessageParams } {
  const path = issue.path.map(String);
  if (MESSAGE_KEY.test(issue.message))
    return { path, messageKey: issue.message, params: 'params' in issue && issue.params ? (issue.params as MessageParams) : {} };
  const limit: MessageParams = 'minimum' in issue ? { limit: Number(issue.minimum) } : 'maximum' in issue ? { limit: Number(issue.maximum) } : {};
  const of = 'origin' in issue ? (({ string: '-text', array: '-items', set: '-items' } as Record<string, string>)[issue.origin] ?? '') : '';
  const kind = issue.code === 'too_small' ? `too-small${of}` : issue.code === 'too_big' ? `too-big${of}` : 'invalid-value';
  return { path, messageKey: `input.${kind}`, params: limit };
}

export const router = t.router;

/**
 * Every procedure passes here first: the access table decides, in one place, whether the caller
 * (anyone, a kiosk, or an account of a role) may call it and on which part of the organisation tree.
 */
/** What an account may do before it has changed its initial password. */
const FIRST_SIGN_IN = new Set(['auth.changePassword', 'auth.logout']);

type Caller = { user: Awaited<ReturnType<typeof findUserBySession>>; bearer: string | null };

/**
 * The access table's decision for one call, tRPC procedure or file download alike: the kiosk it
 * comes from when the rule asks for one; otherwise throws why not (the caller's language beside).
 */
export async function admit(db: DB, path: string, caller: Caller, rawInput: () => Promise<unknown>): Promise<DeviceRow | null> {
  const rule = (ACCESS as Record<string, AccessRule>)[path];
  if (!rule) throw new UserFacingError('INTERNAL_SERVER_ERROR', 'access.no-access-rule', { path });
  if (rule.kind === 'public') return null;

  if (rule.kind === 'device') {
    if (!caller.bearer) throw new UserFacingError('UNAUTHORIZED', 'access.device-not-paired');
    const device = await findDeviceByToken(db, caller.bearer);
    if (!device) throw new UserFacingError('UNAUTHORIZED', 'access.unknown-device-token-pair-device');
    if (device.revoked_at) throw new UserFacingError('UNAUTHORIZED', 'access.device-revoked-ask-administrator');
    return device;
  }

  const user = caller.user;
  if (!user) throw new UserFacingError('UNAUTHORIZED', 'access.sign-in-first');
  // An initial password is known to whoever handed it over: nothing else until it is changed.
  if (user.mustChangePassword && !FIRST_SIGN_IN.has(path)) {
    throw new UserFacingError('FORBIDDEN', 'access.change-initial-password-first');
  }
  if (!rule.roles.includes(user.role)) throw new UserFacingError('FORBIDDEN', 'access.role-not-do');
  if (rule.target) {
    const organisations = await rule.target(db, await rawInput());
    if (!organisations) throw new UserFacingError('NOT_FOUND', 'access.record-not-found');
    for (const organisationId of organisations) {
      if (!(await withinScope(db, user.organisationId, organisationId))) {
        throw new UserFacingError('FORBIDDEN', 'access.record-outside-part-organisation');
      }
    }
  }
  return null;
}

const authorized = t.procedure.use(async ({ ctx, path, getRawInput, next }) => {
  const device = await admit(ctx.db, path, ctx, getRawInput);
  return next({ ctx: { ...ctx, device } });
});

export const publicProcedure = authorized;

/** A signed-in account (the access table has already checked its role and scope). */
export const userProcedure = authorized.use(({ ctx, next }) => {
  if (!ctx.user) throw new UserFacingError('UNAUTHORIZED', 'access.sign-in-first');
  return next({ ctx: { ...ctx, user: ctx.user } });
});

/** A paired kiosk (the access table has already checked its token). */
export const deviceProcedure = authorized.use(({ ctx, next }) => {
  if (!ctx.device) throw new UserFacingError('UNAUTHORIZED', 'access.device-not-paired');
  return next({ ctx: { ...ctx, device: ctx.device } });
});
