// What the HR hand-off reads: a unit's accepted year-end verification (备案) and its frozen results,
// and the tokens HR systems pull them with (only the SHA-256 of a token is kept).
import type { DB } from '../db/connect.ts';

/** The unit's accepted year-end run of a year, with the unit's name and credit code; `undefined` when none is accepted. */
export function acceptedRunOf(db: DB, input: { unitId: string; cmeYear: number }) {
  return db
    .selectFrom('verification_runs')
    .innerJoin('organisations', 'organisations.id', 'verification_runs.organisation_id')
    .select([
      'verification_runs.id',
      'verification_runs.accepted_at',
      'organisations.id as unit_id',
      'organisations.name as unit_name',
      'organisations.credit_code',
    ])
    .where('verification_runs.organisation_id', '=', input.unitId)
    .where('verification_runs.cme_year', '=', input.cmeYear)
    .where('verification_runs.round', '=', 'year-end')
    .where('verification_runs.status', '=', 'accepted')
    .executeTakeFirst();
}

/** The frozen results of an accepted run, with each person's sealed ID number, in department, name and id order. */
export function acceptedResultsOf(db: DB, runId: string) {
  return db
    .selectFrom('verification_accepted')
    .innerJoin('persons', 'persons.id', 'verification_accepted.person_id')
    .select([
      'verification_accepted.person_id',
      'persons.institution_id',
      'persons.id_number_enc',
      'verification_accepted.name',
      'verification_accepted.department',
      'verification_accepted.title',
      'verification_accepted.class_i',
      'verification_accepted.class_ii',
      'verification_accepted.total',
      'verification_accepted.compliant',
      'verification_accepted.basis',
    ])
    .where('verification_accepted.run_id', '=', runId)
    .orderBy('verification_accepted.department')
    .orderBy('verification_accepted.name')
    .orderBy('verification_accepted.person_id')
    .execute();
}

export async function addHrToken(db: DB, token: { id: string; organisationId: string; label: string; hash: string; by: string; at: Date }): Promise<void> {
  await db
    .insertInto('hr_tokens')
    .values({
      id: token.id,
      organisation_id: token.organisationId,
      label: token.label,
      token_hash: token.hash,
      created_by: token.by,
      created_at: token.at.toISOString(),
      revoked_by: null,
      revoked_at: null,
      last_used_at: null,
    })
    .execute();
}

/** The tokens that read an organisation's results, newest first (never their secret, which is not kept). */
export function hrTokensOf(db: DB, organisationId: string) {
  return db
    .selectFrom('hr_tokens')
    .leftJoin('users', 'users.id', 'hr_tokens.created_by')
    .select(['hr_tokens.id', 'hr_tokens.label', 'hr_tokens.created_at', 'hr_tokens.revoked_at', 'hr_tokens.last_used_at', 'users.display_name as created_by'])
    .where('hr_tokens.organisation_id', '=', organisationId)
    .orderBy('hr_tokens.created_at', 'desc')
    .orderBy('hr_tokens.id')
    .execute();
}

/** Revokes a token (once); `false` when it was revoked already. Answers the organisation it read. */
export async function markHrTokenRevoked(db: DB, input: { tokenId: string; by: string; at: Date }): Promise<boolean> {
  const res = await db
    .updateTable('hr_tokens')
    .set({ revoked_by: input.by, revoked_at: input.at.toISOString() })
    .where('id', '=', input.tokenId)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  return Number(res.numUpdatedRows) > 0;
}

/** The live token with this digest, if any. */
export function liveHrToken(db: DB, hash: string) {
  return db.selectFrom('hr_tokens').select(['id', 'organisation_id']).where('token_hash', '=', hash).where('revoked_at', 'is', null).executeTakeFirst();
}

export async function touchHrToken(db: DB, tokenId: string, at: Date): Promise<void> {
  await db.updateTable('hr_tokens').set({ last_used_at: at.toISOString() }).where('id', '=', tokenId).execute();
}
