import { type ClockSample, type DeviceClock, type FlagReason, LEGACY_ID_CARD_DIGEST, SEALED_ID, type Tap, type TapStatus } from '@opencme/core';
import type { DB } from '../db/connect.ts';
import type { CredentialTable, DeviceRow, NewTap } from '../db/schema.ts';
import { type IdNumberVault, legacyIdCardDigest, rekeyLegacyDigest } from '../pii.ts';
import { foldIntoAttendance, recomputeAttendance } from './attendance.ts';
import { placeTaps, recordClockSample } from './clocks.ts';
import { enrolledInSessions } from './enrolments.ts';
import { subtreeIds } from './organisations.ts';
import { checkSignatures, relinkChains } from './tap-chains.ts';
import { projectMayBeHeld } from './projects.ts';

/** SQLite allows 32 766 bound values per statement; 24 columns a tap leave room for 1 300 rows. */
const INSERT_CHUNK = 1000;

/**
 * An ID card's tap is looked up and kept only by the blind index of its number, never in clear
 * and never as an unkeyed digest. A kiosk seals the number to the server, which opens it here; a
 * kiosk's outbox of before that holds the unkeyed digest, which is taken for the number of the
 * person the kiosk resolved if it is theirs, and otherwise re-keyed (it names no one the server
 * can tell); a number in clear (kiosks older still), or anything else, is indexed.
 */
async function blindIdCards(db: DB, vault: IdNumberVault, taps: readonly Tap[]): Promise<Tap[]> {
  const claimed = [
    ...new Set(taps.flatMap((t) => (t.credential.kind === 'id-card' && LEGACY_ID_CARD_DIGEST.test(t.credential.value) && t.personId ? [t.personId] : []))),
  ];
  const numberOf = new Map<string, string>();
  for (let i = 0; i < claimed.length; i += 500) {
    const rows = await db
      .selectFrom('persons')
      .select(['id', 'id_number_enc'])
      .where('id', 'in', claimed.slice(i, i + 500))
      .execute();
    for (const r of rows) numberOf.set(r.id, vault.decrypt(r.id_number_enc));
  }
  const blind = (tap: Tap): string => {
    const { value } = tap.credential;
    if (SEALED_ID.test(value)) {
      const number = vault.openSealed(value);
      // A seal this server cannot open names no one, and reveals nothing kept as it came.
      return number === null ? value : vault.index(number);
    }
    if (LEGACY_ID_CARD_DIGEST.test(value)) {
      const number = tap.personId ? numberOf.get(tap.personId) : undefined;
      return number !== undefined && legacyIdCardDigest(number) === value ? vault.index(number) : rekeyLegacyDigest(vault, value);
    }
    return vault.index(value);
  };
  return taps.map((t) => (t.credential.kind === 'id-card' ? { ...t, credential: { kind: 'id-card', value: blind(t) } } : t));
}

/**
 * How far a tap's instant (on the server's clock) may lie from any moment a kiosk could have
 * recorded it. A kiosk may be offline for days or weeks, so the time a tap is received says nothing
 * of its age; what bounds it is the session it was recorded for, and the receipt from above:
 * - no tap is recorded in the future: a day of slack covers any time-zone or date mistake of a
 *   kiosk that sent no clock sample (its wall time is then taken as it is), which is at most 14 h;
 * - a kiosk records for the sessions it pulled, and opens a session a day early at most for a
 *   trial: a tap dated a week before its session opens comes from no real door.
 * Taps dated past their session's end are left alone: a kiosk left on after the event records
 * them, and they fall outside the window, so they count for nothing anyway.
 */
const FUTURE_SLACK_MS = 24 * 3_600_000;
const BEFORE_SESSION_MS = 7 * 24 * 3_600_000;

/**
 * Stores a batch of taps from one device, each exactly once, in one transaction: either every
 * new tap of the batch is stored and attendance is recomputed, or nothing is written.
 * A tap is never refused for what it says; what looks wrong is stored and flagged for review.
 *
 * A tap names a person only when it was recorded on a session assigned to this device, of a
 * project that may be held, by a card of someone that session may admit (see `admits`). Anything
 * else names no one, so it can build no attendance, roster, export or credit: another unit's
 * staff cannot be drawn into a session by tapping their guessed card numbers.
 */
