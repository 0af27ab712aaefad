// Standing (学分达标情况) as people read it: the totals, the verdict and its reasons (message keys the app words).
import { standingReasons } from '@opencme/core';
import type { DB } from '../db/connect.ts';
import { UserFacingError } from '../errors.ts';
import type { Role } from '../role.ts';
import { auditPersonalDataOf, viewerOf } from '../repositories/audit.ts';
import { personOfUser } from '../repositories/claims.ts';
import { entriesOfPerson } from '../repositories/ledger.ts';
import { voidedYearOf } from '../repositories/sanctions.ts';
import { standingOfPerson, standingsOf } from '../repositories/standing.ts';

/** One person's standing for a year, with the ledger entries it comes from. */
export async function standingWithEntries(
  db: DB,
  input: { personId: string; cmeYear: number },
  viewer: { id: string; role: Role; organisationId: string },
  now: Date,
) {
  // A staff member sees their own standing, not their colleagues'.
  const own = viewer.role === 'staff';
  if (own && (await personOfUser(db, viewer.id)) !== input.personId) {
    throw new UserFacingError('FORBIDDEN', 'standing.see-own-credits-only');
  }
  // Someone else's credit record is personal data: the view goes on the person's unit's log.
  if (!own)
    await auditPersonalDataOf(db, {
      actor: viewerOf(viewer),
      action: 'person.view-standing',
      personIds: [input.personId],
      detail: { cmeYear: input.cmeYear },
      at: now,
    });
  const found = await standingOfPerson(db, input.personId, input.cmeYear);
  const entries = await entriesOfPerson(db, input.personId, input.cmeYear);
  // A year voided for cheating (作废年度学分) says so, and why, beside its reversals.
  const voided = (await voidedYearOf(db, input.personId, input.cmeYear)) ?? null;
  return { ...found, reasons: standingReasons(found.standing), entries, voided };
}

/** Everyone in an organisation's subtree, each with the reasons for the result. */
export async function explainedStandings(db: DB, input: { organisationId: string; cmeYear: number }) {
  const all = await standingsOf(db, { organisationId: input.organisationId }, input.cmeYear);
  return all.map((p) => ({ ...p, reasons: standingReasons(p.standing) }));
}
