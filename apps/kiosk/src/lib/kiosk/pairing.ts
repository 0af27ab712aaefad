// Pairing (配对): the code typed on the tablet becomes its device token, and the kiosk's signing
// key is made here, once per pairing, so that its taps form a chain the server can check.
import { type ChainPublicKey, generateChainKey } from '@opencme/core';
import { type DeviceIdentity, type KioskDb, writeMeta } from './db.ts';

export type PairCall = (input: {
  code: string;
  chainKey: ChainPublicKey;
}) => Promise<{ deviceId: string; token: string; name: string; chainId: string | null }>;

/**
 * Pairs the kiosk: a new non-extractable signing key, whose public half the server registers as
 * a new chain; a kiosk paired again starts a new chain from seq 1 (its unsent taps of the old
 * chain keep their links and still verify under the old key).
 */
export async function pairKiosk(db: KioskDb, pair: PairCall, code: string): Promise<DeviceIdentity> {
  const key = await generateChainKey();
  const paired = await pair({ code, chainKey: key.publicKey });
  const identity: DeviceIdentity = { deviceId: paired.deviceId, token: paired.token, name: paired.name };
  await db.transaction('rw', db.meta, async () => {
    await writeMeta(db, 'identity', identity);
    if (paired.chainId) await writeMeta(db, 'chain', { chainId: paired.chainId, privateKey: key.privateKey, seq: 0, head: null });
    else await db.meta.delete('chain');
  });
  return identity;
}
