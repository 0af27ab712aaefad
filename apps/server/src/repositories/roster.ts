import type { KeyObject } from 'node:crypto';
import { cardRosterKey, type KioskSession, type RosterPerson } from '@opencme/core';
import { sql } from 'kysely';
import type { DB } from '../db/connect.ts';
import type { DeviceRow } from '../db/schema.ts';
import { jpegDataUrl } from '../photos.ts';
import { idCardRosterKey, type IdNumberVault } from '../pii.ts';
import { rulesForSessions } from './settings.ts';

/** People per pull with inline photos: a first pull of a large hospital arrives in several pages. */
export const ROSTER_PAGE = 1000;
/** People per pull with photos by hash: a person is then ~200 bytes, and each page costs a round trip and a transaction. */
export const ROSTER_PAGE_BY_HASH = 5000;

export type RosterPhotos = 'inline' | 'hash';

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
export async function rosterSince(db: DB, vault: IdNumberVault, device: DeviceRow, deviceKey: KeyObject, cursor: number, photos: RosterPhotos = 'inline') {
  const pageSize = photos === 'hash' ? ROSTER_PAGE_BY_HASH : ROSTER_PAGE;
  const columns = [
    'persons.id',
    'persons.name',
    'persons.cme_number',
    'persons.id_number_enc',
    'dept.name as department',
    'persons.photo_hash',
    'persons.institution_id',
    'persons.left_on',
  ] as const;
  // Its own staff, and those who were (transferred away since): the kiosk must drop them. Two
  // queries rather than one with OR: each walks an index in version order, so a delta pull at
  // 200 000 reads the few rows it sends and not the whole unit.
  const ownQuery = () =>
    db
      .selectFrom('persons')
      .leftJoin('organisations as dept', 'dept.id', 'persons.department_id')
      .$if(photos === 'inline', (q) => q.leftJoin('photos', 'photos.hash', 'persons.photo_hash').select('photos.thumb_jpeg'))
      .select([...columns, 'persons.version'])
      // A registration still under review is not yet anyone a kiosk should know.
      .where('persons.registration_status', '=', 'approved')
      .where('persons.version', '>', cursor)
      .orderBy('persons.version')
      .limit(pageSize);
  const staff = await ownQuery().where('persons.institution_id', '=', device.institution_id).execute();
  const former = await ownQuery()
    .where('persons.institution_id', '!=', device.institution_id)
    .where('persons.id', 'in', (eb) =>
      eb.selectFrom('person_placements').select('person_placements.person_id').where('person_placements.institution_id', '=', device.institution_id),
    )
    .execute();
  const own = [...staff, ...former];
  const later = sql<number>`case when persons.version > enrolments.version then persons.version else enrolments.version end`;
  const enrolled = await db
    .selectFrom('enrolments')
    .innerJoin('persons', 'persons.id', 'enrolments.person_id')
    .leftJoin('organisations as dept', 'dept.id', 'persons.department_id')
    .$if(photos === 'inline', (q) => q.leftJoin('photos', 'photos.hash', 'persons.photo_hash').select('photos.thumb_jpeg'))
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
    .limit(pageSize)
    .execute();
  // The lists are each in version order; the page is the first `pageSize` of them merged, each person once.
  const merged = [...own, ...enrolled].sort((a, b) => a.version - b.version).slice(0, pageSize);
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
    ...(photos === 'hash' ? { photo: null, photoHash: p.photo_hash } : { photo: jpegDataUrl(p.thumb_jpeg ?? null) }),
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
    hasMore: staff.length === pageSize || former.length === pageSize || enrolled.length === pageSize || merged.length < own.length + enrolled.length,
  };
}

/**
 * The thumbnails of these content hashes that this kiosk may show: those of a person on its roster
 * (its unit's staff still there, or someone enrolled in a project of its sessions). A hash that
 * names nobody of its roster brings nothing, as if no such photo existed: a kiosk of another unit,
 * having learnt a hash, cannot fetch the face behind it.
 */
export async function rosterThumbnails(db: DB, device: DeviceRow, hashes: readonly string[]): Promise<{ hash: string; thumb: Uint8Array }[]> {
  if (hashes.length === 0) return [];
  const rows = await db
    .selectFrom('photos')
    .select(['photos.hash', 'photos.thumb_jpeg'])
    .where('photos.hash', 'in', [...hashes])
    .where((outer) =>
      outer.exists(
        outer
          .selectFrom('persons')
          .select('persons.id')
          .whereRef('persons.photo_hash', '=', 'photos.hash')
          .where('persons.registration_status', '=', 'approved')
          .where('persons.left_on', 'is', null)
          .where((eb) =>
            eb.or([
              eb('persons.institution_id', '=', device.institution_id),
              eb(
                'persons.id',
                'in',
                eb
                  .selectFrom('enrolments')
                  .select('enrolments.person_id')
                  .where('enrolments.project_id', 'in', (sub) =>
                    sub
                      .selectFrom('sessions')
                      .innerJoin('device_sessions', 'device_sessions.session_id', 'sessions.id')
                      .select('sessions.project_id')
                      .where('device_sessions.device_id', '=', device.id),
                  ),
              ),
            ]),
          ),
      ),
    )
    .execute();
  return rows.map((r) => ({ hash: r.hash, thumb: r.thumb_jpeg }));
}
