// Non-project credit claims (非项目学分申报): the SQL of claims, their evidence files (stored once
// by content hash) and their reviews. The workflow (submission, withdrawal, review along the chain,
// the ledger) is services/claims.ts.
import { newId, REVIEW_OFFICES, type ReviewOffice } from '@opencme/core';
import type { Insertable, Updateable } from 'kysely';
import { z } from 'zod';
import { inSubtree } from './organisations.ts';
import type { DB } from '../db/connect.ts';
import type { ClaimReviewTable, ClaimTable, EvidenceFileTable } from '../db/schema.ts';

/** The largest evidence file (the upload route caps each file by it). */
export const MAX_EVIDENCE_BYTES = 10 * 1024 * 1024;

export async function personOfUser(db: DB, userId: string): Promise<string | null> {
  const row = await db.selectFrom('staff_accounts').select('person_id').where('user_id', '=', userId).executeTakeFirst();
  return row?.person_id ?? null;
}

/** The claimant's institution (医疗机构), whose province decides the CME year. */
export async function institutionOfPerson(db: DB, personId: string): Promise<string> {
  return (await db.selectFrom('persons').select('institution_id').where('id', '=', personId).executeTakeFirstOrThrow()).institution_id;
}

const storedChain = z.array(z.enum(REVIEW_OFFICES));

/** The chain a claim was submitted with, as stored (JSON); a stored chain that is not one fails here. */
export const chainOf = (row: { chain: string }): ReviewOffice[] => storedChain.parse(JSON.parse(row.chain));

export async function findClaim(db: DB, claimId: string) {
  return db.selectFrom('claims').selectAll().where('id', '=', claimId).executeTakeFirst();
}

export async function claimsByIds(db: DB, claimIds: readonly string[]) {
  return db.selectFrom('claims').selectAll().where('id', 'in', claimIds).execute();
}

export async function insertClaim(db: DB, row: Insertable<ClaimTable>): Promise<void> {
  await db.insertInto('claims').values(row).execute();
}

/** A claim's evidence: each file stored once by its hash, named as the claimant's device named it. */
export async function attachEvidence(
  db: DB,
  claimId: string,
  files: readonly { hash: string; mime: EvidenceFileTable['mime']; fileName: string; bytes: Uint8Array }[],
  at: string,
) {
  for (const f of files) {
    await db
      .insertInto('evidence_files')
      .values({ hash: f.hash, mime: f.mime, size: f.bytes.length, bytes: f.bytes, created_at: at })
      .onConflict((oc) => oc.column('hash').doNothing())
      .execute();
    await db
      .insertInto('claim_evidence')
      .values({ claim_id: claimId, evidence_hash: f.hash, file_name: f.fileName.slice(0, 200) })
      .onConflict((oc) => oc.columns(['claim_id', 'evidence_hash']).doNothing())
      .execute();
  }
}

/** Marks the person's own claim withdrawn if it is still under review; false otherwise. */
export async function markWithdrawn(db: DB, input: { claimId: string; personId: string; at: Date }): Promise<boolean> {
  const res = await db
    .updateTable('claims')
    .set({ status: 'withdrawn', closed_at: input.at.toISOString() })
    .where('id', '=', input.claimId)
    .where('person_id', '=', input.personId)
    .where('status', '=', 'submitted')
    .executeTakeFirst();
  return Number(res.numUpdatedRows) > 0;
}

export async function insertClaimReview(db: DB, row: Omit<ClaimReviewTable, 'id'>): Promise<void> {
  await db
    .insertInto('claim_reviews')
    .values({ id: newId(), ...row })
    .execute();
}

export async function updateClaim(db: DB, claimId: string, set: Updateable<ClaimTable>): Promise<void> {
  await db.updateTable('claims').set(set).where('id', '=', claimId).execute();
}

/** One evidence file of a claim, with whose claim it is. */
export async function findEvidence(db: DB, claimId: string, hash: string) {
  return db
    .selectFrom('claim_evidence')
    .innerJoin('evidence_files', 'evidence_files.hash', 'claim_evidence.evidence_hash')
    .innerJoin('claims', 'claims.id', 'claim_evidence.claim_id')
    .select(['claim_evidence.file_name', 'evidence_files.mime', 'evidence_files.bytes', 'claims.person_id'])
    .where('claim_evidence.claim_id', '=', claimId)
    .where('claim_evidence.evidence_hash', '=', hash)
    .executeTakeFirst();
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
  chain: ReviewOffice[];
  stage: number;
  status: string;
  submittedAt: string;
  evidence: { hash: string; fileName: string; mime: string; size: number }[];
  /** The same file in another claim (by anyone): the reviewer decides whether that is fraud. */
  duplicates: { hash: string; claimId: string; samePerson: boolean; status: string; submittedAt: string }[];
  reviews: { stage: string; decision: string; reason: string | null; at: string }[];
}

export async function viewClaims(
  db: DB,
  rows: {
    id: string;
    person_id: string;
    name: string;
    activity: string;
    occurred_on: string;
    cme_year: number;
    credit_class: 'I' | 'II';
    credits: number;
    months: number;
    description: string;
    chain: string;
    stage: number;
    status: string;
    submitted_at: string;
  }[],
): Promise<ClaimView[]> {
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
  const reviews = await db
    .selectFrom('claim_reviews')
    .select(['claim_id', 'stage', 'decision', 'reason', 'at'])
    .where('claim_id', 'in', ids)
    .orderBy('at')
    .execute();
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

const claimColumns = [
  'claims.id',
  'claims.person_id',
  'persons.name',
  'claims.activity',
  'claims.occurred_on',
  'claims.cme_year',
  'claims.credit_class',
  'claims.credits',
  'claims.months',
  'claims.description',
  'claims.chain',
  'claims.stage',
  'claims.status',
  'claims.submitted_at',
] as const;

export async function claimsOfPerson(db: DB, personId: string): Promise<ClaimView[]> {
  const rows = await db
    .selectFrom('claims')
    .innerJoin('persons', 'persons.id', 'claims.person_id')
    .select(claimColumns)
    .where('claims.person_id', '=', personId)
    .orderBy('claims.submitted_at', 'desc')
    .execute();
  return viewClaims(db, rows);
}

/** Claims under review from people within an organisation's part of the tree (or of its department), oldest first. */
export async function submittedClaimsWithin(db: DB, organisationId: string) {
  return db
    .selectFrom('claims')
    .innerJoin('persons', 'persons.id', 'claims.person_id')
    .select(claimColumns)
    .where('claims.status', '=', 'submitted')
    .where((eb) => eb.or([eb('persons.institution_id', 'in', inSubtree(organisationId)), eb('persons.department_id', '=', organisationId)]))
    .orderBy('claims.submitted_at')
    .execute();
}
