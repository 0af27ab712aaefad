// Online learning (远程 / 线上): registering a platform, and taking its signed watch events. A
// request is refused whole (nothing stored, its signature not kept) when it is unsigned, signed
// with a wrong key, stale, replayed, or names a session its platform may not send for; inside an
// accepted request each event is answered on its own: stored, a duplicate, an unknown person, or
// invalid.
import { randomBytes } from 'node:crypto';
import { newId, projectMayBeHeld } from '@opencme/core';
import { z } from 'zod';
import type { DB } from '../db/connect.ts';
import { UserFacingError } from '../errors.ts';
import { CLOCK_SKEW_MS, signatureMatches, signRequest } from '../online-signature.ts';
import type { IdNumberVault } from '../pii.ts';
import { audit } from '../repositories/audit.ts';
import {
  admittedPersons,
  findPlatform,
  insertPlatform,
  insertWatchEvents,
  knownEventIds,
  listPlatforms,
  mayServeOrganiser,
  recomputeOnlineAttendance,
  rememberSignature,
  revokePlatform,
  sessionsForWatch,
  type WatchEventRow,
} from '../repositories/online.ts';

/** What the secret is bound to when encrypted: it opens as nothing else. */
const SECRET_PURPOSE = 'online-platform-secret';

/** Registers a platform for the caller's organisation; its secret is shown this once and never again. */
export async function registerPlatform(db: DB, vault: IdNumberVault, input: { name: string; userId: string; organisationId: string; now: Date }) {
  const id = newId();
  const secret = randomBytes(32).toString('base64url');
  await db.transaction().execute(async (trx) => {
    await insertPlatform(trx, {
      id,
      organisationId: input.organisationId,
      name: input.name,
      secretEnc: vault.encryptSecret(Buffer.from(secret, 'utf8'), SECRET_PURPOSE),
      userId: input.userId,
      now: input.now,
    });
    await audit(trx, {
      actor: { userId: input.userId },
      action: 'online.register-platform',
      entity: 'online_platform',
      entityId: id,
      organisationId: input.organisationId,
      after: { name: input.name },
      at: input.now,
    });
  });
  return { id, name: input.name, secret };
}

export const platformsOf = (db: DB, organisationId: string) => listPlatforms(db, organisationId);

export async function retirePlatform(db: DB, input: { platformId: string; userId: string; now: Date }): Promise<void> {
  const platform = await findPlatform(db, input.platformId);
  if (!platform) throw new UserFacingError('NOT_FOUND', 'online.no-such-platform');
  if (!(await revokePlatform(db, input.platformId, input.userId, input.now))) throw new UserFacingError('BAD_REQUEST', 'online.platform-already-revoked');
  await audit(db, {
    actor: { userId: input.userId },
    action: 'online.revoke-platform',
    entity: 'online_platform',
    entityId: input.platformId,
    organisationId: platform.organisation_id,
    before: { name: platform.name },
    at: input.now,
  });
}

/** A refusal of a whole request, with its HTTP status and the message key the reply carries. */
export class OnlineRefusal extends Error {
  readonly status: number;
  readonly key: string;
  constructor(status: number, key: string) {
    super(key);
    this.status = status;
    this.key = key;
  }
}

const refuse = (status: number, key: string) => new OnlineRefusal(status, key);

const PersonRef = z.union([
  z.object({ idNumber: z.string().trim().min(1).max(32) }).strict(),
  z.object({ cardNumber: z.string().trim().min(1).max(64) }).strict(),
]);
const WatchEvent = z
  .object({
    eventId: z.string().min(1).max(128),
    sessionId: z.string().min(1).max(64),
    person: PersonRef,
    start: z.iso.datetime({ offset: true }),
    end: z.iso.datetime({ offset: true }).optional(),
    seconds: z.number().int().positive().max(86_400).optional(),
  })
  .strict();
export const WatchBatch = z.object({ events: z.array(WatchEvent).min(1).max(1000) }).strict();
export type WatchEventInput = z.infer<typeof WatchEvent>;

export type EventStatus = 'stored' | 'duplicate' | 'unknown-person' | 'invalid';

