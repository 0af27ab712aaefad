// Kiosks (刷卡设备) of a unit: the checks before a device is paired again or given a session.
import type { DB } from '../db/connect.ts';
import { UserFacingError } from '../errors.ts';
import { assignSession, getDevice, issuePairingCode } from '../repositories/devices.ts';
import { sessionMayBeHeld } from '../repositories/projects.ts';

/** A new pairing code, e.g. when a tablet is replaced; the old token stops working. A revoked device stays revoked. */
export async function pairAgain(db: DB, deviceId: string, now: Date): Promise<{ pairingCode: string }> {
  const device = await getDevice(db, deviceId);
  if (device.revoked_at) throw new UserFacingError('BAD_REQUEST', 'devices.device-revoked');
  return { pairingCode: await issuePairingCode(db, device.id, now) };
}

/** Only approved projects are held, so only their sessions get kiosks. */
export async function assignKiosk(db: DB, input: { deviceId: string; sessionId: string }, now: Date): Promise<void> {
  if (!(await sessionMayBeHeld(db, input.sessionId))) {
    throw new UserFacingError('BAD_REQUEST', 'devices.project-not-approved-yet-no');
  }
  await assignSession(db, input.deviceId, input.sessionId, now);
}
