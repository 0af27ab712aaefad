// GET /api/files/… — files travel as files, beside tRPC: the browser saves or shows the bytes as
// they come, with their type and Chinese name, instead of unpacking base64 from JSON. Each download
// is a row of the access table like a procedure, decided by the same code with the same scope
// check, and audits what it shows as the procedure it replaced did.
import { getHTTPStatusCodeFromError } from '@trpc/server/http';
import { parseCookie } from 'cookie';
import express, { type NextFunction, type Request, type Response } from 'express';
import { z } from 'zod';
import type { ACCESS } from './authz.ts';
import type { DB } from './db/connect.ts';
import { UserFacingError } from './errors.ts';
import type { IdNumberVault } from './pii.ts';
import type { PrintJobs } from './print-jobs.ts';
import { auditPersonalDataOf, audit, viewerOf } from './repositories/audit.ts';
import { evidenceFile } from './repositories/claims.ts';
import { sessionRosterSheet } from './repositories/roster-export.ts';
import { sealOf } from './repositories/seals.ts';
import { findUserBySession } from './repositories/users.ts';
import { compliancePeople, complianceSheet } from './repositories/verification.ts';
import { requestId } from './request-log.ts';
import { streamSheet } from './spreadsheet.ts';
import { admit, SESSION_COOKIE } from './trpc.ts';

type User = NonNullable<Awaited<ReturnType<typeof findUserBySession>>>;
interface DownloadContext {
  db: DB;
  now: () => Date;
  vault: IdNumberVault;
  printJobs: PrintJobs;
  user: User;
}

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

/**
 * The reply's headers before its first byte: the type; the file's name, Chinese kept (Express
 * writes an ASCII fallback and the RFC 5987 `filename*=UTF-8''…`); personal data never kept in a
 * cache; and no guessing of the type from the bytes.
 */
function fileHeaders(res: Response, file: { type: string; name: string; personal: boolean }): void {
  res.attachment(file.name);
  res.setHeader('Content-Type', file.type);
  res.setHeader('Cache-Control', file.personal ? 'no-store' : 'private, no-cache');
  res.setHeader('X-Content-Type-Options', 'nosniff');
}

interface Download<I> {
  /** Where it is served (GET). */
  route: string;
  /** The route's parameters and query, as the access table's target reads them. */
  input: z.ZodType<I>;
  send(ctx: DownloadContext, input: I, res: Response): Promise<void>;
}
const download = <I>(d: Download<I>) => d;

const compliant = z.enum(['true', 'false']).transform((v) => v === 'true');

/** Every download, named by its row in the access table (authz.ts ACCESS). */
export const DOWNLOADS = {
  /** The attendee roster of a session (签到名单) with sign-in and sign-out; audited per person. */
  'files.sessionRoster': download({
    route: '/api/files/sessions/:sessionId/roster',
    input: z.object({ sessionId: z.string() }),
    async send(ctx, input, res) {
      const sheet = await sessionRosterSheet(ctx.db, ctx.vault, { sessionId: input.sessionId, viewer: viewerOf(ctx.user), now: ctx.now() });
      fileHeaders(res, { type: XLSX, name: `签到名单-${input.sessionId}.xlsx`, personal: true });
      await streamSheet(res, sheet);
    },
  }),

  /** One evidence file of a claim, for its reviewers; every view is audited under the claimant's unit. */
  'files.claimEvidence': download({
    route: '/api/files/claims/:claimId/evidence/:hash',
    input: z.object({ claimId: z.string(), hash: z.string().max(128) }),
    async send(ctx, input, res) {
      const file = await evidenceFile(ctx.db, input.claimId, input.hash);
      if (!file) throw new UserFacingError('NOT_FOUND', '没有这个证明材料', 'No such evidence file');
      await auditPersonalDataOf(ctx.db, { actor: viewerOf(ctx.user), action: 'claim.view-evidence', personIds: [file.personId], detail: { claimId: input.claimId, hash: input.hash }, at: ctx.now() });
      fileHeaders(res, { type: file.mime, name: file.fileName, personal: true });
      res.end(Buffer.from(file.bytes));
    },
  }),

  /** A unit's (or department's) staff with their standing (达标情况), filtered; the export goes on the unit's log. */
  'files.complianceList': download({
    route: '/api/files/organisations/:organisationId/compliance/:cmeYear',
    input: z.object({ organisationId: z.string(), cmeYear: z.coerce.number().int().min(2000).max(2100), departmentId: z.string().optional(), compliant: compliant.optional() }),
    async send(ctx, input, res) {
      const people = await compliancePeople(ctx.db, input);
      await audit(ctx.db, { actor: { userId: ctx.user.id }, action: 'verification.export', entity: 'organisation', entityId: input.organisationId, organisationId: input.organisationId, after: { cmeYear: input.cmeYear, people: people.length }, at: ctx.now() });
      fileHeaders(res, { type: XLSX, name: `达标情况-${input.cmeYear}.xlsx`, personal: true });
      await streamSheet(res, complianceSheet(people, input.cmeYear));
    },
  }),

  /** The caller's own unit's seal (公章), as the proofs page shows it; never another unit's. */
  'files.unitSeal': download({
    route: '/api/files/unit-seal',
    input: z.object({}),
    async send(ctx, _input, res) {
      const seal = await sealOf(ctx.db, ctx.user.organisationId);
      if (!seal) throw new UserFacingError('NOT_FOUND', '本单位尚未上传印章', 'Your unit has not uploaded a seal');
      fileHeaders(res, { type: 'image/png', name: '印章.png', personal: false });
      res.end(Buffer.from(seal.png));
    },
  }),
} satisfies Partial<Record<keyof typeof ACCESS, { route: string }>>;

export type DownloadName = keyof typeof DOWNLOADS;

/** Why a download was refused, shaped as the upload route and the last resort answer. */
function refuse(res: Response, error: UserFacingError): void {
  res.status(getHTTPStatusCodeFromError(error)).json({ error: error.message, messageEn: error.messageEn, requestId: requestId() });
}

/** The download routes, each behind the access table; mount on the app before the API's 404. */
export function downloadRoutes(deps: Omit<DownloadContext, 'user'>): express.Router {
  const routes = express.Router();
  for (const [name, d] of Object.entries(DOWNLOADS) as unknown as [DownloadName, Download<unknown>][]) {
    routes.get(d.route, async (req: Request, res: Response, next: NextFunction) => {
      try {
        const raw = { ...req.query, ...req.params };
        const token = parseCookie(req.headers.cookie ?? '')[SESSION_COOKIE];
        const user = token ? await findUserBySession(deps.db, token, deps.now()) : null;
        // A kiosk's token opens no download: the rules here all name accounts.
        await admit(deps.db, name, { user, bearer: null }, async () => raw);
        if (!user) throw new UserFacingError('UNAUTHORIZED', '请先登录', 'Please sign in first');
        const input = d.input.safeParse(raw);
        if (!input.success) throw new UserFacingError('BAD_REQUEST', '下载地址有误', 'The download address is not valid');
        await d.send({ ...deps, user }, input.data, res);
      } catch (error) {
        if (error instanceof UserFacingError && !res.headersSent) refuse(res, error);
        else next(error);
      }
    });
  }
  return routes;
}
