// Kiosks (刷卡设备) of a unit: the checks before a device is paired again or given a session.
import type { DB } from '../db/connect.ts';
import { UserFacingError } from '../errors.ts';
import type { ChainPublicKey } from '@opencme/core';
import { assignSession, claimPairingCode, getDevice, issuePairingCode, listDevices, revokeDevice } from '../repositories/devices.ts';
import { chainKeyIsUsable, chainSummaries, endChains, openChain, unverifiedTapCounts } from '../repositories/tap-chains.ts';
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

/**
 * The kiosk side of pairing: a code typed on the tablet becomes its device token, once. A kiosk
 * that brings the public half of its new signing key opens a new tap chain; the chain of the
 * device's previous pairing ends there, "re-paired".
 */
export async function pairKiosk(db: DB, input: { code: string; chainKey?: ChainPublicKey | undefined }, now: Date) {
  if (input.chainKey && !(await chainKeyIsUsable(input.chainKey))) throw new UserFacingError('BAD_REQUEST', 'devices.chain-key-unusable', {}, null);
  return db.transaction().execute(async (trx) => {
    const paired = await claimPairingCode(trx, input.code, now);
    if (!paired) throw new UserFacingError('BAD_REQUEST', 'devices.pairing-code-wrong-already-used');
    if (!input.chainKey) {
      await endChains(trx, paired.deviceId, 're-paired', now);
      return { ...paired, chainId: null };
    }
    return { ...paired, chainId: await openChain(trx, paired.deviceId, input.chainKey, now) };
  });
}

export async function retireKiosk(db: DB, deviceId: string, now: Date): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await revokeDevice(trx, deviceId, now);
    await endChains(trx, deviceId, 'revoked', now);
  });
}

/** The unit's kiosks, each with the state of its signed tap chains (newest first). */
export async function devicesWithChains(db: DB, institutionId: string) {
  const devices = await listDevices(db, institutionId);
  const ids = devices.map((d) => d.id);
  const [chains, unverified] = await Promise.all([chainSummaries(db, ids), unverifiedTapCounts(db, ids)]);
  return devices.map((d) => ({ ...d, chains: chains.get(d.id) ?? [], unverifiedTaps: unverified.get(d.id) ?? 0 }));
}
