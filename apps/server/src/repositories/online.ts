// Online learning (远程 / 线上): the platforms a unit registered, the watch spans they reported, and
// the attendance those spans add up to by core's online-hours rule. The attendance lands in the
// same table as the doors' (so the session page, the roster and the credit submission read it the
// same way); a reviewer's void still wins.
import { evaluateOnlineSession, type WatchInterval } from '@opencme/core';
import type { DB } from '../db/connect.ts';
import type { IdNumberVault } from '../pii.ts';
import { enrolledInSessions } from './enrolments.ts';
import { subtreeIds, withinScope } from './organisations.ts';

export { recomputeOnlineAttendance } from './online-attendance.ts';

export async function insertPlatform(db: DB, p: { id: string; organisationId: string; name: string; secretEnc: string; userId: string; now: Date }) {
  await db
    .insertInto('online_platforms')
    .values({
      id: p.id,
      organisation_id: p.organisationId,
      name: p.name,
      secret_enc: p.secretEnc,
      created_by: p.userId,
      created_at: p.now.toISOString(),
      revoked_at: null,
      revoked_by: null,
    })
    .execute();
}

/** The platforms registered by the organisation, newest first (never their keys). */
export function listPlatforms(db: DB, organisationId: string) {
  return db
    .selectFrom('online_platforms')
    .select(['id', 'name', 'created_at as createdAt', 'revoked_at as revokedAt'])
    .where('organisation_id', '=', organisationId)
    .orderBy('created_at', 'desc')
    .orderBy('id')
    .execute();
}

