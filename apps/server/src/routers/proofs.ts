import type { TRPCRouterRecord } from '@trpc/server';
import sharp from 'sharp';
import { z } from 'zod';
import { UserFacingError } from '../errors.ts';
import { renderProofsPdf } from '../proof-pdf.ts';
import { audit } from '../repositories/audit.ts';
import { getOrganisation } from '../repositories/organisations.ts';
import {
  issueAnnualCertificate,
  issueAttendanceCertificate,
  issueCreditProofs,
  type ProofDocument,
  proofStatus,
  staffToPrint,
} from '../repositories/proofs.ts';
import { saveSeal, sealOf, sealsOf } from '../repositories/seals.ts';
import { takeUploads } from '../repositories/uploads.ts';
import { revokeProof } from '../services/proofs.ts';
import { requireOwnEntry } from '../services/self-service.ts';
import { publicProcedure, userProcedure } from '../trpc.ts';
import { ownPerson } from './claims.ts';
import type { Context } from '../trpc.ts';

const cmeYear = z.number().int().min(2000).max(2100);
const years = z.object({ fromYear: z.number().int().min(2000).max(2100), toYear: z.number().int().min(2000).max(2100) });
/** A whole province at once would be a truck of paper: batches stop at this many people. */
const MAX_BATCH = 5000;

/** The address printed under the QR code: the configured public URL, whatever host the request named. */
function verifyUrl(ctx: Context): string {
  return `${ctx.publicUrl.replace(/\/$/, '')}/verify`;
}

/** Starts rendering proofs into one PDF, each with its unit's seal. */
async function render(ctx: Context & { user: { id: string } }, documents: readonly ProofDocument[], fileName: string) {
  const seals = await sealsOf(
    ctx.db,
    documents.map((d) => d.institutionId),
  );
  const url = verifyUrl(ctx);
  const jobId = await ctx.printJobs.start(ctx.user.id, documents.length, fileName, (onPage) => renderProofsPdf(documents, { verifyUrl: url, seals, onPage }));
  return { jobId, total: documents.length };
}

/** Issues one person's credit proof and starts rendering it. */
async function printOne(ctx: Context & { user: { id: string } }, personId: string, range: { fromYear: number; toYear: number }) {
  const documents = await issueCreditProofs(ctx.db, ctx.proofSigner, { personIds: [personId], ...range, by: ctx.user.id, at: ctx.now() });
  return render(ctx, documents, `学分证明-${documents[0]!.payload.name}-${range.fromYear}.pdf`);
}

/** A seal is a PNG of sensible size: anything else would not print, or would be a decoy. */
async function sealImage(bytes: Uint8Array): Promise<Uint8Array> {
  const meta = await sharp(bytes)
    .metadata()
    .catch(() => null);
  if (meta?.format !== 'png') throw new UserFacingError('BAD_REQUEST', 'proofs.seal-png-image');
  if (!meta.width || !meta.height || meta.width > 2000 || meta.height > 2000) throw new UserFacingError('BAD_REQUEST', 'proofs.seal-image-too-large-2000');
  return bytes;
}

