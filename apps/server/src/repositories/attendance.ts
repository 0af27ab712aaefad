// Attendance (出勤) per person and session, recomputed with core's rules from every accepted tap
// of every door, placed on the server's clock. An organiser's correction replaces the taps' times
// and is audited; it is never made silently.
import { type AttendanceResult, type AttendanceRules, evaluateAttendance, type SessionWindow, type TimedTap, tapWindow } from '@opencme/core';
import type { DB } from '../db/connect.ts';
import { UserFacingError } from '../errors.ts';
import { audit } from './audit.ts';
import { recomputeOnlineAttendance } from './online-attendance.ts';
import { rulesForSessions } from './settings.ts';

type Pair = { sessionId: string; personId: string };
const pairKey = (sessionId: string, personId: string) => `${sessionId}\u0000${personId}`;

interface Correction {
  corrected_sign_in_at: string | null;
  corrected_sign_out_at: string | null;
  voided_at: string | null;
}

/**
 * The taps that count: none once a reviewer voided the attendance (a confirmed proxy-tap, 代刷),
 * the corrected times where the organiser corrected, else the doors' taps.
 */
function countedTaps(taps: TimedTap[], correction: Correction | undefined): TimedTap[] {
  if (correction?.voided_at) return [];
  if (!correction || (correction.corrected_sign_in_at === null && correction.corrected_sign_out_at === null)) return taps;
  return [correction.corrected_sign_in_at, correction.corrected_sign_out_at].filter((t): t is string => t !== null).map((at) => ({ at }));
}

/**
 * What attendance needs of a pair's taps, kept with it so that new taps fold in without reading
 * the old ones again: the accepted taps' count, the earliest and latest accepted tap inside the
 * tap window (the sign-in, and the sign-out when far enough from it), and whether any tap asks a
 * reviewer to look. Core's rules give the same result from these two taps as from all of them,
 * for the tap window they were chosen in (kept beside them).
 */
interface TapState {
  count: number;
  first: string | null;
  last: string | null;
  flagged: boolean;
}

const emptyState = (): TapState => ({ count: 0, first: null, last: null, flagged: false });

/** A stored tap of a pair, as attendance reads it. */
export interface PairTap {
  sessionId: string;
  personId: string;
  at: string;
  status: 'accepted' | 'flagged';
  clockJumped: number;
}

function foldTap(state: TapState, tap: Pick<PairTap, 'at' | 'status' | 'clockJumped'>, opensMs: number, closesMs: number): void {
  // A flagged tap waits for a reviewer's decision before it counts, and flags the attendance.
  state.flagged ||= tap.status === 'flagged' || tap.clockJumped === 1;
  if (tap.status !== 'accepted') return;
  state.count += 1;
  const t = Date.parse(tap.at);
  if (t < opensMs || t > closesMs) return;
  if (state.first === null || t < Date.parse(state.first)) state.first = tap.at;
  if (state.last === null || t > Date.parse(state.last)) state.last = tap.at;
}

interface SessionFacts {
  window: SessionWindow;
  rules: AttendanceRules;
  opensMs: number;
  closesMs: number;
  /** The tap window as kept with a pair's state: a state kept for another window (rules or times changed since) is recomputed. */
  tapWindow: string;
}

async function sessionFacts(db: DB, sessionIds: readonly string[]): Promise<Map<string, SessionFacts>> {
  const [sessions, rules] = await Promise.all([
    db.selectFrom('sessions').select(['id', 'starts_at', 'ends_at']).where('id', 'in', sessionIds).execute(),
    rulesForSessions(db, sessionIds),
  ]);
  return new Map(
    sessions.map((s) => {
      const window = { startsAt: s.starts_at, endsAt: s.ends_at } satisfies SessionWindow;
      const r = rules.get(s.id)!;
      const open = tapWindow(window, r);
      return [
        s.id,
        { window, rules: r, opensMs: Date.parse(open.opensAt), closesMs: Date.parse(open.closesAt), tapWindow: `${open.opensAt}/${open.closesAt}` },
      ];
    }),
  );
}

