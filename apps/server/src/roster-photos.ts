// POST /api/sync/photos — the kiosk's door thumbnails by content hash, as bytes (issue 15). The
// roster names each person's photo by hash; the kiosk fetches the ones it lacks in the background,
// in batches, and keeps them, so the door works by name at once and shows faces as they arrive.
import { getHTTPStatusCodeFromError } from '@trpc/server/http';
import express, { type Request, type Response } from 'express';
import { encodePhotoBundle, RosterPhotosInput } from '@opencme/core';
import type { DB } from './db/connect.ts';
import { UserFacingError } from './errors.ts';
import { rosterThumbnails } from './repositories/roster.ts';
import { requestId } from './request-log.ts';
import { admit } from './trpc.ts';

/** The access table's rows this module serves (authz.test.ts checks every row has a route). */
export const KIOSK_ROUTE_ACCESS: readonly string[] = ['files.rosterPhotos'];

export function rosterPhotoRoutes(deps: { db: DB }): express.Router {
  const routes = express.Router();
  routes.post('/api/sync/photos', express.json({ limit: '64kb' }), async (req: Request, res: Response) => {
    try {
      const bearer = req.headers.authorization?.match(/^Bearer (.+)$/)?.[1] ?? null;
      const device = await admit(deps.db, 'files.rosterPhotos', { user: null, bearer }, () => Promise.resolve(req.body));
      if (!device) throw new UserFacingError('UNAUTHORIZED', 'access.device-not-paired');
      const input = RosterPhotosInput.safeParse(req.body);
      if (!input.success) throw new UserFacingError('BAD_REQUEST', 'downloads.download-address-not-valid');
      const photos = await rosterThumbnails(deps.db, device, input.data.hashes);
      const bundle = encodePhotoBundle(photos.map((p) => ({ hash: p.hash, bytes: p.thumb })));
      res.setHeader('Content-Type', 'application/octet-stream');
      // Faces are personal data: the kiosk keeps them in its own store, no cache keeps a copy.
      res.setHeader('Cache-Control', 'no-store');
      res.setHeader('X-Content-Type-Options', 'nosniff');
      res.end(Buffer.from(bundle.buffer, bundle.byteOffset, bundle.byteLength));
    } catch (error) {
      if (!(error instanceof UserFacingError)) throw error;
      res
        .status(getHTTPStatusCodeFromError(error))
        .json({ error: error.messageKey, messageKey: error.messageKey, params: error.params, requestId: requestId() });
    }
  });
  return routes;
}
