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
import { photoOf } from './photos.ts';
import type { PrintJobs } from './print-jobs.ts';
import type { ProofSigner } from './proof-key.ts';
import { auditPersonalDataOf, viewerOf } from './repositories/audit.ts';
import { evidenceFile } from './services/claims.ts';
import { fileOfProject } from './services/projects.ts';
import { statisticsWorkbook } from './services/statistics.ts';
import { sessionRosterSheet } from './repositories/roster-export.ts';
import { sealOf } from './repositories/seals.ts';
import { exportDeviceTaps } from './repositories/tap-chains.ts';
import { findUserBySession } from './repositories/users.ts';
import { attendeesWorkbook, creditsWorkbook, ledgerWorkbook, staffWorkbook, verificationWorkbook, type Workbook } from './services/exports.ts';
import { exportCompliance } from './services/verification.ts';
import { hrHandoff, hrHandoffSheets } from './services/hr-handoff.ts';
import { requestId } from './request-log.ts';
import { streamBook, streamSheet } from './spreadsheet.ts';
import { admit, SESSION_COOKIE } from './trpc.ts';

type User = NonNullable<Awaited<ReturnType<typeof findUserBySession>>>;
interface DownloadContext {
  db: DB;
  now: () => Date;
  vault: IdNumberVault;
  printJobs: PrintJobs;
  proofSigner: ProofSigner;
  user: User;
}

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

/**
 * Content-Disposition with the file's name as the user's disk should keep it: Chinese in RFC 5987's
 * `filename*=UTF-8''…` (every browser reads it), and a plain ASCII stand-in for anything older.
 */
