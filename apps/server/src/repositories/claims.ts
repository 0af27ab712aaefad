// Non-project credit claims (非项目学分申报): submitted with evidence, immutable once submitted
// (withdrawn and resubmitted as a new claim instead), reviewed stage by stage along the chain its
// activity requires, and written to the ledger when the last stage approves.
import { createHash } from 'node:crypto';
import { CLAIM_ACTIVITIES, type ClaimDraft, newId, type ReviewStage } from '@opencme/core';
import { sql } from 'kysely';
import type { Role } from '../authz.ts';
import type { DB } from '../db/connect.ts';
import type { EvidenceFileTable } from '../db/schema.ts';
import { UserFacingError } from '../errors.ts';
import { appendLedgerEntries } from './ledger.ts';
import { cmeYearForDate } from './standing.ts';

export const MAX_EVIDENCE_BYTES = 10 * 1024 * 1024;

/** The stage of a review chain each role decides. */
export const STAGE_OF_ROLE: Partial<Record<Role, ReviewStage>> = {
  'department-reviewer': 'department',
  'unit-admin': 'unit',
  'city-admin': 'city',
  'province-admin': 'province',
};

/** The file's type from its first bytes, whatever its name says: JPEG, PNG or PDF, or null. */
export function sniffEvidence(bytes: Uint8Array): EvidenceFileTable['mime'] | null {
  const starts = (...sig: number[]) => sig.every((b, i) => bytes[i] === b);
  if (starts(0xff, 0xd8, 0xff)) return 'image/jpeg';
  if (starts(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a)) return 'image/png';
  if (starts(0x25, 0x50, 0x44, 0x46, 0x2d)) return 'application/pdf';
  return null;
}

export async function personOfUser(db: DB, userId: string): Promise<string | null> {
  const row = await db.selectFrom('staff_accounts').select('person_id').where('user_id', '=', userId).executeTakeFirst();
  return row?.person_id ?? null;
}

const megabytes = (n: number) => (n / 1024 / 1024).toFixed(1);

/** Checks every file before anything is stored, so a bad file loses nothing and stores nothing. */
function checkEvidence(files: readonly { fileName: string; bytes: Uint8Array }[]) {
  return files.map((f) => {
    if (f.bytes.length > MAX_EVIDENCE_BYTES) {
      throw new UserFacingError('PAYLOAD_TOO_LARGE', `文件“${f.fileName}”有${megabytes(f.bytes.length)}MB，超过10MB上限`, `The file “${f.fileName}” is ${megabytes(f.bytes.length)} MB, over the 10 MB limit`);
    }
    const mime = sniffEvidence(f.bytes);
    if (!mime) {
      throw new UserFacingError('UNSUPPORTED_MEDIA_TYPE', `文件“${f.fileName}”不是JPG、PNG或PDF文件`, `The file “${f.fileName}” is not a JPG, PNG or PDF file`);
    }
    return { ...f, mime, hash: createHash('sha256').update(f.bytes).digest('hex') };
  });
}

export async function submitClaim(
  db: DB,
  input: { userId: string; personId: string; draft: ClaimDraft; evidence: { fileName: string; bytes: Uint8Array }[]; replacesId: string | null; at: Date },
): Promise<string> {
  const files = checkEvidence(input.evidence);
  const person = await db.selectFrom('persons').select(['institution_id']).where('id', '=', input.personId).executeTakeFirstOrThrow();
  if (input.replacesId) {
    const replaced = await db.selectFrom('claims').select(['person_id', 'status']).where('id', '=', input.replacesId).executeTakeFirst();
    if (!replaced || replaced.person_id !== input.personId || !['withdrawn', 'rejected'].includes(replaced.status)) {
      throw new UserFacingError('CONFLICT', '只能重新提交本人已撤回或被退回的申报', 'Only a claim of your own that was withdrawn or rejected can be resubmitted');
    }
  }
  const activity = CLAIM_ACTIVITIES[input.draft.activity];
  const cmeYear = await cmeYearForDate(db, person.institution_id, input.draft.occurredOn);
  const id = newId();
  const at = input.at.toISOString();
  await db.transaction().execute(async (trx) => {
    await trx
      .insertInto('claims')
      .values({
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
        chain: JSON.stringify(activity.chain),
        stage: 0,
        status: 'submitted',
        replaces_id: input.replacesId,
        submitted_by: input.userId,
        submitted_at: at,
        closed_at: null,
      })
      .execute();
    for (const f of files) {
      await trx.insertInto('evidence_files').values({ hash: f.hash, mime: f.mime, size: f.bytes.length, bytes: f.bytes, created_at: at }).onConflict((oc) => oc.column('hash').doNothing()).execute();
      await trx.insertInto('claim_evidence').values({ claim_id: id, evidence_hash: f.hash, file_name: f.fileName.slice(0, 200) }).onConflict((oc) => oc.columns(['claim_id', 'evidence_hash']).doNothing()).execute();
    }
  });
  return id;
}