/** A span no longer than a day, ending after it starts. */
function spanOf(e: WatchEventInput): { startsAt: string; endsAt: string } | null {
  const start = Date.parse(e.start);
  const end = e.end !== undefined ? Date.parse(e.end) : e.seconds !== undefined ? start + e.seconds * 1000 : NaN;
  if (!Number.isFinite(end) || end <= start || end - start > 86_400_000) return null;
  return { startsAt: new Date(start).toISOString(), endsAt: new Date(end).toISOString() };
}

/**
 * A signed request of a platform (POST /api/online/v1/watch-events): checked, then its events
 * stored each once per (platform, event id) and the attendance of everyone they name recomputed.
 */
export async function receiveWatchEvents(
  db: DB,
  vault: IdNumberVault,
  request: {
    method: string;
    path: string;
    platformId?: string | undefined;
    timestamp?: string | undefined;
    signature?: string | undefined;
    body: Buffer;
    now: Date;
  },
) {
  const { platformId, timestamp, signature, now } = request;
  if (!platformId || !timestamp || !signature) throw refuse(401, 'online.unsigned');
  const platform = await findPlatform(db, platformId);
  if (!platform) throw refuse(401, 'online.unknown-platform');
  if (platform.revoked_at) throw refuse(401, 'online.platform-revoked');
  if (!/^\d{1,12}$/.test(timestamp) || Math.abs(now.getTime() - Number(timestamp) * 1000) > CLOCK_SKEW_MS) throw refuse(401, 'online.stale-timestamp');
  const secret = vault.decryptSecret(platform.secret_enc, SECRET_PURPOSE).toString('utf8');
  const expected = signRequest(secret, { method: request.method, path: request.path, timestamp, body: request.body });
  if (!signatureMatches(expected, signature)) throw refuse(401, 'online.bad-signature');

  let parsed: z.infer<typeof WatchBatch>;
  try {
    parsed = WatchBatch.parse(JSON.parse(request.body.toString('utf8')));
  } catch {
    throw refuse(400, 'online.bad-batch');
  }
  const events = parsed.events;

  return db.transaction().execute(async (trx) => {
    if (!(await rememberSignature(trx, platform.id, signature, now, CLOCK_SKEW_MS))) throw refuse(409, 'online.replayed');
    const sessions = await sessionsForWatch(trx, [...new Set(events.map((e) => e.sessionId))]);
    for (const sessionId of new Set(events.map((e) => e.sessionId))) {
      const session = sessions.get(sessionId);
      // An unknown session is refused like another organiser's: the reply tells no one which exist.
      if (!session || !(await mayServeOrganiser(trx, platform.organisation_id, session.organiserId))) throw refuse(403, 'online.session-not-yours');
      if (session.mode !== 'online') throw refuse(422, 'online.session-not-online');
      if (!projectMayBeHeld(session.status)) throw refuse(409, 'online.project-not-held');
    }
    const known = await knownEventIds(
      trx,
      platform.id,
      events.map((e) => e.eventId),
    );
    const lookups = new Map<string, Awaited<ReturnType<typeof admittedPersons>>>();
    for (const [sessionId, session] of sessions) {
      lookups.set(
        sessionId,
        await admittedPersons(
          trx,
          vault,
          sessionId,
          session.organiserId,
          events.filter((e) => e.sessionId === sessionId).map((e) => e.person),
        ),
      );
    }
    const fresh: WatchEventRow[] = [];
    const seen = new Set<string>();
    const results = events.map((e): { eventId: string; status: EventStatus } => {
      if (known.has(e.eventId) || seen.has(e.eventId)) return { eventId: e.eventId, status: 'duplicate' };
      const span = spanOf(e);
      if (!span) return { eventId: e.eventId, status: 'invalid' };
      const personId = lookups.get(e.sessionId)!(e.person);
      if (!personId) return { eventId: e.eventId, status: 'unknown-person' };
      seen.add(e.eventId);
      fresh.push({ source: platform.id, eventId: e.eventId, sessionId: e.sessionId, personId, ...span });
      return { eventId: e.eventId, status: 'stored' };
    });
    await insertWatchEvents(trx, fresh, now);
    await recomputeOnlineAttendance(trx, fresh, now);
    const count = (status: EventStatus) => results.filter((r) => r.status === status).length;
    return { stored: count('stored'), duplicates: count('duplicate'), unknownPersons: count('unknown-person'), invalid: count('invalid'), results };
  });
}
