import type { KeyObject } from 'node:crypto';
import { cardRosterKey, type KioskSession, type RosterPerson } from '@opencme/core';
import { sql } from 'kysely';
import type { DB } from '../db/connect.ts';
import type { DeviceRow } from '../db/schema.ts';
import { jpegDataUrl } from '../photos.ts';
import { idCardRosterKey, type IdNumberVault } from '../pii.ts';
import { rulesForSessions } from './settings.ts';

/** People per pull: a first pull of a large hospital arrives in several pages. */
export const ROSTER_PAGE = 1000;

export async function sessionsForDevice(db: DB, deviceId: string): Promise<KioskSession[]> {
  const rows = await db
    .selectFrom('device_sessions')
    .innerJoin('sessions', 'sessions.id', 'device_sessions.session_id')
    .innerJoin('projects', 'projects.id', 'sessions.project_id')
    .select([
      'sessions.id',
      'sessions.project_id as projectId',
      'projects.name as projectName',
      'sessions.title',
      'sessions.venue',
      'sessions.starts_at as startsAt',
      'sessions.ends_at as endsAt',
    ])
    .where('device_sessions.device_id', '=', deviceId)
    .orderBy('sessions.starts_at')
    .execute();
  // The door decides taps by the same rules as the server: the session's province's.
  const rules = await rulesForSessions(
    db,
    rows.map((r) => r.id),
  );
  return rows.map((r) => ({ ...r, rules: rules.get(r.id)! }));
}

/**
 * The people of the device's unit, and the people enrolled (报名) from other units in the projects
 * of the sessions it is assigned to, changed since `cursor` (a roster version), oldest change
 * first. An enrolled person's version is the later of her record's and her enrolment's (which an
 * assignment of the kiosk renews), so a kiosk learns of her whichever came last.
 * An ID card goes to the kiosk only as the HMAC of its number under the kiosk's own roster key,
 * computed here from the decrypted number: the database keeps no digest a thief could test.
 */
export async function rosterSince(db: DB, vault: IdNumberVault, device: DeviceRow, deviceKey: KeyObject, cursor: number) {
  const columns = [
    'persons.id',
    'persons.name',
    'persons.cme_number',
    'persons.id_number_enc',
    'dept.name as department',
    'photos.thumb_jpeg',
    'persons.institution_id',
    'persons.left_on',
  ] as const;
  const own = await db
    .selectFrom('persons')
    .leftJoin('photos', 'photos.hash', 'persons.photo_hash')
    .leftJoin('organisations as dept', 'dept.id', 'persons.department_id')
    .select([...columns, 'persons.version'])
    // Its own staff, and those who were (transferred away since): the kiosk must drop them.
    .where((eb) =>
      eb.or([
        eb('persons.institution_id', '=', device.institution_id),
        eb(
          'persons.id',
          'in',
          eb.selectFrom('person_placements').select('person_placements.person_id').where('person_placements.institution_id', '=', device.institution_id),
        ),
      ]),
    )
    // A registration still under review is not yet anyone a kiosk should know.
    .where('persons.registration_status', '=', 'approved')
    .where('persons.version', '>', cursor)
    .orderBy('persons.version')
    .limit(ROSTER_PAGE)
    .execute();
  const later = sql<number>`case when persons.version > enrolments.version then persons.version else enrolments.version end`;
  const enrolled = await db
    .selectFrom('enrolments')
    .innerJoin('persons', 'persons.id', 'enrolments.person_id')
    .leftJoin('photos', 'photos.hash', 'persons.photo_hash')
    .leftJoin('organisations as dept', 'dept.id', 'persons.department_id')
    .select([...columns, later.as('version')])
    .where('enrolments.project_id', 'in', (eb) =>
      eb
        .selectFrom('sessions')
        .innerJoin('device_sessions', 'device_sessions.session_id', 'sessions.id')
        .select('sessions.project_id')
        .where('device_sessions.device_id', '=', device.id),
    )
    .where('persons.registration_status', '=', 'approved')
    .where('persons.institution_id', '!=', device.institution_id)
    .where(later, '>', cursor)
    .orderBy(later)
    .limit(ROSTER_PAGE)
    .execute();
  // Both lists are in version order; the page is the first ROSTER_PAGE of the two merged, each person once.
  const merged = [...own, ...enrolled].sort((a, b) => a.version - b.version).slice(0, ROSTER_PAGE);
  const persons = [...new Map(merged.map((p) => [p.id, p])).values()];
  // Someone who left (she cannot leave on a day still to come) or works elsewhere now, and is not
  // enrolled in one of this kiosk's projects, is removed.
  const enrolledIds = new Set(enrolled.map((p) => p.id));
  const onRoster = (p: (typeof persons)[number]) => p.left_on === null && (p.institution_id === device.institution_id || enrolledIds.has(p.id));
  const removed = persons.filter((p) => !onRoster(p)).map((p) => p.id);
  const kept = persons.filter(onRoster);
  const credentials =
    kept.length === 0
      ? []
      : await db
          .selectFrom('credentials')
          .select(['person_id', 'kind', 'value', 'status'])
          .where(
            'person_id',
            'in',
            kept.map((p) => p.id),
          )
          .execute();
  const byPerson = Map.groupBy(credentials, (c) => c.person_id);
  const people: RosterPerson[] = kept.map((p) => ({
    id: p.id,
    name: p.name,
    cmeNumber: p.cme_number,
    department: p.department,
    photo: jpegDataUrl(p.thumb_jpeg),
    credentials: (byPerson.get(p.id) ?? []).map((c) => ({
      // A person's ID-card credential is their own number (its value is only the blind index).
      key: c.kind === 'id-card' ? idCardRosterKey(deviceKey, vault.decrypt(p.id_number_enc)) : cardRosterKey({ kind: c.kind, value: c.value }),
      kind: c.kind,
      // Replaced and cancelled cards go on the deny list, which kiosks know as lost.
      status: c.status === 'active' ? 'active' : 'lost',
    })),
  }));
  const last = merged.at(-1);
  return {
    people,
    removed,
    cursor: last ? last.version : cursor,
    hasMore: own.length === ROSTER_PAGE || enrolled.length === ROSTER_PAGE || merged.length < own.length + enrolled.length,
  };
}
