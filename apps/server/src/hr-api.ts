// GET /api/hr/v1/results?unit=…&year=… — the pull API for HR systems (人社部门): the same signed
// document as the JSON hand-off (services/hr-handoff.ts, docs/hr-handoff.md), for a token the
// province or unit office made (Authorization: Bearer). A token reads the units of its own
// organisation only; every request counts against a per-address budget before the token is looked at.
import { getHTTPStatusCodeFromError } from '@trpc/server/http';
import express, { type Request, type Response } from 'express';
import { z } from 'zod';
import type { DB } from './db/connect.ts';
import { UserFacingError } from './errors.ts';
import type { IdNumberVault } from './pii.ts';
import type { ProofSigner } from './proof-key.ts';
import { limitCaller } from './rate-limit.ts';
import { withinScope } from './repositories/organisations.ts';
import { requestId } from './request-log.ts';
import { hrHandoff, hrTokenOf } from './services/hr-handoff.ts';

const query = z.object({ unit: z.string().min(1).max(64), year: z.coerce.number().int().min(2000).max(2100) });

export function hrRoutes(deps: { db: DB; now: () => Date; vault: IdNumberVault; proofSigner: ProofSigner }): express.Router {
  const routes = express.Router();
  routes.get('/api/hr/v1/results', async (req: Request, res: Response) => {
    res.setHeader('Cache-Control', 'no-store');
    try {
      await limitCaller({ db: deps.db, now: deps.now, req, res }, 'hrPull');
      const token = await hrTokenOf(deps.db, req.headers.authorization?.match(/^Bearer (\S+)$/)?.[1] ?? null, deps.now());
      const input = query.safeParse(req.query);
      if (!input.success) throw new UserFacingError('BAD_REQUEST', 'hr.pull-address-not-valid');
      if (!(await withinScope(deps.db, token.organisationId, input.data.unit)))
        throw new UserFacingError('FORBIDDEN', 'access.record-outside-part-organisation');
      const handoff = await hrHandoff(deps, {
        unitId: input.data.unit,
        cmeYear: input.data.year,
        reader: { userId: null, organisationId: token.organisationId, tokenId: token.id },
        at: deps.now(),
      });
      res.json(handoff);
    } catch (error) {
      if (!(error instanceof UserFacingError)) throw error;
      if (error.code === 'UNAUTHORIZED') res.setHeader('WWW-Authenticate', 'Bearer');
      res
        .status(getHTTPStatusCodeFromError(error))
        .json({ error: error.messageKey, messageKey: error.messageKey, params: error.params, requestId: requestId() });
    }
  });
  return routes;
}
