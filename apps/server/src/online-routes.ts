// POST /api/online/v1/watch-events: the API online learning platforms (线上学习平台) send watch time
// to, signed with their own key (docs/online-learning.md). Not a tRPC procedure and not in the
// access table: no account or kiosk calls it, and the signature, not a cookie, says who sends.
import express, { type Request, type Response } from 'express';
import type { DB } from './db/connect.ts';
import { HEADERS } from './online-signature.ts';
import { UserFacingError } from './errors.ts';
import type { IdNumberVault } from './pii.ts';
import { limitCaller } from './rate-limit.ts';
import { BODY_LIMITS, readBody, stopReading } from './request-body.ts';
import { requestId } from './request-log.ts';
import { OnlineRefusal, receiveWatchEvents } from './services/online.ts';

export const WATCH_EVENTS_PATH = '/api/online/v1/watch-events';

const header = (req: Request, name: string) => {
  const value = req.headers[name];
  return typeof value === 'string' ? value : undefined;
};

const refusal = (res: Response, status: number, key: string) => res.status(status).json({ error: key, messageKey: key, params: {}, requestId: requestId() });

export function onlineRoutes(deps: { db: DB; now: () => Date; vault: IdNumberVault }): express.Router {
  const routes = express.Router();
  routes.post(WATCH_EVENTS_PATH, async (req, res, next) => {
    try {
      try {
        await limitCaller({ db: deps.db, now: deps.now, req, res }, 'watchEvents');
      } catch (error) {
        if (!(error instanceof UserFacingError)) throw error;
        stopReading(req);
        res.status(429).json({ error: error.messageKey, messageKey: error.messageKey, params: error.params, requestId: requestId() });
        return;
      }
      const body = await readBody(req, BODY_LIMITS.signedIn);
      if (body === null) {
        stopReading(req);
        refusal(res, 413, 'online.batch-too-large');
        return;
      }
      const reply = await receiveWatchEvents(deps.db, deps.vault, {
        method: req.method,
        // The path as sent, without a query: the signature covers exactly this.
        path: req.originalUrl.split('?')[0]!,
        platformId: header(req, HEADERS.platform),
        timestamp: header(req, HEADERS.timestamp),
        signature: header(req, HEADERS.signature),
        body,
        now: deps.now(),
      });
      res.setHeader('Cache-Control', 'no-store');
      res.json(reply);
    } catch (error) {
      if (error instanceof OnlineRefusal) refusal(res, error.status, error.key);
      else next(error);
    }
  });
  return routes;
}