/** Writes each pair's attendance from its tap state: the doors' times, and the status with any correction applied. */
async function writeAttendance(
  db: DB,
  states: readonly { pair: Pair; state: TapState }[],
  facts: ReadonlyMap<string, SessionFacts>,
  corrections: ReadonlyMap<string, Correction>,
  now: string,
): Promise<void> {
  const rows = [];
  for (const { pair, state } of states) {
    const session = facts.get(pair.sessionId);
    if (!session) continue; // taps of an unknown session are flagged facts, with no attendance
    const extremes = [...new Set([state.first, state.last].filter((t): t is string => t !== null))].map((at) => ({ at }));
    const doors = evaluateAttendance({ taps: extremes, window: session.window, rules: session.rules });
    const result = evaluateAttendance({
      taps: countedTaps(extremes, corrections.get(pairKey(pair.sessionId, pair.personId))),
      window: session.window,
      rules: session.rules,
    });
    rows.push({
      session_id: pair.sessionId,
      person_id: pair.personId,
      // The doors' own times stay on record beside a correction.
      sign_in_at: doors.signInAt,
      sign_out_at: doors.signOutAt,
      tap_count: state.count,
      updated_at: now,
      ...resultColumns(result),
      flagged: state.flagged ? 1 : 0,
      window_first_at: state.first,
      window_last_at: state.last,
      tap_window: session.tapWindow,
    });
  }
  for (let i = 0; i < rows.length; i += UPSERT_CHUNK) {
    await db
      .insertInto('attendance')
      .values(rows.slice(i, i + UPSERT_CHUNK))
      .onConflict((oc) =>
        oc.columns(['session_id', 'person_id']).doUpdateSet((eb) => ({
          sign_in_at: eb.ref('excluded.sign_in_at'),
          sign_out_at: eb.ref('excluded.sign_out_at'),
          tap_count: eb.ref('excluded.tap_count'),
          updated_at: eb.ref('excluded.updated_at'),
          status: eb.ref('excluded.status'),
          presence_minutes: eb.ref('excluded.presence_minutes'),
          shortfalls: eb.ref('excluded.shortfalls'),
          flagged: eb.ref('excluded.flagged'),
          window_first_at: eb.ref('excluded.window_first_at'),
          window_last_at: eb.ref('excluded.window_last_at'),
          tap_window: eb.ref('excluded.tap_window'),
        })),
      )
      .execute();
  }
}

/** 14 columns a row: well within the bound values a statement may carry on either database. */
const UPSERT_CHUNK = 500;

function correctionsOf(rows: readonly (Correction & { session_id: string; person_id: string })[]): Map<string, Correction> {
  return new Map(rows.map((c) => [pairKey(c.session_id, c.person_id), c]));
}

/** Recomputes the attendance of each (session, person) pair from all its taps. */
export async function recomputeAttendance(db: DB, allPairs: readonly Pair[], now: string): Promise<void> {
  if (allPairs.length === 0) return;
  // An online session's attendance is its watch time, not its taps.
  const online = new Set(
    (
      await db
        .selectFrom('sessions')
        .innerJoin('projects', 'projects.id', 'sessions.project_id')
        .select('sessions.id')
        .where('sessions.id', 'in', [...new Set(allPairs.map((p) => p.sessionId))])
        .where('projects.mode', '=', 'online')
        .execute()
    ).map((s) => s.id),
  );
  const pairs = allPairs.filter((p) => !online.has(p.sessionId));
  await recomputeOnlineAttendance(
    db,
    allPairs.filter((p) => online.has(p.sessionId)),
    new Date(now),
  );
  if (pairs.length === 0) return;
  const sessionIds = [...new Set(pairs.map((p) => p.sessionId))];
  const personIds = [...new Set(pairs.map((p) => p.personId))];
  const [facts, taps, corrections] = await Promise.all([
    sessionFacts(db, sessionIds),
    db
      .selectFrom('taps')
      .select(['session_id', 'person_id', 'at', 'wall_time', 'status', 'clock_jumped'])
      .where('session_id', 'in', sessionIds)
      .where('person_id', 'in', personIds)
      .execute(),
    db
      .selectFrom('attendance')
      .select(['session_id', 'person_id', 'corrected_sign_in_at', 'corrected_sign_out_at', 'voided_at'])
      .where('session_id', 'in', sessionIds)
      .where('person_id', 'in', personIds)
      .execute(),
  ]);
  const byPair = new Map<string, TapState>();
  // Only taps that name a person are here, and a tap names one only if it was recorded at a door
  // of the session, of a project that may be held, by someone the session may admit (storeTaps):
  // a flagged one among them (a lost card, a jumped clock) is review material for the organiser.
  for (const t of taps) {
    const session = facts.get(t.session_id);
    if (!session) continue;
    const key = pairKey(t.session_id, t.person_id!);
    const state = byPair.get(key) ?? emptyState();
    foldTap(state, { at: t.at ?? t.wall_time, status: t.status, clockJumped: t.clock_jumped }, session.opensMs, session.closesMs);
    byPair.set(key, state);
  }
  await writeAttendance(
    db,
    pairs.map((pair) => ({ pair, state: byPair.get(pairKey(pair.sessionId, pair.personId)) ?? emptyState() })),
    facts,
    correctionsOf(corrections),
    now,
  );
}

