// The exchange's plain HTTP API, beside tRPC (files do not belong in JSON):
//   GET  /api/exchange/templates/:kind            the kind's template (.xlsx)
//   POST /api/exchange/:kind/preview              multipart `file` (+ `scope`, or `project` for a kind about one) → the preview
//   POST /api/exchange/previews/:previewId/commit → { batchId, summary }, 422 with the errors
// Signed in by the app's cookie; the access table (authz.ts ACCESS, the kind's `exchange.*` row
// and its scope check) decides, through the same `admit` as every procedure and download.
import { exchangeInChinese } from '@opencme/words';
import { getHTTPStatusCodeFromError } from '@trpc/server/http';
import { parseCookie } from 'cookie';
import express, { type NextFunction, type Request, type Response } from 'express';
import { UserFacingError } from '../errors.ts';
import { findUserBySession } from '../repositories/users.ts';
import { declaredTooLarge, stopReading } from '../request-body.ts';
import { requestId } from '../request-log.ts';
import { admit, SESSION_COOKIE } from '../trpc.ts';
import { receiveFiles, Refusal, UPLOAD_HEADER } from '../uploads.ts';
import { FILE_LIMITS } from './files.ts';
import { ExchangeRefusal } from './messages.ts';
import { commitPreview, type ExchangeDeps, kindNamed, previewImport, previewOf, targetOf } from './service.ts';
import { templateOf } from './template.ts';
import { KINDS } from './kinds/index.ts';

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
/** The access table's refusals, worded for the reply from the exchange's own words. */
const ACCESS_WORDS: Record<string, string> = {
  UNAUTHORIZED: 'exchange.sign-in-first',
  FORBIDDEN: 'exchange.not-allowed',
  NOT_FOUND: 'exchange.scope-not-found',
};

/** A refusal as JSON: the key and parameters (the app words them), the Chinese message, and more when there is (the errors). */
function refuse(req: Request, res: Response, error: unknown): void {
  stopReading(req);
  if (error instanceof ExchangeRefusal) {
    res.status(error.status).json({
      error: error.key,
      messageKey: error.key,
      params: error.params,
      message: exchangeInChinese(error.key, error.params),
      requestId: requestId(),
      ...error.extra,
    });
  } else if (error instanceof UserFacingError) {
    const words = ACCESS_WORDS[error.code] ?? 'exchange.not-allowed';
    res.status(getHTTPStatusCodeFromError(error)).json({
      error: error.messageKey,
      messageKey: error.messageKey,
      params: error.params,
      message: exchangeInChinese(error.messageKey.startsWith('exchange.') ? error.messageKey : words, error.params),
      requestId: requestId(),
    });
  } else throw error;
}

async function userOf(deps: ExchangeDeps, req: Request) {
  const token = parseCookie(req.headers.cookie ?? '')[SESSION_COOKIE];
  return token ? await findUserBySession(deps.db, token, deps.now()) : null;
}

/** Refuses a cross-site form: a browser adds our header only from our own pages (see uploads.ts). */
function fromOurPages(req: Request): void {
  if (req.headers[UPLOAD_HEADER] !== '1') throw new ExchangeRefusal(403, 'exchange.from-our-pages');
}

const EXCHANGE_UPLOAD = { files: 1, fileBytes: FILE_LIMITS.bytes, requestBytes: FILE_LIMITS.bytes + 16 * 1024 };

export function exchangeRoutes(deps: ExchangeDeps): express.Router {
  const routes = express.Router();
  const handle = (work: (req: Request, res: Response) => Promise<void>) => async (req: Request, res: Response, next: NextFunction) => {
    try {
      await work(req, res);
    } catch (error) {
      if (!res.headersSent && (error instanceof ExchangeRefusal || error instanceof UserFacingError)) refuse(req, res, error);
      else next(error);
    }
  };

  routes.get(
    '/api/exchange/templates/:kind',
    handle(async (req, res) => {
      const user = await userOf(deps, req);
      await admit(deps.db, 'exchange.templates', { user, bearer: null }, () => Promise.resolve({}));
      const kind = kindNamed(String(req.params.kind));
      const bytes = await templateOf(kind);
      const name = `${kind.title}.xlsx`;
      res.setHeader('Content-Type', XLSX);
      res.setHeader('Content-Disposition', `attachment; filename="template.xlsx"; filename*=UTF-8''${encodeURIComponent(name)}`);
      res.setHeader('Cache-Control', 'private, no-cache');
      res.setHeader('X-Content-Type-Options', 'nosniff');
      res.end(bytes);
    }),
  );

  routes.post(
    '/api/exchange/:kind/preview',
    handle(async (req, res) => {
      fromOurPages(req);
      const user = await userOf(deps, req);
      if (!user) throw new UserFacingError('UNAUTHORIZED', 'access.sign-in-first');
      const kind = kindNamed(String(req.params.kind));
      // The role first, before a byte of the file is read: nobody else's upload costs anything.
      await admit(deps.db, kind.access, { user, bearer: null }, () => Promise.resolve({ scope: user.organisationId }));
      if (!req.is('multipart/form-data')) throw new ExchangeRefusal(415, 'exchange.upload-unreadable');
      if (declaredTooLarge(req, EXCHANGE_UPLOAD.requestBytes))
        throw new ExchangeRefusal(413, 'exchange.file-too-large', { megabytes: FILE_LIMITS.bytes / 1024 / 1024 });
      const received = await receiveFiles(req, EXCHANGE_UPLOAD, ['scope', 'project']).catch((error: unknown) => {
        if (error instanceof Refusal && error.key === 'uploads.file-too-large') {
          return new ExchangeRefusal(413, 'exchange.file-too-large', { megabytes: FILE_LIMITS.bytes / 1024 / 1024 });
        }
        return new ExchangeRefusal(error instanceof Refusal ? error.status : 400, 'exchange.upload-unreadable');
      });
      if (received instanceof ExchangeRefusal) throw received;
      const target = await targetOf(deps.db, kind, user, received.fields);
      // The scope the file is for (a project's organiser), held against the caller's part of the tree.
      await admit(deps.db, kind.access, { user, bearer: null }, () => Promise.resolve({ scope: target.scopeId }));
      const file = received.files[0]!;
      const reply = await previewImport(deps, user, kind, { fileName: file.fileName, bytes: file.bytes, ...target });
      res.status(reply.previewId ? 200 : 422).json(reply);
    }),
  );

  routes.post(
    '/api/exchange/previews/:previewId/commit',
    handle(async (req, res) => {
      fromOurPages(req);
      const user = await userOf(deps, req);
      if (!user) throw new UserFacingError('UNAUTHORIZED', 'access.sign-in-first');
      const preview = await previewOf(deps.db, user, String(req.params.previewId), deps.now());
      await admit(deps.db, preview.kind.access, { user, bearer: null }, () => Promise.resolve({ scope: preview.scope_id }));
      res.json(await commitPreview(deps, user, preview.id));
    }),
  );
  return routes;
}

/** The access table's rows these routes are decided by (authz.test.ts walks them beside the procedures). */
export const EXCHANGE_ROUTE_ACCESS: readonly string[] = ['exchange.templates', ...new Set(Object.values(KINDS).map((k) => k.access))];
