import fs from 'node:fs';
import path from 'node:path';
import { createExpressMiddleware } from '@trpc/server/adapters/express';
import { parseCookie } from 'cookie';
import express from 'express';
import type { DialectName } from './db/migrations.ts';
import { appRouter } from './router.ts';
import { PrintJobs } from './print-jobs.ts';
import { publishedProofKeys } from './repositories/proof-keys.ts';
import { findUserBySession } from './repositories/users.ts';
import { createContext, SESSION_COOKIE, type ServerDeps } from './trpc.ts';
import { VERSION } from './version.ts';

export interface AppOptions extends ServerDeps {
  dialect: DialectName;
  /** The kiosk's static build; the API alone is served when it is missing. */
  staticDir: string | null;
  /** A demo start (not production): every page then says so, since the demo's password is public. */
  demo?: boolean;
}

export function createApp(options: AppOptions): express.Express {
  const { db, now, vault, proofSigner, publicUrl, dialect, staticDir } = options;
  const printJobs = new PrintJobs();
  const app = express();
  app.disable('x-powered-by');

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

  // A finished print job's PDF, for the account that started it only.
  app.get('/api/print/:jobId', async (req, res) => {
    const token = parseCookie(req.headers.cookie ?? '')[SESSION_COOKIE];
    const user = token ? await findUserBySession(db, token, now()) : null;
    const job = user ? printJobs.get(req.params.jobId, user.id) : null;
    if (!job?.pdf) {
      res.status(404).json({ error: '打印任务不存在或尚未完成 / no such print job, or it is not finished' });
      return;
    }
    res.setHeader('Content-Type', 'application/pdf');
    res.setHeader('Content-Disposition', `attachment; filename*=UTF-8''${encodeURIComponent(job.fileName)}`);
    res.setHeader('Cache-Control', 'no-store');
    res.send(job.pdf);
  });

  app.use(
    '/trpc',
    createExpressMiddleware({
      router: appRouter,
      createContext: (opts) => createContext({ db, now, vault, proofSigner, publicUrl, printJobs }, opts),
      maxBatchSize: 20,
      // The kiosk sends queries as POST too: a roster cursor or a tap batch never goes in a URL.
      allowMethodOverride: true,
    }),
  );

  app.use('/api', (_req, res) => {
    res.status(404).json({ error: '没有这个接口 / no such endpoint' });
  });

  if (staticDir && fs.existsSync(path.join(staticDir, 'index.html'))) {
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
  return app;
}