/**
 * Folds newly stored taps into their pairs' attendance, reading the stored state of each pair
 * instead of all its taps: a push costs the same at the end of a day as at its start. A pair
 * whose state was never kept (an attendance written before it was), or was kept for another tap
 * window (the session's times or the province's rules changed since), is recomputed from its taps.
 * Taps whose status changed after they were stored are not for here: recompute those pairs.
 */
export async function foldIntoAttendance(db: DB, taps: readonly PairTap[], now: string): Promise<void> {
  if (taps.length === 0) return;
  const sessionIds = [...new Set(taps.map((t) => t.sessionId))];
  const personIds = [...new Set(taps.map((t) => t.personId))];
  const [facts, stored] = await Promise.all([
    sessionFacts(db, sessionIds),
    db
      .selectFrom('attendance')
      .select([
        'session_id',
        'person_id',
        'tap_count',
        'flagged',
        'window_first_at',
        'window_last_at',
        'tap_window',
        'corrected_sign_in_at',
        'corrected_sign_out_at',
        'voided_at',
      ])
      .where('session_id', 'in', sessionIds)
      .where('person_id', 'in', personIds)
      .execute(),
  ]);
  const storedOf = new Map(stored.map((r) => [pairKey(r.session_id, r.person_id), r]));
  const states = new Map<string, { pair: Pair; state: TapState }>();
  const unknown = new Map<string, Pair>();
  for (const tap of taps) {
    const session = facts.get(tap.sessionId);
    if (!session) continue;
    const key = pairKey(tap.sessionId, tap.personId);
    const pair = { sessionId: tap.sessionId, personId: tap.personId };
    const row = storedOf.get(key);
    if (row && row.tap_window !== session.tapWindow) {
      unknown.set(key, pair);
      continue;
    }
    let entry = states.get(key);
    if (!entry) {
      // No row yet: the pair had no taps before this push.
      const state = row ? { count: row.tap_count, first: row.window_first_at, last: row.window_last_at, flagged: row.flagged === 1 } : emptyState();
      entry = { pair, state };
      states.set(key, entry);
    }
    foldTap(entry.state, tap, session.opensMs, session.closesMs);
  }
  await writeAttendance(db, [...states.values()], facts, correctionsOf(stored), now);
  await recomputeAttendance(db, [...unknown.values()], now);
}

function resultColumns(result: AttendanceResult) {
  return { status: result.status, presence_minutes: result.presenceMinutes, shortfalls: result.shortfalls.join(',') };
}

/** Each person's attendance in a session: the doors' times, any correction, and the status. */
export async function listSessionAttendance(db: DB, sessionId: string) {
  const rows = await db
    .selectFrom('attendance')
    .innerJoin('persons', 'persons.id', 'attendance.person_id')
    .leftJoin('organisations as dept', 'dept.id', 'persons.department_id')
    .select([
      'persons.id as personId',
      'persons.name',
      'persons.cme_number as cmeNumber',
      'persons.id_number_masked as maskedIdNumber',
      'dept.name as department',
      'attendance.sign_in_at as signInAt',
      'attendance.sign_out_at as signOutAt',
      'attendance.tap_count as tapCount',
      'attendance.status',
      'attendance.presence_minutes as presenceMinutes',
      'attendance.shortfalls',
      'attendance.flagged',
      'attendance.corrected_sign_in_at as correctedSignInAt',
      'attendance.corrected_sign_out_at as correctedSignOutAt',
      'attendance.correction_reason as correctionReason',
      'attendance.void_reason as voidReason',
    ])
    .where('attendance.session_id', '=', sessionId)
    .orderBy('attendance.sign_in_at')
    .execute();
  return rows.map((r) => ({ ...r, shortfalls: r.shortfalls === '' ? [] : r.shortfalls.split(','), flagged: r.flagged === 1 }));
}

/** A person's attendance record of a session, whole: what the audit log keeps before and after a change. */
const recordOf = (db: DB, pair: Pair) =>
  db.selectFrom('attendance').selectAll().where('session_id', '=', pair.sessionId).where('person_id', '=', pair.personId);

/**
 * Sets the sign-in and sign-out an organiser established otherwise (a kiosk failed, a card was
 * forgotten), with the reason; the change and the record before it go to the audit log.
 */
