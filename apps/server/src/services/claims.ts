// Non-project credit claims (非项目学分申报): submitted with evidence, immutable once submitted
// (withdrawn and resubmitted as a new claim instead), reviewed office by office along the chain
// its activity requires (core's review-chain.ts, as projects are), and written to the ledger when
// the last office approves. A claim sent back (退回) is closed; its author may submit a new one
// in its place.
import { createHash } from 'node:crypto';
import { approvalsBelow, CLAIM_ACTIVITIES, chinaDate, type ClaimDraft, decide, newId, reasonRequired, waitsFor } from '@opencme/core';
import type { Role } from '../role.ts';
import type { DB } from '../db/connect.ts';
import { claimActivityInChinese } from '../document-words.ts';
import type { EvidenceFileTable } from '../db/schema.ts';
import { UserFacingError } from '../errors.ts';
import { audit, auditPersonalDataOf, viewerOf } from '../repositories/audit.ts';
import {
  attachEvidence,
  chainOf,
  type ClaimView,
  claimsByIds,
  claimsOfPerson,
  findClaim,
  findEvidence,
  insertClaim,
  insertClaimReview,
  institutionOfPerson,
  markWithdrawn,
  MAX_EVIDENCE_BYTES,
  personOfUser,
  submittedClaimsWithin,
  updateClaim,
  viewClaims,
} from '../repositories/claims.ts';
import { appendLedgerEntries } from '../repositories/ledger.ts';
import { cmeYearForDate, expectCmeYearOfDay, standingOfPerson } from '../repositories/standing.ts';
import { officeOfRole } from './review-offices.ts';

/** The person record of a staff account; every staff procedure acts for that person only. */
export async function personOfStaffAccount(db: DB, userId: string): Promise<string> {
  const personId = await personOfUser(db, userId);
  if (!personId) throw new UserFacingError('PRECONDITION_FAILED', 'claims.account-not-linked-staff-record');
  return personId;
}

/** The file's type from its first bytes, whatever its name says: JPEG, PNG or PDF, or null. */
export function sniffEvidence(bytes: Uint8Array): EvidenceFileTable['mime'] | null {
  const starts = (...sig: number[]) => sig.every((b, i) => bytes[i] === b);
  if (starts(0xff, 0xd8, 0xff)) return 'image/jpeg';
  if (starts(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a)) return 'image/png';
  if (starts(0x25, 0x50, 0x44, 0x46, 0x2d)) return 'application/pdf';
  return null;
}

const megabytes = (n: number) => (n / 1024 / 1024).toFixed(1);

/** Checks every file before anything is stored, so a bad file loses nothing and stores nothing. */
function checkEvidence(files: readonly { fileName: string; bytes: Uint8Array }[]) {
  return files.map((f) => {
    if (f.bytes.length > MAX_EVIDENCE_BYTES) {
      throw new UserFacingError('PAYLOAD_TOO_LARGE', 'claims.file-mb-over-10-mb', { fileName: f.fileName, megabytes: megabytes(f.bytes.length) });
    }
    const mime = sniffEvidence(f.bytes);
    if (!mime) {
      throw new UserFacingError('UNSUPPORTED_MEDIA_TYPE', 'claims.file-not-jpg-png-pdf', { fileName: f.fileName });
    }
    return { ...f, mime, hash: createHash('sha256').update(f.bytes).digest('hex') };
  });
}

export async function submitClaim(
  db: DB,
  input: { userId: string; personId: string; draft: ClaimDraft; evidence: { fileName: string; bytes: Uint8Array }[]; replacesId: string | null; at: Date },
): Promise<string> {
  const files = checkEvidence(input.evidence);
  const institutionId = await institutionOfPerson(db, input.personId);
  if (input.replacesId) {
    const replaced = await findClaim(db, input.replacesId);
    if (!replaced || replaced.person_id !== input.personId || !['withdrawn', 'rejected'].includes(replaced.status)) {
      throw new UserFacingError('CONFLICT', 'claims.only-claim-own-withdrawn-rejected');
    }
  }
  const activity = CLAIM_ACTIVITIES[input.draft.activity];
  const cmeYear = await cmeYearForDate(db, institutionId, input.draft.occurredOn);
  const id = newId();
  const at = input.at.toISOString();
  await db.transaction().execute(async (trx) => {
    await insertClaim(trx, {
      id,
      person_id: input.personId,
      activity: input.draft.activity,
      occurred_on: input.draft.occurredOn,
      cme_year: cmeYear,
      credit_class: activity.creditClass,
      level: activity.level,
      credits: input.draft.credits,
      months: input.draft.months,
      description: input.draft.description,
      // The chain is the catalogue's when submitted: a later catalogue change leaves it alone.
      chain: JSON.stringify(activity.chain),
      stage: 0,
      status: 'submitted',
      replaces_id: input.replacesId,
      submitted_by: input.userId,
      submitted_at: at,
      closed_at: null,
    });
    await attachEvidence(trx, id, files, at);
  });
  return id;
}

export async function withdrawClaim(db: DB, input: { claimId: string; personId: string; at: Date }): Promise<void> {
  if (!(await markWithdrawn(db, input))) throw new UserFacingError('CONFLICT', 'claims.only-claim-own-still-under');
}