export async function storeTaps(
  db: DB,
  vault: IdNumberVault,
  device: DeviceRow,
  received: readonly Tap[],
  now: Date,
  clock: DeviceClock | null = null,
): Promise<TapStatus[]> {
  // The signatures are checked before the write transaction (the costly part) and on the taps as
  // the kiosk signed them: an ID card's value is blinded below.
  const verdicts = await checkSignatures(db, device.id, received);
  return db.transaction().execute(async (trx) => {
    const receivedAt = now.toISOString();
    // A write first: on SQLite it takes the file's write lock (waiting its turn), so a read below can
    // never be overtaken by another process's write, which would fail this one as SQLITE_BUSY.
    await trx.updateTable('devices').set({ last_seen_at: receivedAt }).where('id', '=', device.id).execute();
    const taps = await blindIdCards(trx, vault, received);
    const sample: ClockSample | null = clock
      ? { bootId: clock.bootId, deviceWallMs: Date.parse(clock.wallTime), deviceMonoMs: clock.monoTime, serverMs: now.getTime() }
      : null;
    if (sample) await recordClockSample(trx, device.id, sample, now);
    const tapIds = [...new Set(taps.map((t) => t.tapId))];
    const stored = new Set((await trx.selectFrom('taps').select('tap_id').where('tap_id', 'in', tapIds).execute()).map((r) => r.tap_id));

    // The reply says only whether each tap is kept: the same for a known card and an unknown one.
    const fresh: Tap[] = [];
    const results: TapStatus[] = [];
    const seen = new Set<string>();
    for (const tap of taps) {
      const duplicate = stored.has(tap.tapId) || seen.has(tap.tapId);
      results.push({ tapId: tap.tapId, status: duplicate ? 'duplicate' : 'stored' });
      if (duplicate) continue;
      seen.add(tap.tapId);
      fresh.push(tap);
    }
    if (fresh.length === 0) return results;

    const lookups = await lookUpFacts(trx, device.id, fresh);
    const placed = await placeTaps(trx, device.id, fresh, sample, now);
    const rows: NewTap[] = [];
    const usedSeqs = new Set(lookups.usedSeqs);
    for (const tap of fresh) {
      const reasons: FlagReason[] = [];
      const at = placed.get(tap.tapId)!.at;
      const session = lookups.sessions.get(tap.sessionId);
      // Only the people this session may admit are looked for: a card held by anyone else is as
      // unknown here as a card nobody holds, and flagged alike, so that not even the session's own
      // reviewer can tell the two apart.
      const found = lookups.credentials.get(credentialKey(tap.credential.kind, tap.credential.value));
      const enrolled = found !== undefined && lookups.enrolled.has(`${tap.sessionId}\u0000${found.personId}`);
      const holder = session && found && admits(lookups.admitting.get(session.organiserId)!, found, enrolled) ? found : undefined;
      if (tap.deviceId !== device.id) reasons.push('device-mismatch');
      if (!session) reasons.push('unknown-session');
      else {
        if (!lookups.assigned.has(tap.sessionId)) reasons.push('session-not-assigned');
        if (!session.held) reasons.push('project-not-held');
      }
      if (!holder) reasons.push('unknown-credential');
      // Lost, replaced and cancelled cards alike are on the deny list.
      else if (holder.status !== 'active') reasons.push('denied-credential');
      // A chained tap's seq is its place in its chain: the chain checks below judge it.
      const verdict = verdicts.get(tap.tapId)!;
      reasons.push(...verdict.flags);
      if (!tap.chain) {
        if (usedSeqs.has(tap.seq)) reasons.push('seq-reused');
        usedSeqs.add(tap.seq);
      }
      if (at.getTime() > now.getTime() + FUTURE_SLACK_MS || (session && at.getTime() < Date.parse(session.startsAt) - BEFORE_SESSION_MS)) {
        reasons.push('implausible-time');
      }
      // A flagged tap of an admitted person on an assigned door (a lost card, a reused sequence
      // number, a wrong clock) still names the person: it is the reviewer's material, shown in the
      // person's attendance as flagged, and counts for nothing until then.
      const heldAtThisDoor = session !== undefined && session.held && lookups.assigned.has(tap.sessionId);
      rows.push({
        tap_id: tap.tapId,
        device_id: device.id,
        claimed_device_id: tap.deviceId,
        seq: tap.seq,
        session_id: tap.sessionId,
        credential_kind: tap.credential.kind,
        credential_value: tap.credential.value,
        person_id: heldAtThisDoor && holder ? holder.personId : null,
        kiosk_person_id: tap.personId,
        wall_time: tap.wallTime,
        mono_time: tap.monoTime,
        boot_id: tap.bootId,
        source: tap.source,
        direction: tap.direction,
        status: reasons.length > 0 ? 'flagged' : 'accepted',
        flag_reasons: reasons.length > 0 ? reasons.join(',') : null,
        received_at: receivedAt,
        at: at.toISOString(),
        clock_jumped: placed.get(tap.tapId)!.jumped ? 1 : 0,
        chain_id: verdict.chainId,
        chain_prev_hash: verdict.prevHash,
        chain_hash: verdict.hash,
        chain_signature: verdict.signature,
        credential_digest: verdict.credentialDigest,
      });
    }
    // A tap another process stored since the look-up above (the kiosk pushed it twice at once, to
    // two servers) is a duplicate, told as such: the key keeps it once, and nothing of it is folded twice.
    const inserted = new Set<string>();
    for (let i = 0; i < rows.length; i += INSERT_CHUNK) {
      const kept = await trx
        .insertInto('taps')
        .values(rows.slice(i, i + INSERT_CHUNK))
        .onConflict((oc) => oc.column('tap_id').doNothing())
        .returning('tap_id')
        .execute();
      for (const r of kept) inserted.add(r.tap_id);
    }
    if (inserted.size < rows.length) {
      for (const r of results) if (r.status === 'stored' && !inserted.has(r.tapId)) r.status = 'duplicate';
      rows.splice(0, rows.length, ...rows.filter((r) => inserted.has(r.tap_id)));
      if (rows.length === 0) return results;
    }

    const relinked = await relinkChains(
      trx,
      device.id,
      rows.flatMap((r) => (r.chain_id ? [{ chainId: r.chain_id, seq: r.seq }] : [])),
    );
    // The new taps fold into their people's attendance; a pair one of whose taps changed status
    // since it was stored (a chain link mended or broken) is recomputed from all its taps.
    const changed = new Map(relinked.map((r) => [`${r.sessionId}\u0000${r.personId}`, r]));
    await recomputeAttendance(trx, [...changed.values()], receivedAt);
    await foldIntoAttendance(
      trx,
      rows.flatMap((r) =>
        r.person_id && !changed.has(`${r.session_id}\u0000${r.person_id}`)
          ? [{ sessionId: r.session_id, personId: r.person_id, at: r.at ?? r.wall_time, status: r.status, clockJumped: r.clock_jumped ?? 0 }]
          : [],
      ),
      receivedAt,
    );
    return results;
  });
}