export async function withdrawClaim(db: DB, input: { claimId: string; personId: string; at: Date }): Promise<void> {
  const res = await db
    .updateTable('claims')
    .set({ status: 'withdrawn', closed_at: input.at.toISOString() })
    .where('id', '=', input.claimId)
    .where('person_id', '=', input.personId)
    .where('status', '=', 'submitted')
    .executeTakeFirst();
  if (Number(res.numUpdatedRows) === 0) throw new UserFacingError('CONFLICT', '只能撤回本人审核中的申报', 'Only a claim of your own that is still under review can be withdrawn');
}

const chainOf = (row: { chain: string }) => JSON.parse(row.chain) as ReviewStage[];

/**
 * Approves or rejects claims at the reviewer's stage, all or none: a claim that is not waiting
 * for this reviewer's stage stops the whole batch with a message naming it.
 */
export async function reviewClaims(
  db: DB,
  input: { claimIds: readonly string[]; decision: 'approved' | 'rejected'; reason: string | null; reviewer: { id: string; role: Role }; at: Date },
): Promise<{ approved: number; rejected: number; granted: number }> {
  const stage = STAGE_OF_ROLE[input.reviewer.role];
  if (!stage) throw new UserFacingError('FORBIDDEN', '您的角色不审核申报', 'Your role does not review claims');
  if (input.decision === 'rejected' && !input.reason) throw new UserFacingError('BAD_REQUEST', '退回申报须写明原因', 'A rejection needs a reason');
  const at = input.at.toISOString();
  return db.transaction().execute(async (trx) => {
    const claims = await trx.selectFrom('claims').selectAll().where('id', 'in', input.claimIds).execute();
    const counts = { approved: 0, rejected: 0, granted: 0 };
    for (const id of input.claimIds) {
      const claim = claims.find((c) => c.id === id);
      if (!claim) throw new UserFacingError('NOT_FOUND', '找不到要审核的申报', 'A claim to review was not found');
      const chain = chainOf(claim);
      if (claim.status !== 'submitted' || chain[claim.stage] !== stage) {
        throw new UserFacingError('CONFLICT', `申报“${claim.description.slice(0, 20)}”当前不在您的审核环节`, `The claim “${claim.description.slice(0, 20)}” is not waiting for your review`);
      }
      await trx.insertInto('claim_reviews').values({ id: newId(), claim_id: id, stage, decision: input.decision, reason: input.reason, reviewer_id: input.reviewer.id, at }).execute();
      if (input.decision === 'rejected') {
        await trx.updateTable('claims').set({ status: 'rejected', closed_at: at }).where('id', '=', id).execute();
        counts.rejected += 1;
        continue;
      }
      counts.approved += 1;
      const last = claim.stage + 1 === chain.length;
      await trx
        .updateTable('claims')
        .set(last ? { stage: claim.stage + 1, status: 'approved', closed_at: at } : { stage: claim.stage + 1 })
        .where('id', '=', id)
        .execute();
      if (last) {
        const activity = CLAIM_ACTIVITIES[claim.activity];
        await appendLedgerEntries(trx, [
          {
            personId: claim.person_id,
            cmeYear: claim.cme_year,
            creditClass: claim.credit_class,
            level: claim.level,
            credits: claim.credits,
            sourceKind: 'claim',
            sourceId: claim.id,
            sourceLabel: `${activity.zh}：${claim.description}`.slice(0, 200),
            approvedBy: input.reviewer.id,
            at: input.at,
          },
        ]);
        counts.granted += 1;
      }
    }
    return counts;
  });
}

export interface ClaimView {
  id: string;
  personId: string;
  personName: string;
  activity: string;
  occurredOn: string;
  cmeYear: number;
  creditClass: 'I' | 'II';
  credits: number;
  months: number;
  description: string;
  chain: ReviewStage[];
  stage: number;
  status: string;
  submittedAt: string;
  evidence: { hash: string; fileName: string; mime: string; size: number }[];
  /** The same file in another claim (by anyone): the reviewer decides whether that is fraud. */
  duplicates: { hash: string; claimId: string; samePerson: boolean; status: string; submittedAt: string }[];
  reviews: { stage: string; decision: string; reason: string | null; at: string }[];
}

