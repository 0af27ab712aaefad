import { newId } from '@opencme/core';
import type { DB } from '../db/connect.ts';
import { newPairingCode, newToken, normalizePairingCode, sha256 } from '../secrets.ts';

/** How long a pairing code works: long enough to walk to the lecture hall, short enough to expire unused. */
const PAIRING_HOURS = 24;

export async function createDevice(db: DB, input: { name: string; institutionId: string; now: Date }) {
  const id = newId();
  await db
    .insertInto('devices')
    .values({ id, name: input.name, institution_id: input.institutionId, created_at: input.now.toISOString() })
    .execute();
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
  await db.updateTable('devices').set({ revoked_at: now.toISOString(), pairing_code_hash: null }).where('id', '=', deviceId).execute();
}

export async function assignSession(db: DB, deviceId: string, sessionId: string, now: Date): Promise<void> {
  await db
    .insertInto('device_sessions')
    .values({ device_id: deviceId, session_id: sessionId, created_at: now.toISOString() })
    .onConflict((oc) => oc.columns(['device_id', 'session_id']).doNothing())
    .execute();
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