export const proofsRouter = {
  /** One person's credit proof (学分证明) over a year or a range. */
  printPerson: userProcedure.input(years.extend({ personId: z.string() })).mutation(({ ctx, input }) => printOne(ctx, input.personId, input)),

  /** A staff member prints their own credit proof. */
  printMine: userProcedure.input(years).mutation(async ({ ctx, input }) => printOne(ctx, await ownPerson(ctx), input)),

  /** Everyone of a department or a unit, one proof per page, as one PDF. */
  printOrganisation: userProcedure.input(years.extend({ organisationId: z.string() })).mutation(async ({ ctx, input }) => {
    const persons = await staffToPrint(ctx.db, { organisationId: input.organisationId, limit: MAX_BATCH + 1 });
    if (persons.length === 0) throw new UserFacingError('NOT_FOUND', 'proofs.nobody-works');
    if (persons.length > MAX_BATCH) throw new UserFacingError('BAD_REQUEST', 'proofs.most-people-once-print-department', { maxBatch: MAX_BATCH });
    const documents = await issueCreditProofs(ctx.db, ctx.proofSigner, {
      personIds: persons,
      fromYear: input.fromYear,
      toYear: input.toYear,
      by: ctx.user.id,
      at: ctx.now(),
    });
    const org = await getOrganisation(ctx.db, input.organisationId);
    return render(ctx, documents, `学分证明-${org.name}-${input.fromYear}.pdf`);
  }),

  /** A certificate (电子学分证书) for one project attendance in the ledger. */
  printCertificate: userProcedure.input(z.object({ ledgerEntryId: z.string() })).mutation(async ({ ctx, input }) => {
    const document = await issueAttendanceCertificate(ctx.db, ctx.proofSigner, { ledgerEntryId: input.ledgerEntryId, by: ctx.user.id, at: ctx.now() });
    return render(ctx, [document], `学分证书-${document.payload.name}.pdf`);
  }),

  /** A staff member prints the certificate of one of her own attendance entries. */
  printMyCertificate: userProcedure.input(z.object({ ledgerEntryId: z.string() })).mutation(async ({ ctx, input }) => {
    await requireOwnEntry(ctx.db, await ownPerson(ctx), input.ledgerEntryId);
    const document = await issueAttendanceCertificate(ctx.db, ctx.proofSigner, { ledgerEntryId: input.ledgerEntryId, by: ctx.user.id, at: ctx.now() });
    return render(ctx, [document], `学分证书-${document.payload.name}.pdf`);
  }),

  /** A person's annual certificate (专业科目培训合格证明) of a CME year, when the year's requirement is met. */
  printAnnualCertificate: userProcedure.input(z.object({ personId: z.string(), cmeYear })).mutation(async ({ ctx, input }) => {
    const document = await issueAnnualCertificate(ctx.db, ctx.proofSigner, { ...input, by: ctx.user.id, at: ctx.now() });
    return render(ctx, [document], `${document.payload.title}-${document.payload.name}-${input.cmeYear}.pdf`);
  }),

  /** A staff member prints her own annual certificate. */
  printMyAnnualCertificate: userProcedure.input(z.object({ cmeYear })).mutation(async ({ ctx, input }) => {
    const document = await issueAnnualCertificate(ctx.db, ctx.proofSigner, {
      personId: await ownPerson(ctx),
      cmeYear: input.cmeYear,
      by: ctx.user.id,
      at: ctx.now(),
    });
    return render(ctx, [document], `${document.payload.title}-${document.payload.name}-${input.cmeYear}.pdf`);
  }),

  /** Progress of a print job of the caller's; `downloadUrl` once the PDF is ready. */
  job: userProcedure.input(z.object({ jobId: z.string() })).query(async ({ ctx, input }) => {
    const job = await ctx.printJobs.get(input.jobId, ctx.user.id);
    if (!job) throw new UserFacingError('NOT_FOUND', 'proofs.no-such-print-job-expired');
    if (job.error) throw new UserFacingError('INTERNAL_SERVER_ERROR', 'proofs.printing-failed', { error: job.error });
    return { done: job.done, total: job.total, downloadUrl: job.finished ? `/api/files/print/${input.jobId}` : null };
  }),

  /** Whether the caller's unit has a seal, and since when; the image itself is GET /api/files/unit-seal. */
  seal: userProcedure.query(async ({ ctx }) => {
    const seal = await sealOf(ctx.db, ctx.user.organisationId);
    return seal ? { uploadedAt: seal.uploaded_at } : null;
  }),

  /** The unit admin sets the unit's seal from a PNG sent to /api/files/seal; later proofs bear it. */
  setSeal: userProcedure.input(z.object({ fileId: z.string().min(1).max(100) })).mutation(async ({ ctx, input }) => {
    const [file] = await takeUploads(ctx.db, { ids: [input.fileId], purpose: 'seal', ownerUserId: ctx.user.id, now: ctx.now() });
    const png = await sealImage(file!.bytes);
    await saveSeal(ctx.db, { organisationId: ctx.user.organisationId, png, by: ctx.user.id, at: ctx.now() });
    await audit(ctx.db, {
      actor: { userId: ctx.user.id },
      action: 'unit.seal',
      entity: 'organisation',
      entityId: ctx.user.organisationId,
      organisationId: ctx.user.organisationId,
      at: ctx.now(),
    });
    return { ok: true };
  }),

  revoke: userProcedure.input(z.object({ proofId: z.string(), reason: z.string().trim().min(2).max(200) })).mutation(async ({ ctx, input }) => {
    await revokeProof(ctx.db, { proofId: input.proofId, reason: input.reason, by: ctx.user.id, at: ctx.now() });
    return { ok: true };
  }),

  /** Whether a proof still stands: what the verify page asks when it is online. */
  status: publicProcedure.input(z.object({ proofId: z.string().max(40) })).query(({ ctx, input }) => proofStatus(ctx.db, input.proofId)),
} satisfies TRPCRouterRecord;