export async function correctAttendance(
  db: DB,
  input: {
    sessionId: string;
    personId: string;
    signInAt: string | null;
    signOutAt: string | null;
    reason: string;
    userId: string;
    organisationId: string;
    now: Date;
  },
): Promise<void> {
  if (input.signInAt === null && input.signOutAt === null) {
    throw new UserFacingError('BAD_REQUEST', 'attendance.give-corrected-sign-in-sign');
  }
  if (input.signInAt !== null && input.signOutAt !== null && Date.parse(input.signOutAt) <= Date.parse(input.signInAt)) {
    throw new UserFacingError('BAD_REQUEST', 'attendance.sign-out-come-after-sign');
  }
  await db.transaction().execute(async (trx) => {
    const person = await trx.selectFrom('persons').select('id').where('id', '=', input.personId).executeTakeFirst();
    if (!person) throw new UserFacingError('NOT_FOUND', 'attendance.no-such-person');
    // A correction mends the record of someone who came (a kiosk failed, a card was forgotten at
    // one sitting); it cannot put on the roster someone no door of the project ever saw.
    const attended = await trx
      .selectFrom('attendance')
      .innerJoin('sessions as attended', 'attended.id', 'attendance.session_id')
      .innerJoin('sessions as corrected', 'corrected.project_id', 'attended.project_id')
      .select('attendance.session_id')
      .where('corrected.id', '=', input.sessionId)
      .where('attendance.person_id', '=', input.personId)
      .executeTakeFirst();
    if (!attended) {
      throw new UserFacingError('BAD_REQUEST', 'attendance.person-no-attendance-any-session');
    }
    const at = input.now.toISOString();
    const before = await recordOf(trx, input).executeTakeFirst();
    const correction = {
      corrected_sign_in_at: input.signInAt,
      corrected_sign_out_at: input.signOutAt,
      correction_reason: input.reason,
      corrected_by: input.userId,
      corrected_at: at,
    };
    if (before) {
      await trx.updateTable('attendance').set(correction).where('session_id', '=', input.sessionId).where('person_id', '=', input.personId).execute();
    } else {
      await trx
        .insertInto('attendance')
        .values({ session_id: input.sessionId, person_id: input.personId, sign_in_at: null, sign_out_at: null, tap_count: 0, updated_at: at, ...correction })
        .execute();
    }
    await recomputeAttendance(trx, [{ sessionId: input.sessionId, personId: input.personId }], at);
    const after = await recordOf(trx, input).executeTakeFirstOrThrow();
    await audit(trx, {
      actor: { userId: input.userId },
      action: 'attendance.correct',
      entity: 'attendance',
      entityId: `${input.sessionId}/${input.personId}`,
      organisationId: input.organisationId,
      before: before ?? null,
      after,
      at: input.now,
    });
  });
}

/**
 * Voids a person's attendance of a session, with the reason (a reviewer confirmed a proxy-tap,
 * 代刷): it counts as absent from now on, whatever the doors recorded, and earns nothing. The taps
 * stay, as facts; the change and the record before it go to the audit log. False when there was
 * no attendance to void, or it was void already.
 */
export async function voidAttendance(
  db: DB,
  input: { sessionId: string; personId: string; reason: string; userId: string; organisationId: string; now: Date },
): Promise<boolean> {
  const at = input.now.toISOString();
  const before = await recordOf(db, input).executeTakeFirst();
  if (!before || before.voided_at !== null) return false;
  await db
    .updateTable('attendance')
    .set({ voided_at: at, void_reason: input.reason, voided_by: input.userId })
    .where('session_id', '=', input.sessionId)
    .where('person_id', '=', input.personId)
    .execute();
  await recomputeAttendance(db, [{ sessionId: input.sessionId, personId: input.personId }], at);
  const after = await recordOf(db, input).executeTakeFirstOrThrow();
  await audit(db, {
    actor: { userId: input.userId },
    action: 'attendance.void',
    entity: 'attendance',
    entityId: `${input.sessionId}/${input.personId}`,
    organisationId: input.organisationId,
    before,
    after: { ...after, reason: input.reason },
    at: input.now,
  });
  return true;
}

/** The course a session teaches, and whether the person still completed another session of it. */
export async function courseStillAttended(db: DB, sessionId: string, personId: string): Promise<{ courseId: string | null; attended: boolean }> {
  const session = await db.selectFrom('sessions').select('course_id').where('id', '=', sessionId).executeTakeFirst();
  if (!session?.course_id) return { courseId: null, attended: false };
  const other = await db
    .selectFrom('attendance')
    .innerJoin('sessions', 'sessions.id', 'attendance.session_id')
    .select('attendance.session_id')
    .where('sessions.course_id', '=', session.course_id)
    .where('attendance.person_id', '=', personId)
    .where('attendance.status', '=', 'complete')
    .executeTakeFirst();
  return { courseId: session.course_id, attended: other !== undefined };
}
