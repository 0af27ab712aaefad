// The attendance of online sessions (线上): from the watch spans every source reported, by core's
// online-hours rule, into the same table as the doors' attendance. Kept apart from online.ts so the
// door's recompute (attendance.ts) can hand online sessions here without an import circle.
import { evaluateOnlineSession, type WatchInterval } from '@opencme/core';
import type { DB } from '../db/connect.ts';

/**
 * Recomputes the online attendance of each (session, person) pair from every span any source
 * reported: merged, per China day, against core's online-hours rule. A voided attendance stays
 * void (absent), whatever is watched after.
 */
export async function recomputeOnlineAttendance(db: DB, pairs: readonly { sessionId: string; personId: string }[], now: Date): Promise<void> {
  const unique = [...new Map(pairs.map((p) => [`${p.sessionId}\u0000${p.personId}`, p])).values()];
  if (unique.length === 0) return;
  const sessionIds = [...new Set(unique.map((p) => p.sessionId))];
  const personIds = [...new Set(unique.map((p) => p.personId))];
  const [sessions, events, existing] = await Promise.all([
    db.selectFrom('sessions').select(['id', 'starts_at', 'ends_at']).where('id', 'in', sessionIds).execute(),
    db
      .selectFrom('online_watch_events')
      .select(['session_id', 'person_id', 'starts_at', 'ends_at'])
      .where('session_id', 'in', sessionIds)
      .where('person_id', 'in', personIds)
      .execute(),
    db
      .selectFrom('attendance')
      .select(['session_id', 'person_id', 'voided_at'])
      .where('session_id', 'in', sessionIds)
      .where('person_id', 'in', personIds)
      .execute(),
  ]);
  const windows = new Map(sessions.map((s) => [s.id, { startsAt: s.starts_at, endsAt: s.ends_at }]));
  const voided = new Set(existing.filter((e) => e.voided_at !== null).map((e) => `${e.session_id}\u0000${e.person_id}`));
  const spans = new Map<string, WatchInterval[]>();
  for (const e of events) {
    const key = `${e.session_id}\u0000${e.person_id}`;
    spans.set(key, [...(spans.get(key) ?? []), { start: e.starts_at, end: e.ends_at }]);
  }
  const rows = unique.flatMap(({ sessionId, personId }) => {
    const window = windows.get(sessionId);
    if (!window) return [];
    const key = `${sessionId}\u0000${personId}`;
    const intervals = spans.get(key) ?? [];
    const result = evaluateOnlineSession({ intervals, window });
    const starts = intervals.map((i) => i.start).sort();
    const ends = intervals.map((i) => i.end).sort();
    const status: 'complete' | 'incomplete' | 'absent' = voided.has(key) || intervals.length === 0 ? 'absent' : result.earnsCredit ? 'complete' : 'incomplete';
    return [
      {
        session_id: sessionId,
        person_id: personId,
        sign_in_at: starts[0] ?? null,
        sign_out_at: ends.at(-1) ?? null,
        tap_count: intervals.length,
        updated_at: now.toISOString(),
        status,
        presence_minutes: result.watchedMinutes,
        shortfalls: status === 'incomplete' ? 'too-short' : '',
        flagged: 0,
      },
    ];
  });
  if (rows.length === 0) return;
  await db
    .insertInto('attendance')
    .values(rows)
    .onConflict((oc) =>
      oc.columns(['session_id', 'person_id']).doUpdateSet((eb) => ({
        sign_in_at: eb.ref('excluded.sign_in_at'),
        sign_out_at: eb.ref('excluded.sign_out_at'),
        tap_count: eb.ref('excluded.tap_count'),
        updated_at: eb.ref('excluded.updated_at'),
        status: eb.ref('excluded.status'),
        presence_minutes: eb.ref('excluded.presence_minutes'),
        shortfalls: eb.ref('excluded.shortfalls'),
      })),
    )
    .execute();
}
