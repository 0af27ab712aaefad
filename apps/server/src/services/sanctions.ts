// Sanctions (处理) and corrections of the ledger, each audited with who and why:
// - a ledger entry reversed by an office (冲销), e.g. credits granted by mistake;
// - a person's CME year voided for cheating (作废年度学分: 代刷, 弄虚作假): every entry of the year
//   that still counts is reversed, proofs stating the year are revoked, and no credits enter the
//   year while the void stands;
// - an organiser barred from declaring projects (取消办班资格) for one to three years.
import { addDays, chinaDate } from '@opencme/core';
import type { DB } from '../db/connect.ts';
import { UserFacingError } from '../errors.ts';
import { audit } from '../repositories/audit.ts';
import { ledgerEntryWithState, liveEntriesOfYear, reverseLedgerEntry } from '../repositories/ledger.ts';
import { getOrganisation } from '../repositories/organisations.ts';
import { personRecord } from '../repositories/registry.ts';
import { barInForce, recordBar, recordVoidedYear, revokeProofsCovering } from '../repositories/sanctions.ts';

interface Actor {
  id: string;
  organisationId: string;
}

/** Reverses one entry of the ledger with the reason; refuses a reversal, or an entry already reversed. */
export async function reverseEntry(db: DB, input: { entryId: string; reason: string; actor: Actor; at: Date }): Promise<string> {
  return db.transaction().execute(async (trx) => {
    const entry = await ledgerEntryWithState(trx, input.entryId);
    if (!entry) throw new UserFacingError('NOT_FOUND', 'ledger.no-such-entry');
    if (entry.source_kind === 'reversal') throw new UserFacingError('PRECONDITION_FAILED', 'ledger.reversal-cannot-be-reversed');
    if (entry.reversed) throw new UserFacingError('CONFLICT', 'ledger.entry-already-reversed');
    const reversalId = await reverseLedgerEntry(trx, { entryId: entry.id, reason: input.reason, approvedBy: input.actor.id, at: input.at });
    await audit(trx, {
      actor: { userId: input.actor.id, organisationId: input.actor.organisationId },
      action: 'ledger.reverse',
      entity: 'ledger-entry',
      entityId: entry.id,
      organisationId: entry.institution_id,
      before: { credits: entry.credits, creditClass: entry.credit_class, cmeYear: entry.cme_year, label: entry.source_label },
      after: { reason: input.reason, reversalId },
      at: input.at,
    });
    return reversalId;
  });
}

/**
 * Voids a person's CME year (作废年度学分): one reversal per entry that still counts, all in one
 * transaction, so the year's standing is nothing; proofs stating the year are revoked.
 */
export async function voidYear(db: DB, input: { personId: string; cmeYear: number; reason: string; actor: Actor; at: Date }): Promise<{ reversed: number }> {
  return db.transaction().execute(async (trx) => {
    const person = await personRecord(trx, input.personId);
    const by = { reason: input.reason, by: input.actor.id, at: input.at };
    if (!(await recordVoidedYear(trx, { personId: person.id, cmeYear: input.cmeYear, ...by }))) {
      throw new UserFacingError('CONFLICT', 'sanctions.year-already-voided', { year: input.cmeYear });
    }
    const entries = await liveEntriesOfYear(trx, person.id, input.cmeYear);
    const reversals: string[] = [];
    for (const entryId of entries) reversals.push(await reverseLedgerEntry(trx, { entryId, reason: input.reason, approvedBy: input.actor.id, at: input.at }));
    const revokedProofs = await revokeProofsCovering(trx, { personId: person.id, cmeYear: input.cmeYear, ...by });
    await audit(trx, {
      actor: { userId: input.actor.id, organisationId: input.actor.organisationId },
      action: 'ledger.void-year',
      entity: 'person',
      entityId: person.id,
      organisationId: person.institution_id,
      after: { cmeYear: input.cmeYear, reason: input.reason, reversed: entries, reversals, revokedProofs },
      at: input.at,
    });
    return { reversed: entries.length };
  });
}

/** Bars an organiser (a unit) from declaring projects for 1–3 years from today (China dates). */
export async function barOrganiser(
  db: DB,
  input: { organisationId: string; years: number; reason: string; actor: Actor; at: Date },
): Promise<{ untilDate: string }> {
  return db.transaction().execute(async (trx) => {
    const organisation = await getOrganisation(trx, input.organisationId);
    if (organisation.kind !== 'institution') throw new UserFacingError('BAD_REQUEST', 'sanctions.only-units-barred', {}, 'organisationId');
    const fromDate = chinaDate(input.at);
    // 1 to 3 years: until the day before the same date that many years on.
    const untilDate = addDays(`${Number(fromDate.slice(0, 4)) + input.years}${fromDate.slice(4)}`.replace(/-02-29$/, '-03-01'), -1);
    const id = await recordBar(trx, { organisationId: organisation.id, fromDate, untilDate, reason: input.reason, by: input.actor.id, at: input.at });
    await audit(trx, {
      actor: { userId: input.actor.id, organisationId: input.actor.organisationId },
      action: 'organiser.bar',
      entity: 'organisation',
      entityId: organisation.id,
      organisationId: organisation.id,
      after: { barId: id, fromDate, untilDate, years: input.years, reason: input.reason },
      at: input.at,
    });
    return { untilDate };
  });
}

/** Refuses what an organiser barred today may not do (declare or submit a project), saying until when. */
export async function requireNotBarred(db: DB, organisationId: string, now: Date): Promise<void> {
  const bar = await barInForce(db, organisationId, chinaDate(now));
  if (bar) throw new UserFacingError('PRECONDITION_FAILED', 'sanctions.organiser-barred-until', { until: bar.until_date, reason: bar.reason });
}
