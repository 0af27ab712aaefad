// What reaches the API: bodies are counted while they arrive and refused the moment they pass
// their cap, so a 150 MB request costs the server a few kilobytes, not 590 MB before a 400.
import type { NextFunction, Request, Response } from 'express';
import { parseCookie } from 'cookie';
import { TRPC_ERROR_CODES_BY_KEY, type TRPC_ERROR_CODE_KEY } from '@trpc/server/rpc';
import { ACCESS, type AccessRule } from './authz.ts';
import type { MessageParams } from './errors.ts';
import { requestId } from './request-log.ts';
import { SESSION_COOKIE } from './trpc.ts';

/** The API's body caps: a public form is a few hundred bytes; a 500-tap sync batch about 200 KB. */
export const BODY_LIMITS = { public: 32 * 1024, signedIn: 1024 * 1024 } as const;

/**
 * How long a refused request may go on sending before its connection is cut: while its bytes keep
 * coming, up to half a minute; after two seconds without any, at once (as nginx's lingering close).
 */
const DRAIN_IDLE_MS = 2_000;
const DRAIN_MAX_MS = 30_000;

/**
 * After a refusal: the rest of the body is read and dropped, so that the reply is not lost to a
 * reset connection. A fixed two seconds were too short for a 150 MB body on a loaded machine (and
 * for a phone on a slow network): the connection was reset while the client was still sending,
 * and it saw a broken pipe instead of the refusal's message.
 */
export function stopReading(req: Request): void {
  if (req.complete) return;
  const cut = () => req.socket.destroy();
  const idle = setTimeout(cut, DRAIN_IDLE_MS).unref();
  const longest = setTimeout(cut, DRAIN_MAX_MS).unref();
  const stillSending = () => idle.refresh();
  const done = () => {
    clearTimeout(idle);
    clearTimeout(longest);
    req.off('data', stillSending);
  };
  req.on('data', stillSending);
  req.once('end', done);
  req.once('close', done);
  req.resume();
}

/** The declared length, when it already says the body is too large. */
export function declaredTooLarge(req: Request, limit: number): boolean {
  const declared = Number(req.headers['content-length']);
  return Number.isFinite(declared) && declared > limit;
}

/** The body, at most `limit` bytes; null (and nothing more read) past it. */
export function readBody(req: Request, limit: number): Promise<Buffer | null> {
  if (declaredTooLarge(req, limit)) return Promise.resolve(null);
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const done = (result: Buffer | null) => {
      req.off('data', onData).off('end', onEnd).off('error', onGone).off('close', onGone);
      resolve(result);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) done(null);
      else chunks.push(chunk);
    };
    const onEnd = () => done(Buffer.concat(chunks));
    // The client went away mid-body (a kiosk losing the network): its fault, not the server's.
    const onGone = () => {
      req.off('data', onData).off('end', onEnd).off('error', onGone).off('close', onGone);
      reject(Object.assign(new Error('request aborted'), { status: 400 }));
    };
    req.on('data', onData).on('end', onEnd).on('error', onGone).on('close', onGone);
  });
}

/** An error in tRPC's own reply shape (one per call of a batch), so the kiosk shows its message. */
function refuse(req: Request, res: Response, status: number, code: TRPC_ERROR_CODE_KEY, messageKey: string, params: MessageParams = {}): void {
  const error = {
    json: { message: messageKey, code: TRPC_ERROR_CODES_BY_KEY[code], data: { code, httpStatus: status, requestId: requestId(), messageKey, params } },
  };
  const calls = req.query.batch === '1' ? procedures(req).length : 0;
  res.status(status).json(calls ? Array.from({ length: calls }, () => ({ error })) : { error });
}

function procedures(req: Request): string[] {
  let path = req.path.slice(1);
  try {
    path = decodeURIComponent(path);
  } catch {
    // A malformed name names no procedure: the raw text is as good.
  }
  return path.split(',');
}

/**
 * The door of `/trpc`:
 * - POST only. A query sent as GET puts its input (an ID number, a roster cursor) in the URL,
 *   where proxies, logs and the browser history keep it; the kiosk sends every query as POST.
 * - JSON only. A page on another site can make the browser send a form (text/plain, urlencoded,
 *   multipart) with the session cookie, but not a JSON body without asking first (CORS), which
 *   this server never grants: so no cookie-authenticated call can be forged from elsewhere.
 * - A small body for calls that are all public or come without credentials, 1 MB otherwise.
 */
export async function trpcDoor(req: Request, res: Response, next: NextFunction): Promise<void> {
  if (req.method !== 'POST') {
    res.setHeader('Allow', 'POST');
    refuse(req, res, 405, 'METHOD_NOT_SUPPORTED', 'request.post-only');
    return;
  }
  // The media type itself: `req.is` answers null for a request without a body.
  if ((req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase() !== 'application/json') {
    stopReading(req);
    refuse(req, res, 415, 'UNSUPPORTED_MEDIA_TYPE', 'request.json-only');
    return;
  }
  const signedIn = Boolean(req.headers.authorization) || Boolean(parseCookie(req.headers.cookie ?? '')[SESSION_COOKIE]);
  const allPublic = procedures(req).every((path) => (ACCESS as Record<string, AccessRule>)[path]?.kind === 'public');
  const limit = signedIn && !allPublic ? BODY_LIMITS.signedIn : BODY_LIMITS.public;
  const body = await readBody(req, limit);
  if (!body) {
    stopReading(req);
    refuse(req, res, 413, 'PAYLOAD_TOO_LARGE', 'request.too-large', { kilobytes: limit / 1024 });
    return;
  }
  // tRPC takes a body that is already read from `req.body`.
  req.body = body.toString('utf8');
  next();
}