/**
 * Approves or sends back claims at the reviewer's office, all or none: a claim that is not waiting
 * for this office stops the whole batch with a message naming it. Each decision is audited.
 */
export async function reviewClaims(
  db: DB,
  input: {
    claimIds: readonly string[];
    decision: 'approved' | 'rejected';
    reason: string | null;
    reviewer: { id: string; role: Role; organisationId: string };
    at: Date;
  },
): Promise<{ approved: number; rejected: number; granted: number }> {
  const office = officeOfRole(input.reviewer.role);
  if (!office) throw new UserFacingError('FORBIDDEN', 'claims.role-does-not-review-claims');
  const decision = input.decision === 'approved' ? 'approve' : 'return';
  // A batch without its reason is refused before any claim is looked at.
  if (reasonRequired(decision) && !input.reason) throw new UserFacingError('BAD_REQUEST', 'claims.rejection-needs-reason');
  const at = input.at.toISOString();
  return db.transaction().execute(async (trx) => {
    const claims = await claimsByIds(trx, input.claimIds);
    const counts = { approved: 0, rejected: 0, granted: 0 };
    for (const id of input.claimIds) {
      const claim = claims.find((c) => c.id === id);
      if (!claim) throw new UserFacingError('NOT_FOUND', 'claims.claim-review-not-found');
      const chain = chainOf(claim);
      // A withdrawn or closed claim waits for nobody; one under review has climbed `stage` offices.
      const outcome =
        claim.status === 'submitted' ? decide({ chain, decisions: approvalsBelow(chain, claim.stage), office, decision, reason: input.reason }) : null;
      if (!outcome?.ok) {
        throw new UserFacingError('CONFLICT', 'claims.claim-not-waiting-review', { claim: claim.description.slice(0, 20) });
      }
      const { state } = outcome;
      await insertClaimReview(trx, { claim_id: id, stage: office, decision: input.decision, reason: input.reason, reviewer_id: input.reviewer.id, at });
      await audit(trx, {
        actor: { userId: input.reviewer.id },
        action: `claim.${decision === 'approve' ? 'approve' : 'reject'}`,
        entity: 'claim',
        entityId: id,
        organisationId: input.reviewer.organisationId,
        after: { reason: input.reason },
        at: input.at,
      });
      if (state.status === 'returned' || state.status === 'rejected') {
        await updateClaim(trx, id, { status: 'rejected', closed_at: at });
        counts.rejected += 1;
        continue;
      }
      counts.approved += 1;
      if (state.status === 'pending') {
        await updateClaim(trx, id, { stage: state.step });
        continue;
      }
      // The credits go into the year of the day they were earned, whatever the claim says.
      await expectCmeYearOfDay(trx, { organisationId: await institutionOfPerson(trx, claim.person_id), day: claim.occurred_on, cmeYear: claim.cme_year });
      await updateClaim(trx, id, { stage: state.step, status: 'approved', closed_at: at });
      await appendLedgerEntries(trx, [
        {
          personId: claim.person_id,
          cmeYear: claim.cme_year,
          creditClass: claim.credit_class,
          level: claim.level,
          credits: claim.credits,
          sourceKind: 'claim',
          sourceId: claim.id,
          sourceLabel: `${claimActivityInChinese(claim.activity)}：${claim.description}`.slice(0, 200),
          approvedBy: input.reviewer.id,
          at: input.at,
        },
      ]);
      counts.granted += 1;
    }
    return counts;
  });
}

/** Claims waiting for the reviewer's office, from people within the reviewer's part of the tree. */
export async function reviewQueue(db: DB, reviewer: { role: Role; organisationId: string }): Promise<ClaimView[]> {
  const office = officeOfRole(reviewer.role);
  if (!office) return [];
  const rows = await submittedClaimsWithin(db, reviewer.organisationId);
  return viewClaims(
    db,
    rows.filter((r) => {
      const chain = chainOf(r);
      return waitsFor(chain, approvalsBelow(chain, r.stage), office);
    }),
  );
}

/** A staff member's own claims, and standing for the CME year of today. */
export async function ownClaims(db: DB, personId: string, now: Date) {
  const institutionId = await institutionOfPerson(db, personId);
  const cmeYear = await cmeYearForDate(db, institutionId, chinaDate(now));
  return { personId, cmeYear, standing: (await standingOfPerson(db, personId, cmeYear)).standing, claims: await claimsOfPerson(db, personId) };
}

/** One evidence file of a claim, for its reviewers: evidence shows personal documents in full, so every view is logged under the claimant's unit. */
export async function evidenceFile(db: DB, input: { claimId: string; hash: string; viewer: Parameters<typeof viewerOf>[0]; at: Date }) {
  const file = await findEvidence(db, input.claimId, input.hash);
  if (!file) throw new UserFacingError('NOT_FOUND', 'claims.no-such-evidence-file');
  await auditPersonalDataOf(db, {
    actor: viewerOf(input.viewer),
    action: 'claim.view-evidence',
    personIds: [file.person_id],
    detail: { claimId: input.claimId, hash: input.hash },
    at: input.at,
  });
  return file;
}