function credentialKey(kind: string, value: string): string {
  return `${kind}\u0000${value}`;
}

interface Holder {
  personId: string;
  status: CredentialTable['status'];
  institutionId: string;
  departmentId: string | null;
  registrationStatus: 'pending' | 'approved' | 'rejected' | 'external';
}

/**
 * Whether a session may admit the holder of a card: the approved staff of its organiser (the
 * organiser's part of the organisation tree), and whoever is enrolled (报名) in its project: staff
 * of other units, and the external people (院外人员) the organiser recorded for it.
 */
function admits(organiserTree: ReadonlySet<string>, holder: Holder, enrolled: boolean): boolean {
  if (holder.registrationStatus === 'external') return enrolled;
  return (
    holder.registrationStatus === 'approved' &&
    (enrolled || organiserTree.has(holder.institutionId) || (holder.departmentId !== null && organiserTree.has(holder.departmentId)))
  );
}

async function lookUpFacts(db: DB, deviceId: string, taps: readonly Tap[]) {
  const sessionIds = [...new Set(taps.map((t) => t.sessionId))];
  const values = [...new Set(taps.map((t) => t.credential.value))];
  const seqs = [...new Set(taps.map((t) => t.seq))];
  const [sessions, assigned, credentials, usedSeqs] = await Promise.all([
    db
      .selectFrom('sessions')
      .innerJoin('projects', 'projects.id', 'sessions.project_id')
      .select(['sessions.id', 'sessions.starts_at', 'projects.organiser_id', 'projects.status'])
      .where('sessions.id', 'in', sessionIds)
      .execute(),
    db.selectFrom('device_sessions').select('session_id').where('device_id', '=', deviceId).where('session_id', 'in', sessionIds).execute(),
    db
      .selectFrom('credentials')
      .innerJoin('persons', 'persons.id', 'credentials.person_id')
      .select([
        'credentials.kind',
        'credentials.value',
        'credentials.person_id',
        'credentials.status',
        'persons.institution_id',
        'persons.department_id',
        'persons.registration_status',
      ])
      .where('credentials.value', 'in', values)
      .execute(),
    db.selectFrom('taps').select('seq').where('device_id', '=', deviceId).where('chain_id', 'is', null).where('seq', 'in', seqs).execute(),
  ]);
  const organisers = [...new Set(sessions.map((s) => s.organiser_id))];
  const admitting = new Map(await Promise.all(organisers.map(async (id) => [id, new Set(await subtreeIds(db, id))] as const)));
  const enrolled = await enrolledInSessions(
    db,
    sessions.map((s) => s.id),
    [...new Set(credentials.map((c) => c.person_id))],
  );
  return {
    enrolled,
    sessions: new Map(sessions.map((s) => [s.id, { organiserId: s.organiser_id, held: projectMayBeHeld(s.status), startsAt: s.starts_at }])),
    assigned: new Set(assigned.map((s) => s.session_id)),
    credentials: new Map(
      credentials.map((c) => [
        credentialKey(c.kind, c.value),
        {
          personId: c.person_id,
          status: c.status,
          institutionId: c.institution_id,
          departmentId: c.department_id,
          registrationStatus: c.registration_status,
        } satisfies Holder,
      ]),
    ),
    admitting,
    usedSeqs: usedSeqs.map((r) => r.seq),
  };
}