function disposition(kind: 'attachment' | 'inline', name: string): string {
  const ascii = name.replace(/[^\x20-\x7e]|["\\%]/g, '_');
  const encoded = encodeURIComponent(name).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `${kind}; filename="${ascii}"; filename*=UTF-8''${encoded}`;
}

/**
 * The reply's headers before its first byte: the type; the name; personal data never kept in a
 * cache; and no guessing of the type from the bytes. A portrait is shown in the page, the rest saved.
 */
function fileHeaders(res: Response, file: { type: string; name: string; personal: boolean; inline?: true }): void {
  res.setHeader('Content-Type', file.type);
  res.setHeader('Content-Disposition', disposition(file.inline ? 'inline' : 'attachment', file.name));
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
const cmeYear = z.coerce.number().int().min(2000).max(2100);
const day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/);

/** An export (GET /api/exchange/:kind/export): made by its service, then streamed as it is read. */
const exported =
  <I>(make: (ctx: Omit<DownloadContext, 'now'> & { now: Date }, input: I) => Promise<Workbook>) =>
  async (ctx: DownloadContext, input: I, res: Response): Promise<void> => {
    const book = await make({ ...ctx, now: ctx.now() }, input);
    fileHeaders(res, { type: XLSX, name: book.fileName, personal: true });
    await streamBook(res, book.sheets);
  };

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
      const file = await evidenceFile(ctx.db, { claimId: input.claimId, hash: input.hash, viewer: ctx.user, at: ctx.now() });
      fileHeaders(res, { type: file.mime, name: file.file_name, personal: true });
      res.end(Buffer.from(file.bytes));
    },
  }),

  /** A file of a project (办班通知, 日程安排, the report's attachments), for its organiser and reviewing offices. */
  'files.projectFile': download({
    route: '/api/files/projects/:projectId/files/:fileId',
    input: z.object({ projectId: z.string(), fileId: z.string() }),
    async send(ctx, input, res) {
      const file = await fileOfProject(ctx.db, input);
      fileHeaders(res, { type: file.content_type, name: file.name, personal: false });
      res.end(Buffer.from(file.bytes));
    },
  }),

  /** 统计报表 of a province, city or unit for a CME year: per city and per unit. */
  'files.statistics': download({
    route: '/api/files/organisations/:organisationId/statistics/:cmeYear',
    input: z.object({ organisationId: z.string(), cmeYear }),
    send: exported(statisticsWorkbook),
  }),

  /** A unit's (or department's) staff with their standing (达标情况), filtered; the export goes on the unit's log. */
  'files.complianceList': download({
    route: '/api/files/organisations/:organisationId/compliance/:cmeYear',
    input: z.object({
      organisationId: z.string(),
      cmeYear: z.coerce.number().int().min(2000).max(2100),
      departmentId: z.string().optional(),
      compliant: compliant.optional(),
    }),
    async send(ctx, input, res) {
      const sheet = await exportCompliance(ctx.db, input, ctx.user.id, ctx.now());
      fileHeaders(res, { type: XLSX, name: `达标情况-${input.cmeYear}.xlsx`, personal: true });
      await streamSheet(res, sheet);
    },
  }),

  /**
   * The hand-off to HR (推送至人社部门) of a unit's accepted year-end verification, signed: the JSON
   * document HR systems also pull (docs/hr-handoff.md), or the same rows and signature as a workbook.
   */
  'files.hrHandoff': download({
    route: '/api/files/organisations/:organisationId/hr-handoff/:cmeYear',
    input: z.object({ organisationId: z.string(), cmeYear, format: z.enum(['json', 'xlsx']).default('json') }),
    async send(ctx, input, res) {
      const handoff = await hrHandoff(ctx, {
        unitId: input.organisationId,
        cmeYear: input.cmeYear,
        reader: { userId: ctx.user.id, organisationId: ctx.user.organisationId },
        at: ctx.now(),
      });
      const name = `人社审验结果-${handoff.document.unit.name}-${input.cmeYear}`;
      if (input.format === 'json') {
        fileHeaders(res, { type: 'application/json', name: `${name}.json`, personal: true });
        res.end(JSON.stringify(handoff));
        return;
      }
      fileHeaders(res, { type: XLSX, name: `${name}.xlsx`, personal: true });
      await streamBook(res, hrHandoffSheets(handoff));
    },
  }),

  /** The caller's own unit's seal (公章), as the proofs page shows it; never another unit's. */
  /**
   * A device's signed taps with each chain's public key (JSON), for a check anyone can run offline
   * (scripts/verify-taps.ts, docs/tap-chain.md). No name and no card number: credentials only as
   * the digests the signatures cover.
   */
  'files.deviceTaps': download({
    route: '/api/files/devices/:deviceId/taps.json',
    input: z.object({ deviceId: z.string() }),
    async send(ctx, input, res) {
      const exported = await exportDeviceTaps(ctx.db, input.deviceId, ctx.now());
      fileHeaders(res, { type: 'application/json', name: `刷卡记录链-${input.deviceId}.json`, personal: false });
      res.end(JSON.stringify(exported, null, 1));
    },
  }),

  'files.unitSeal': download({
    route: '/api/files/unit-seal',
    input: z.object({}),
    async send(ctx, _input, res) {
      const seal = await sealOf(ctx.db, ctx.user.organisationId);
      if (!seal) throw new UserFacingError('NOT_FOUND', 'downloads.unit-not-uploaded-seal');
      fileHeaders(res, { type: 'image/png', name: '印章.png', personal: false, inline: true });
      res.end(Buffer.from(seal.png));
    },
  }),

  /**
   * A person's portrait, for those who may see the person: full size (the detail, the card
   * sheet), audited per view like the detail; or the review queue's thumbnail, which is not.
   */
  'files.personPhoto': download({
    route: '/api/files/persons/:personId/photo',
    input: z.object({ personId: z.string(), size: z.enum(['full', 'thumb']).default('full') }),
    async send(ctx, input, res) {
      const jpeg = await photoOf(ctx.db, input.personId, input.size);
      if (!jpeg) throw new UserFacingError('NOT_FOUND', 'downloads.person-no-photo');
      if (input.size === 'full')
        await auditPersonalDataOf(ctx.db, { actor: viewerOf(ctx.user), action: 'person.view-photo', personIds: [input.personId], at: ctx.now() });
      fileHeaders(res, { type: 'image/jpeg', name: `照片-${input.personId}.jpg`, personal: true, inline: true });
      res.end(Buffer.from(jpeg));
    },
  }),

  /** A finished print job's PDF (学分证明), for the account that started it only. */
  'files.printJob': download({
    route: '/api/files/print/:jobId',
    input: z.object({ jobId: z.string() }),
    async send(ctx, input, res) {
      // Someone else's job is as good as none.
      const job = await ctx.printJobs.pdf(input.jobId, ctx.user.id);
      if (!job) throw new UserFacingError('NOT_FOUND', 'downloads.no-such-print-job-not');
      fileHeaders(res, { type: 'application/pdf', name: job.fileName, personal: true });
      res.end(Buffer.from(job.pdf));
    },
  }),

  // The exports of the exchange (导出), one per kind: each a streamed workbook, ID numbers masked
  // unless the caller may see them in full (then audited per person).
  /** The staff roster of a unit or department (人员名册). */
  'exchange.export.staff': download({
    route: '/api/exchange/staff/export',
    input: z.object({ organisationId: z.string() }),
    send: exported(staffWorkbook),
  }),

  /** A person's, a department's or a unit's credits of a CME year for HR (学分汇总 and 学分明细): a person or an organisation, not both. */
  'exchange.export.credits': download({
    route: '/api/exchange/credits/export',
    input: z.union([z.object({ personId: z.string(), cmeYear }).strict(), z.object({ organisationId: z.string(), cmeYear }).strict()]),
    send: exported(creditsWorkbook),
  }),

  /** Verification results of a unit, city or province (审验结果, 达标率 per unit and department). */
  'exchange.export.verification': download({
    route: '/api/exchange/verification/export',
    input: z.object({ organisationId: z.string(), cmeYear }),
    send: exported(verificationWorkbook),
  }),

  /** A project's attendee list in the execution report's template (学员通讯录). */
  'exchange.export.attendees': download({
    route: '/api/exchange/attendees/export',
    input: z.object({ projectId: z.string() }),
    send: exported(attendeesWorkbook),
  }),

  /** The ledger of a unit, city or province for a period of China days (学分账本). */
  'exchange.export.ledger': download({
    route: '/api/exchange/ledger/export',
    input: z.object({ organisationId: z.string(), from: day, to: day }),
    send: exported(ledgerWorkbook),
  }),
} satisfies Partial<Record<keyof typeof ACCESS, { route: string }>>;

