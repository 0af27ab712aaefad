import { createSecretKey, type KeyObject, randomBytes } from 'node:crypto';
import { newId } from '@opencme/core';
import type { DB } from '../db/connect.ts';
import type { DeviceRow } from '../db/schema.ts';
import type { IdNumberVault } from '../pii.ts';
import { touchEnrolmentsOfSession } from './enrolments.ts';
import { newPairingCode, newToken, normalizePairingCode, sha256 } from '../secrets.ts';

/** What a kiosk's roster key is encrypted for (the AES-GCM associated data): no other secret opens as one. */
const ROSTER_KEY_PURPOSE = 'device-roster-key';

/**
 * No roster key: a new pairing code drops the old key, so that the tablet it was given to (lost,
 * replaced) gets no digest under it again, and the next kiosk's digests are under a key the old
 * tablet never held; the newly paired kiosk's first pull makes that key.
 */
const NO_ROSTER_KEY = { roster_key_enc: null, roster_key_id: null, roster_key_acked_at: null } as const;

/** How long a pairing code works: long enough to walk to the lecture hall, short enough to expire unused. */
const PAIRING_HOURS = 24;

export async function createDevice(db: DB, input: { name: string; institutionId: string; now: Date }) {
  const id = newId();
  await db.insertInto('devices').values({ id, name: input.name, institution_id: input.institutionId, created_at: input.now.toISOString() }).execute();
  const pairingCode = await issuePairingCode(db, id, input.now);
  return { id, pairingCode };
}

/** A new one-time code for a device; any earlier code and token of the device stop working. */
export async function issuePairingCode(db: DB, deviceId: string, now: Date): Promise<string> {
  const code = newPairingCode();
  await db
    .updateTable('devices')
    .set({
      pairing_code_hash: sha256(code),
      pairing_expires_at: new Date(now.getTime() + PAIRING_HOURS * 3_600_000).toISOString(),
      token_hash: null,
      paired_at: null,
      ...NO_ROSTER_KEY,
    })
    .where('id', '=', deviceId)
    .execute();
  return code;
}

/** Exchanges a pairing code, once, for the device's token. */
export async function claimPairingCode(db: DB, typedCode: string, now: Date) {
  const codeHash = sha256(normalizePairingCode(typedCode));
  const token = newToken();
  const device = await db
    .updateTable('devices')
    .set({ token_hash: sha256(token), pairing_code_hash: null, pairing_expires_at: null, paired_at: now.toISOString() })
    .where('pairing_code_hash', '=', codeHash)
    .where('pairing_expires_at', '>', now.toISOString())
    .where('revoked_at', 'is', null)
    .returning(['id', 'name'])
    .executeTakeFirst();
  return device ? { deviceId: device.id, name: device.name, token } : null;
}

export async function findDeviceByToken(db: DB, token: string) {
  return db.selectFrom('devices').selectAll().where('token_hash', '=', sha256(token)).executeTakeFirst();
}

export async function revokeDevice(db: DB, deviceId: string, now: Date): Promise<void> {
  await db
    .updateTable('devices')
    .set({ revoked_at: now.toISOString(), pairing_code_hash: null, ...NO_ROSTER_KEY })
    .where('id', '=', deviceId)
    .execute();
}

export interface DeviceRosterKey {
  id: string;
  key: KeyObject;
  /** The raw key, for sending to a kiosk that does not hold it yet. */
  raw: Buffer;
  acked: boolean;
}

/**
 * The kiosk's roster key, made at its first pull after pairing (and for a kiosk paired before
 * kiosks had keys, at its first pull after the upgrade); it reaches the kiosk through `sync.pull`.
 */
export async function deviceRosterKey(db: DB, vault: IdNumberVault, device: DeviceRow): Promise<DeviceRosterKey> {
  let { roster_key_enc: stored, roster_key_id: id, roster_key_acked_at: acked } = device;
  if (!stored || !id) {
    const made = {
      roster_key_enc: vault.encryptSecret(randomBytes(32), ROSTER_KEY_PURPOSE),
      roster_key_id: randomBytes(12).toString('base64url'),
      roster_key_acked_at: null,
    };
    // Two first pulls at once must not give the kiosk two keys: the first to write wins.
    await db.updateTable('devices').set(made).where('id', '=', device.id).where('roster_key_enc', 'is', null).execute();
    const row = await db
      .selectFrom('devices')
      .select(['roster_key_enc', 'roster_key_id', 'roster_key_acked_at'])
      .where('id', '=', device.id)
      .executeTakeFirstOrThrow();
    ({ roster_key_enc: stored, roster_key_id: id, roster_key_acked_at: acked } = row);
  }
  const raw = vault.decryptSecret(stored!, ROSTER_KEY_PURPOSE);
  return { id: id!, key: createSecretKey(raw), raw, acked: acked !== null };
}

/** The kiosk pulled with its key's id: it holds the key, which is not sent again. */
export async function acknowledgeRosterKey(db: DB, deviceId: string, keyId: string, now: Date): Promise<void> {
  await db
    .updateTable('devices')
    .set({ roster_key_acked_at: now.toISOString() })
    .where('id', '=', deviceId)
    .where('roster_key_id', '=', keyId)
    .where('roster_key_acked_at', 'is', null)
    .execute();
}

export async function assignSession(db: DB, deviceId: string, sessionId: string, now: Date): Promise<void> {
  await db
    .insertInto('device_sessions')
    .values({ device_id: deviceId, session_id: sessionId, created_at: now.toISOString() })
    .onConflict((oc) => oc.columns(['device_id', 'session_id']).doNothing())
    .execute();
  await touchEnrolmentsOfSession(db, sessionId);
}

export async function listDevices(db: DB, institutionId: string) {
  const devices = await db
    .selectFrom('devices')
    .select(['id', 'name', 'paired_at', 'revoked_at', 'last_seen_at', 'pairing_expires_at', 'created_at'])
    .where('institution_id', '=', institutionId)
    .orderBy('created_at')
    .execute();
  const assignments = await db
    .selectFrom('device_sessions')
    .innerJoin('devices', 'devices.id', 'device_sessions.device_id')
    .select(['device_sessions.device_id', 'device_sessions.session_id'])
    .where('devices.institution_id', '=', institutionId)
    .execute();
  return devices.map((d) => ({
    id: d.id,
    name: d.name,
    pairedAt: d.paired_at,
    revokedAt: d.revoked_at,
    lastSeenAt: d.last_seen_at,
    pairingPending: d.pairing_expires_at !== null,
    sessionIds: assignments.filter((a) => a.device_id === d.id).map((a) => a.session_id),
  }));
}

export function getDevice(db: DB, deviceId: string) {
  return db.selectFrom('devices').select(['id', 'revoked_at']).where('id', '=', deviceId).executeTakeFirstOrThrow();
}
