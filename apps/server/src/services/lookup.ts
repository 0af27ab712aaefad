// Public credit lookup (公共查询): the ID number and the name together give that person's yearly
// totals, masked. Every lookup is logged, found or not.
import { maskIdNumber, validateIdNumber } from '@opencme/core';
import type { DB } from '../db/connect.ts';
import { UserFacingError } from '../errors.ts';
import type { IdNumberVault } from '../pii.ts';
import { audit } from '../repositories/audit.ts';
import { personByIdNumberIndex } from '../repositories/registry.ts';
import { recentStandingsOf } from '../repositories/standing.ts';

/** 王秀英 → 王*英, 王芳 → 王*: enough for the person to recognise, too little to learn a name. */
export function maskName(name: string): string {
  const chars = [...name];
  if (chars.length <= 1) return name;
  if (chars.length === 2) return `${chars[0]}*`;
  return `${chars[0]}${'*'.repeat(chars.length - 2)}${chars.at(-1)}`;
}

export async function lookUpCredits(db: DB, vault: IdNumberVault, input: { idNumber: string; name: string }, address: string, now: Date) {
  const check = validateIdNumber(input.idNumber);
  if (!check.valid) throw new UserFacingError('BAD_REQUEST', 'lookup.id-number-not-valid-check');
  const person = await personByIdNumberIndex(db, vault.index(check.normalized));
  const found = person && person.name === input.name ? person : null;
  await audit(db, {
    actor: {},
    action: 'public.lookup',
    entity: 'person',
    entityId: found?.id ?? '',
    organisationId: found?.institution_id ?? null,
    after: { address, found: found !== null },
    at: now,
  });
  // The same answer whether the number is unknown or the name does not match it.
  if (!found) throw new UserFacingError('NOT_FOUND', 'lookup.no-record-matches-id-number');
  // Every year the ledger has entries for has its kept totals (credit_totals), zero when reversed away.
  const totals = (await recentStandingsOf(db, { id: found.id, institutionId: found.institution_id, title: found.title }, 10)).map(({ cmeYear, standing }) => ({
    cmeYear,
    classI: standing.totals.classI,
    classII: standing.totals.classII,
    total: standing.totals.total,
    compliant: standing.compliant,
  }));
  return { name: maskName(found.name), idMasked: maskIdNumber(check.normalized), institution: found.institution, years: totals };
}
