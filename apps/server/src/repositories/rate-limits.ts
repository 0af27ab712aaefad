// Throttles kept in the database: they survive a restart and hold across several server processes
// on one database. Every reservation is one conditional statement, so concurrent requests cannot
// all read "under the limit" before any of them is counted (SQLite and PostgreSQL alike).
import type { DB } from '../db/connect.ts';

export type Reservation = { ok: true } | { ok: false; retryAt: Date };

/**
 * Takes one hit of `key`'s budget: `limit` hits in a window of `windowMs` that opens with the
 * first hit. Refused when the budget is used up, with the moment the window ends.
 */
export async function reserve(db: DB, input: { key: string; limit: number; windowMs: number; now: Date }): Promise<Reservation> {
  const now = input.now.toISOString();
  const windowEnd = new Date(input.now.getTime() + input.windowMs).toISOString();
  // One upsert per hit: a new key, an ended window (opened afresh) or a window with room left is
  // counted; a full window updates nothing and returns nothing.
  const taken = await db
    .insertInto('rate_limits')
    .values({ key: input.key, hits: 1, window_ends_at: windowEnd })
    .onConflict((oc) =>
      oc
        .column('key')
        .doUpdateSet((eb) => {
          const ended = eb('rate_limits.window_ends_at', '<=', now);
          return {
            hits: eb
              .case()
              .when(ended)
              .then(1)
              .else(eb('rate_limits.hits', '+', 1))
              .end(),
            window_ends_at: eb.case().when(ended).then(windowEnd).else(eb.ref('rate_limits.window_ends_at')).end(),
          };
        })
        .where((eb) => eb.or([eb('rate_limits.window_ends_at', '<=', now), eb('rate_limits.hits', '<', input.limit)])),
    )
    .returning('hits')
    .executeTakeFirst();
  if (taken) return { ok: true };
  const row = await db.selectFrom('rate_limits').select('window_ends_at').where('key', '=', input.key).executeTakeFirst();
  return { ok: false, retryAt: new Date(row?.window_ends_at ?? windowEnd) };
}

/** Gives a hit back (a sign-in that succeeded does not count against its address). */
export async function release(db: DB, key: string): Promise<void> {
  await db
    .updateTable('rate_limits')
    .set((eb) => ({ hits: eb('hits', '-', 1) }))
    .where('key', '=', key)
    .where('hits', '>', 0)
    .execute();
}

/** Failed sign-ins of one (login, address) pair allowed at once; then each next one waits longer. */
export const BACKOFF = {
  freeFailures: 5,
  firstDelayMs: 30_000,
  maxDelayMs: 15 * 60_000,
  /** A pair quiet for this long starts afresh. */
  forgetAfterMs: 24 * 3_600_000,
} as const;

/** The wait after the `failures`-th failure: none for the first few, then doubling up to the cap. */
export function backoffDelayMs(failures: number): number {
  if (failures < BACKOFF.freeFailures) return 0;
  return Math.min(BACKOFF.firstDelayMs * 2 ** (failures - BACKOFF.freeFailures), BACKOFF.maxDelayMs);
}

/**
 * Reserves a sign-in attempt for (login, address), counted as a failure until `clearBackoff` says
 * it succeeded. Refused while the pair waits out its delay. The new `blocked_until` is chosen in
 * SQL from the failure count the row holds at that moment (a CASE over the few steps before the
 * cap), so concurrent attempts each see the count the previous one left.
 */
export async function reserveSignIn(db: DB, input: { login: string; address: string; now: Date }): Promise<Reservation> {
  const now = input.now.toISOString();
  const forgetBefore = new Date(input.now.getTime() - BACKOFF.forgetAfterMs).toISOString();
  const at = (failures: number) => new Date(input.now.getTime() + backoffDelayMs(failures)).toISOString();
  // One upsert per attempt: a new pair, or one no longer waiting, is counted; a pair quiet for
  // long starts afresh (its wait ended long ago); a waiting pair updates nothing and returns nothing.
  const taken = await db
    .insertInto('sign_in_backoff')
    .values({ login: input.login, address: input.address, failures: 1, blocked_until: at(1), last_attempt_at: now })
    .onConflict((oc) =>
      oc
        .columns(['login', 'address'])
        .doUpdateSet((eb) => {
          const forgotten = eb('sign_in_backoff.last_attempt_at', '<=', forgetBefore);
          // The row's failure count before this attempt → when the attempt after this one may come.
          let blockedUntil = eb.case().when(forgotten).then(at(1)).when('sign_in_backoff.failures', '=', 0).then(at(1));
          for (let n = 1; backoffDelayMs(n + 1) < BACKOFF.maxDelayMs; n++) blockedUntil = blockedUntil.when('sign_in_backoff.failures', '=', n).then(at(n + 1));
          return {
            failures: eb
              .case()
              .when(forgotten)
              .then(1)
              .else(eb('sign_in_backoff.failures', '+', 1))
              .end(),
            last_attempt_at: now,
            blocked_until: blockedUntil.else(at(Number.MAX_SAFE_INTEGER)).end(),
          };
        })
        .where('sign_in_backoff.blocked_until', '<=', now),
    )
    .returning('failures')
    .executeTakeFirst();
  if (taken) return { ok: true };
  const row = await db
    .selectFrom('sign_in_backoff')
    .select('blocked_until')
    .where('login', '=', input.login)
    .where('address', '=', input.address)
    .executeTakeFirstOrThrow();
  return { ok: false, retryAt: new Date(row.blocked_until) };
}

/** A right password: the pair's failures are forgotten. */
export async function clearBackoff(db: DB, input: { login: string; address: string }): Promise<void> {
  await db.deleteFrom('sign_in_backoff').where('login', '=', input.login).where('address', '=', input.address).execute();
}

/** Deletes windows that have ended and pairs long quiet: the tables stay as small as the traffic. */
export async function sweepThrottles(db: DB, now: Date): Promise<void> {
  await db.deleteFrom('rate_limits').where('window_ends_at', '<=', now.toISOString()).execute();
  await db
    .deleteFrom('sign_in_backoff')
    .where('last_attempt_at', '<=', new Date(now.getTime() - BACKOFF.forgetAfterMs).toISOString())
    .execute();
}
