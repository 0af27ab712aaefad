import fs from 'node:fs';
import path from 'node:path';
import { createExpressMiddleware } from '@trpc/server/adapters/express';
import { getHTTPStatusCodeFromError } from '@trpc/server/http';
import express, { type NextFunction, type Request, type Response } from 'express';
import type { DialectName } from './db/migrations.ts';
import type { Message } from './errors.ts';
import { downloadRoutes } from './downloads.ts';
import { rosterPhotoRoutes } from './roster-photos.ts';
import { exchangeRoutes } from './exchange/routes.ts';
import { hrRoutes } from './hr-api.ts';
import { onlineRoutes } from './online-routes.ts';
import { appRouter } from './router.ts';
import { PrintJobs } from './print-jobs.ts';
import { publishedProofKeys } from './repositories/proof-keys.ts';
import { trpcDoor } from './request-body.ts';
import { assignRequestId, logServerError, requestId, serverErrorMessage } from './request-log.ts';
import { securityHeaders } from './security-headers.ts';
import { createContext, type ServerDeps } from './trpc.ts';
import { uploadRoute } from './uploads.ts';
import { VERSION } from './version.ts';

export interface AppOptions extends ServerDeps {
  dialect: DialectName;
  /** The kiosk's static build; the API alone is served when it is missing. */
  staticDir: string | null;
  /** A demo start (not production): every page then says so, since the demo's password is public. */
  demo?: boolean;
  /** Express's `trust proxy`: which hops' X-Forwarded-For/-Proto to believe (TRUST_PROXY). */
  trustProxy?: boolean | number | string;
}

/** TRUST_PROXY as Express takes it: unset or "false" trusts no proxy; "1" one hop; "true" any; else addresses. */
export function trustProxySetting(value: string | undefined): boolean | number | string {
  if (!value || value === 'false') return false;
  if (value === 'true') return true;
  return /^\d+$/.test(value) ? Number(value) : value;
}

export function createApp(options: AppOptions): express.Express {
  const { db, now, vault, proofSigner, publicUrl, dialect, staticDir, limits } = options;
  const printJobs = new PrintJobs(db);
  const shell = staticDir && fs.existsSync(path.join(staticDir, 'index.html')) ? fs.readFileSync(path.join(staticDir, 'index.html'), 'utf8') : null;
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', options.trustProxy ?? false);
  // Express's own error pages carry stack traces outside "production"; only a developer's start
  // (NODE_ENV=development) may see them.
  app.set('env', process.env.NODE_ENV === 'development' ? 'development' : 'production');
  app.use(assignRequestId);
  app.use(securityHeaders(shell));

  app.get('/api/health', async (_req, res) => {
    // A query proves the database answers, not just that the process runs.
    const ok = await db
      .selectFrom('counters')
      .select('value')
      .executeTakeFirst()
      .then(() => true)
      .catch(() => false);
    res.status(ok ? 200 : 503).json({ status: ok ? 'ok' : 'database-unavailable', version: VERSION, database: dialect, demo: options.demo ?? false });
  });

  // The keys that check proofs, with their validity, for verifiers to fetch and keep (the verify
  // page works offline from then on); short-lived in caches, so that a withdrawal spreads fast.
  app.get('/.well-known/opencme-proof-keys.json', async (_req, res) => {
    res.setHeader('Cache-Control', 'public, max-age=300');
    res.setHeader('Access-Control-Allow-Origin', '*');
    res.json(await publishedProofKeys(db, proofSigner, now()));
  });

  app.post('/api/files/:purpose', uploadRoute({ db, now }));
  app.use(downloadRoutes({ db, now, vault, printJobs, proofSigner }));
  app.use(rosterPhotoRoutes({ db }));
  app.use(hrRoutes({ db, now, vault, proofSigner }));
  app.use(exchangeRoutes({ db, now, vault }));
  app.use(onlineRoutes({ db, now, vault }));

  app.use(
    '/trpc',
    trpcDoor,
    createExpressMiddleware({
      router: appRouter,
      createContext: (opts) => createContext({ db, now, vault, proofSigner, publicUrl, printJobs, limits }, opts),
      maxBatchSize: 20,
      // The kiosk sends queries as POST too (and trpcDoor refuses GET): a roster cursor, a tap
      // batch or an ID number never goes in a URL.
      allowMethodOverride: true,
      onError({ error, path, req }) {
        const status = getHTTPStatusCodeFromError(error);
        if (status >= 500) logServerError({ status, method: req.method ?? 'POST', route: `/trpc/${path ?? '?'}` }, error.cause ?? error);
      },
    }),
  );

  app.use('/api', (_req, res) => {
    res.status(404).json({ error: '没有这个接口 / no such endpoint' });
  });

  if (staticDir && shell !== null) {
    app.use(
      express.static(staticDir, {
        index: false,
        setHeaders(res, file) {
          // The shell, the service worker and the manifest must be revalidated, or a deployed
          // update never reaches the kiosks; hashed assets never change and are cached for good.
          if (/\.(html|webmanifest)$/.test(file) || file.endsWith('service-worker.js')) res.setHeader('Cache-Control', 'no-cache');
          else if (file.includes(`${path.sep}_app${path.sep}immutable${path.sep}`)) {
            res.setHeader('Cache-Control', 'public, max-age=31536000, immutable');
          }
        },
      }),
    );
    app.get('/{*splat}', (_req, res) => {
      res.setHeader('Cache-Control', 'no-cache');
      res.sendFile(path.join(staticDir, 'index.html'));
    });
  }
  app.use(lastResort);
  return app;
}

/** Any error no route answered: logged when it is the server's fault, never shown with its stack. */
function lastResort(error: unknown, req: Request, res: Response, _next: NextFunction): void {
  const declared = (error as { status?: unknown; statusCode?: unknown } | null)?.status ?? (error as { statusCode?: unknown } | null)?.statusCode;
  const status = typeof declared === 'number' && declared >= 400 && declared < 600 ? declared : 500;
  if (status >= 500)
    logServerError({ status, method: req.method, route: req.baseUrl + ((req.route as { path?: string } | undefined)?.path ?? req.path) }, error);
  if (res.headersSent) {
    req.socket.destroy();
    return;
  }
  const message: Message = status >= 500 ? serverErrorMessage(requestId()) : { key: 'request.invalid' };
  res.status(status).json({ error: message.key, messageKey: message.key, params: message.params ?? {}, requestId: requestId() });
}