export type DownloadName = keyof typeof DOWNLOADS;

/** Why a download was refused, shaped as the upload route and the last resort answer. */
function refuse(res: Response, error: UserFacingError): void {
  res.status(getHTTPStatusCodeFromError(error)).json({ error: error.messageKey, messageKey: error.messageKey, params: error.params, requestId: requestId() });
}

/** The download routes, each behind the access table; mount on the app before the API's 404. */
export function downloadRoutes(deps: Omit<DownloadContext, 'user'>): express.Router {
  const routes = express.Router();
  for (const [name, d] of Object.entries(DOWNLOADS) as unknown as [DownloadName, Download<unknown>][]) {
    routes.get(d.route, async (req: Request, res: Response, next: NextFunction) => {
      try {
        // Only the fields the download reads reach the scope check: an extra `claimIds` in the
        // query must not have the check look at other records than the ones sent.
        const input = d.input.safeParse({ ...req.query, ...req.params });
        const token = parseCookie(req.headers.cookie ?? '')[SESSION_COOKIE];
        const user = token ? await findUserBySession(deps.db, token, deps.now()) : null;
        // A kiosk's token opens no download: the rules here all name accounts.
        await admit(deps.db, name, { user, bearer: null }, async () => (input.success ? input.data : {}));
        if (!user) throw new UserFacingError('UNAUTHORIZED', 'access.sign-in-first');
        if (!input.success) throw new UserFacingError('BAD_REQUEST', 'downloads.download-address-not-valid');
        await d.send({ ...deps, user }, input.data, res);
      } catch (error) {
        if (error instanceof UserFacingError && !res.headersSent) refuse(res, error);
        else next(error);
      }
    });
  }
  return routes;
}