async function viewClaims(db: DB, rows: { id: string; person_id: string; name: string; activity: string; occurred_on: string; cme_year: number; credit_class: 'I' | 'II'; credits: number; months: number; description: string; chain: string; stage: number; status: string; submitted_at: string }[]): Promise<ClaimView[]> {
  if (rows.length === 0) return [];
  const ids = rows.map((r) => r.id);
  const evidence = await db
    .selectFrom('claim_evidence')
    .innerJoin('evidence_files', 'evidence_files.hash', 'claim_evidence.evidence_hash')
    .select(['claim_evidence.claim_id', 'claim_evidence.file_name', 'evidence_files.hash', 'evidence_files.mime', 'evidence_files.size'])
    .where('claim_evidence.claim_id', 'in', ids)
    .execute();
  const hashes = [...new Set(evidence.map((e) => e.hash))];
  const sameFile = hashes.length
    ? await db
        .selectFrom('claim_evidence')
        .innerJoin('claims', 'claims.id', 'claim_evidence.claim_id')
        .select(['claim_evidence.evidence_hash', 'claims.id', 'claims.person_id', 'claims.status', 'claims.submitted_at'])
        .where('claim_evidence.evidence_hash', 'in', hashes)
        .execute()
    : [];
  const reviews = await db.selectFrom('claim_reviews').select(['claim_id', 'stage', 'decision', 'reason', 'at']).where('claim_id', 'in', ids).orderBy('at').execute();
  return rows.map((r) => {
    const mine = evidence.filter((e) => e.claim_id === r.id);
    return {
      id: r.id,
      personId: r.person_id,
      personName: r.name,
      activity: r.activity,
      occurredOn: r.occurred_on,
      cmeYear: r.cme_year,
      creditClass: r.credit_class,
      credits: r.credits,
      months: r.months,
      description: r.description,
      chain: chainOf(r),
      stage: r.stage,
      status: r.status,
      submittedAt: r.submitted_at,
      evidence: mine.map((e) => ({ hash: e.hash, fileName: e.file_name, mime: e.mime, size: e.size })),
      // A resubmission re-uses the files of the person's own withdrawn or rejected claim: not a duplicate.
      duplicates: sameFile
        .filter((o) => o.id !== r.id && mine.some((e) => e.hash === o.evidence_hash))
        .filter((o) => !(o.person_id === r.person_id && ['withdrawn', 'rejected'].includes(o.status)))
        .map((o) => ({ hash: o.evidence_hash, claimId: o.id, samePerson: o.person_id === r.person_id, status: o.status, submittedAt: o.submitted_at })),
      reviews: reviews.filter((v) => v.claim_id === r.id).map((v) => ({ stage: v.stage, decision: v.decision, reason: v.reason, at: v.at })),
    };
  });
}

const claimColumns = ['claims.id', 'claims.person_id', 'persons.name', 'claims.activity', 'claims.occurred_on', 'claims.cme_year', 'claims.credit_class', 'claims.credits', 'claims.months', 'claims.description', 'claims.chain', 'claims.stage', 'claims.status', 'claims.submitted_at'] as const;

export async function claimsOfPerson(db: DB, personId: string): Promise<ClaimView[]> {
  const rows = await db.selectFrom('claims').innerJoin('persons', 'persons.id', 'claims.person_id').select(claimColumns).where('claims.person_id', '=', personId).orderBy('claims.submitted_at', 'desc').execute();
  return viewClaims(db, rows);
}

/** Claims waiting for the reviewer's stage, from people within the reviewer's part of the tree. */
export async function reviewQueue(db: DB, reviewer: { role: Role; organisationId: string }): Promise<ClaimView[]> {
  const stage = STAGE_OF_ROLE[reviewer.role];
  if (!stage) return [];
  const rows = await db
    .selectFrom('claims')
    .innerJoin('persons', 'persons.id', 'claims.person_id')
    .select(claimColumns)
    .where('claims.status', '=', 'submitted')
    .where((eb) =>
      eb.or([
        eb('persons.institution_id', 'in', sql<string>`(with recursive subtree(id) as (select ${reviewer.organisationId} union all select o.id from organisations o join subtree s on o.parent_id = s.id) select id from subtree)`),
        eb('persons.department_id', '=', reviewer.organisationId),
      ]),
    )
    .orderBy('claims.submitted_at')
    .execute();
  return viewClaims(db, rows.filter((r) => chainOf(r)[r.stage] === stage));
}