/** Every tap of a session, newest first, with the holder's name where the card is known. */
export async function listSessionTaps(db: DB, sessionId: string) {
  return db
    .selectFrom('taps')
    .leftJoin('persons', 'persons.id', 'taps.person_id')
    .leftJoin('devices', 'devices.id', 'taps.device_id')
    .select([
      'taps.tap_id as tapId',
      'taps.seq',
      'taps.wall_time as wallTime',
      'taps.at',
      'taps.clock_jumped as clockJumped',
      'taps.received_at as receivedAt',
      'taps.direction',
      'taps.source',
      'taps.credential_kind as credentialKind',
      'taps.status',
      'taps.flag_reasons as flagReasons',
      'persons.name as personName',
      'devices.name as deviceName',
    ])
    .where('taps.session_id', '=', sessionId)
    .orderBy('taps.at', 'desc')
    .orderBy('taps.seq', 'desc')
    .execute();
}

/** The most taps of other doors one `sync.sessionTaps` reply carries. */
export const PEER_TAPS_PAGE = 500;

/**
 * The taps other doors recorded in a session the device is assigned to, after `cursor` (in the
 * order the server received them), for the door's own decision: only taps that counted, of people
 * of the device's own unit, and of each only its id and instant. Undefined when the session is
 * not the device's: a kiosk's token reads nothing of any other session.
 */
export async function peerTapsForDevice(
  db: DB,
  device: DeviceRow,
  sessionId: string,
  cursor: string | null,
): Promise<{ taps: { tapId: string; personId: string; at: string }[]; cursor: string | null; hasMore: boolean } | undefined> {
  const assigned = await db
    .selectFrom('device_sessions')
    .select('session_id')
    .where('device_id', '=', device.id)
    .where('session_id', '=', sessionId)
    .executeTakeFirst();
  if (!assigned) return undefined;
  const [receivedAt, tapId] = cursor?.split('|') ?? [];
  let query = db
    .selectFrom('taps')
    .innerJoin('persons', 'persons.id', 'taps.person_id')
    .select(['taps.tap_id', 'taps.person_id', 'taps.at', 'taps.wall_time', 'taps.received_at'])
    .where('taps.session_id', '=', sessionId)
    .where('taps.device_id', '!=', device.id)
    .where('taps.status', '=', 'accepted')
    .where('taps.direction', '!=', 'none')
    .where('persons.institution_id', '=', device.institution_id);
  if (receivedAt !== undefined && tapId !== undefined) {
    query = query.where((eb) =>
      eb.or([eb('taps.received_at', '>', receivedAt), eb.and([eb('taps.received_at', '=', receivedAt), eb('taps.tap_id', '>', tapId)])]),
    );
  }
  const rows = await query
    .orderBy('taps.received_at')
    .orderBy('taps.tap_id')
    .limit(PEER_TAPS_PAGE + 1)
    .execute();
  const page = rows.slice(0, PEER_TAPS_PAGE);
  const last = page.at(-1);
  return {
    taps: page.map((r) => ({ tapId: r.tap_id, personId: r.person_id!, at: new Date(r.at ?? r.wall_time).toISOString() })),
    cursor: last ? `${last.received_at}|${last.tap_id}` : cursor,
    hasMore: rows.length > PEER_TAPS_PAGE,
  };
}