export function findPlatform(db: DB, id: string) {
  return db.selectFrom('online_platforms').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function revokePlatform(db: DB, id: string, userId: string, now: Date): Promise<boolean> {
  const result = await db
    .updateTable('online_platforms')
    .set({ revoked_at: now.toISOString(), revoked_by: userId })
    .where('id', '=', id)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

/**
 * Keeps a request's signature for the skew window; false when it was seen already (a replay).
 * Signatures older than the window are dropped first: a request that old is refused by its
 * timestamp anyway.
 */
export async function rememberSignature(db: DB, platformId: string, signature: string, now: Date, windowMs: number): Promise<boolean> {
  await db
    .deleteFrom('online_request_signatures')
    .where('seen_at', '<', new Date(now.getTime() - 2 * windowMs).toISOString())
    .execute();
  const result = await db
    .insertInto('online_request_signatures')
    .values({ platform_id: platformId, signature, seen_at: now.toISOString() })
    .onConflict((oc) => oc.columns(['platform_id', 'signature']).doNothing())
    .executeTakeFirst();
  return Number(result.numInsertedOrUpdatedRows ?? 0) > 0;
}

/** The sessions named, with their project's organiser and mode. */
export async function sessionsForWatch(db: DB, sessionIds: readonly string[]) {
  const rows = await db
    .selectFrom('sessions')
    .innerJoin('projects', 'projects.id', 'sessions.project_id')
    .select(['sessions.id', 'projects.organiser_id', 'projects.mode', 'projects.status'])
    .where('sessions.id', 'in', sessionIds.length ? sessionIds : [''])
    .execute();
  return new Map(rows.map((r) => [r.id, { organiserId: r.organiser_id, mode: r.mode, status: r.status }]));
}

/** Whether an organisation (a platform's owner) may send for a project organised by `organiserId`. */
export const mayServeOrganiser = (db: DB, ownerId: string, organiserId: string) => withinScope(db, ownerId, organiserId);

/** How an event or a row names a person: an ID number (身份证号) or a CME card number (继教卡号). */
export type PersonRef = { idNumber: string } | { cardNumber: string };

/**
 * The people the references name whom the session may admit: the approved staff of its
 * organiser's part of the tree, and whoever is enrolled (报名) in its project. Anyone else is as
 * unknown as a number nobody holds, so a platform learns nothing of other units' staff.
 * Answers a function from a reference to the person, or null.
 */
export async function admittedPersons(db: DB, vault: IdNumberVault, sessionId: string, organiserId: string, refs: readonly PersonRef[]) {
  const indexes = [...new Set(refs.flatMap((r) => ('idNumber' in r ? [vault.index(r.idNumber)] : [])))];
  const cards = [...new Set(refs.flatMap((r) => ('cardNumber' in r ? [r.cardNumber.trim()] : [])))];
  const columns = ['persons.id', 'persons.institution_id', 'persons.department_id', 'persons.registration_status'] as const;
  const [byIndex, byCmeNumber, byCardCredential] = await Promise.all([
    indexes.length
      ? db
          .selectFrom('persons')
          .select([...columns, 'id_number_index'])
          .where('id_number_index', 'in', indexes)
          .execute()
      : [],
    cards.length
      ? db
          .selectFrom('persons')
          .select([...columns, 'cme_number'])
          .where('cme_number', 'in', cards)
          .execute()
      : [],
    cards.length
      ? db
          .selectFrom('credentials')
          .innerJoin('persons', 'persons.id', 'credentials.person_id')
          .select([...columns, 'credentials.value'])
          .where('credentials.kind', '=', 'card-number')
          .where('credentials.status', '=', 'active')
          .where('credentials.value', 'in', cards)
          .execute()
      : [],
  ]);
  const candidates = [...byIndex, ...byCmeNumber, ...byCardCredential];
  const organiserTree = new Set(await subtreeIds(db, organiserId));
  const enrolled = await enrolledInSessions(db, [sessionId], [...new Set(candidates.map((c) => c.id))]);
  const admits = (p: (typeof candidates)[number]) => {
    const isEnrolled = enrolled.has(`${sessionId}\u0000${p.id}`);
    if (p.registration_status === 'external') return isEnrolled;
    return (
      p.registration_status === 'approved' &&
      (isEnrolled || organiserTree.has(p.institution_id) || (p.department_id !== null && organiserTree.has(p.department_id)))
    );
  };
  const found = new Map<string, string>();
  for (const p of byIndex) if (admits(p)) found.set(`index\u0000${p.id_number_index}`, p.id);
  for (const p of byCmeNumber) if (admits(p) && p.cme_number) found.set(`card\u0000${p.cme_number}`, p.id);
  for (const p of byCardCredential) if (admits(p)) found.set(`card\u0000${p.value}`, p.id);
  return (ref: PersonRef): string | null =>
    'idNumber' in ref ? (found.get(`index\u0000${vault.index(ref.idNumber)}`) ?? null) : (found.get(`card\u0000${ref.cardNumber.trim()}`) ?? null);
}

export interface WatchEventRow {
  source: string;
  eventId: string;
  sessionId: string;
  personId: string;
  startsAt: string;
  endsAt: string;
}

/** Which of the events a source already sent (by event id). */
export async function knownEventIds(db: DB, source: string, eventIds: readonly string[]): Promise<Set<string>> {
  const known = new Set<string>();
  for (let i = 0; i < eventIds.length; i += 500) {
    const rows = await db
      .selectFrom('online_watch_events')
      .select('event_id')
      .where('source', '=', source)
      .where('event_id', 'in', eventIds.slice(i, i + 500))
      .execute();
    for (const r of rows) known.add(r.event_id);
  }
  return known;
}

/** Stores new events; one already stored (the same source and event id) is left as it is. */
export async function insertWatchEvents(db: DB, events: readonly WatchEventRow[], now: Date): Promise<void> {
  for (let i = 0; i < events.length; i += 500) {
    await db
      .insertInto('online_watch_events')
      .values(
        events.slice(i, i + 500).map((e) => ({
          source: e.source,
          event_id: e.eventId,
          session_id: e.sessionId,
          person_id: e.personId,
          starts_at: e.startsAt,
          ends_at: e.endsAt,
          received_at: now.toISOString(),
        })),
      )
      .onConflict((oc) => oc.columns(['source', 'event_id']).doNothing())
      .execute();
  }
}

/** Deletes a source's events (an import undone); answers whose attendance to recompute. */
export async function deleteWatchEvents(db: DB, source: string, eventIds: readonly string[]): Promise<{ sessionId: string; personId: string }[]> {
  const pairs: { sessionId: string; personId: string }[] = [];
  for (let i = 0; i < eventIds.length; i += 500) {
    const chunk = eventIds.slice(i, i + 500);
    pairs.push(
      ...(await db
        .selectFrom('online_watch_events')
        .select(['session_id as sessionId', 'person_id as personId'])
        .where('source', '=', source)
        .where('event_id', 'in', chunk)
        .execute()),
    );
    await db.deleteFrom('online_watch_events').where('source', '=', source).where('event_id', 'in', chunk).execute();
  }
  return pairs;
}

/** The sessions of a project with their windows, for rows that name a day rather than a session. */
export function sessionsOfProject(db: DB, projectId: string) {
  return db
    .selectFrom('sessions')
    .innerJoin('projects', 'projects.id', 'sessions.project_id')
    .select(['sessions.id', 'sessions.starts_at as startsAt', 'sessions.ends_at as endsAt', 'projects.organiser_id as organiserId', 'projects.mode'])
    .where('sessions.project_id', '=', projectId)
    .orderBy('sessions.starts_at')
    .orderBy('sessions.id')
    .execute();
}

/** An online session's watch time per person and China day, for the organiser's page. */
export async function onlineWatchOfSession(db: DB, sessionId: string) {
  const [session, events] = await Promise.all([
    db
      .selectFrom('sessions')
      .innerJoin('projects', 'projects.id', 'sessions.project_id')
      .select(['sessions.starts_at', 'sessions.ends_at', 'projects.mode'])
      .where('sessions.id', '=', sessionId)
      .executeTakeFirst(),
    db.selectFrom('online_watch_events').select(['person_id', 'starts_at', 'ends_at']).where('session_id', '=', sessionId).execute(),
  ]);
  if (!session || session.mode !== 'online') return null;
  const window = { startsAt: session.starts_at, endsAt: session.ends_at };
  const byPerson = new Map<string, WatchInterval[]>();
  for (const e of events) byPerson.set(e.person_id, [...(byPerson.get(e.person_id) ?? []), { start: e.starts_at, end: e.ends_at }]);
  const empty = evaluateOnlineSession({ intervals: [], window });
  return {
    sessionDays: empty.sessionDays,
    requiredMinutes: empty.requiredMinutes,
    people: [...byPerson].map(([personId, intervals]) => {
      const r = evaluateOnlineSession({ intervals, window });
      return { personId, perDay: r.perDay.map((d) => ({ date: d.date, minutes: Math.floor(d.seconds / 60) })), watchedMinutes: r.watchedMinutes };
    }),
  };
}
