// The kiosk's IndexedDB: what it needs to work for days with no network, and nothing from which
// a thief of the tablet could read an ID number: no number, no mask, no unkeyed digest.
import { type CredentialKind, type KioskSession, LEGACY_ID_CARD_DIGEST, type Tap, type TapStatus, type WebCryptoKey } from '@opencme/core';
import { Dexie, type EntityTable } from 'dexie';

export interface LocalPerson {
  id: string;
  name: string;
  cmeNumber: string | null;
  department: string | null;
  photo: string | null;
}

export interface LocalCredential {
  /** `rosterKey` of the credential: the lookup key at the door (an ID card's under the kiosk's key). */
  key: string;
  kind: CredentialKind;
  personId: string;
  status: 'active' | 'lost';
}

/** A tap as the kiosk keeps it: the protocol's fact, plus whether the server has it yet. */
export interface LocalTap extends Tap {
  /** 0 until the server answered for it (IndexedDB cannot index booleans). */
  synced: 0 | 1;
  /**
   * The server's answer: stored, or had it already. Kiosks of before the answer was reduced to
   * that kept 'accepted' or 'flagged' here; nothing reads them.
   */
  serverStatus: TapStatus['status'] | 'accepted' | 'flagged' | null;
  recordedAt: number;
}

export interface MetaEntry {
  key: string;
  value: unknown;
}

export type KioskDb = Dexie & {
  meta: EntityTable<MetaEntry, 'key'>;
  sessions: EntityTable<KioskSession, 'id'>;
  people: EntityTable<LocalPerson, 'id'>;
  credentials: EntityTable<LocalCredential, 'key'>;
  taps: EntityTable<LocalTap, 'tapId'>;
};

export function openKioskDb(name = 'opencme-kiosk'): KioskDb {
  const db = new Dexie(name) as KioskDb;
  // Keep every version declared here for as long as kiosks may still run it (Dexie upgrades in order).
  db.version(1).stores({
    meta: 'key',
    sessions: 'id, startsAt',
    people: 'id, cmeNumber',
    credentials: 'key, personId',
    taps: 'tapId, seq, synced, [synced+seq], [sessionId+personId], [sessionId+credential.kind+credential.value]',
  });
  // Issue 9: the roster held masked numbers and the unkeyed SHA-256 of every ID number. Both go;
  // the cursor too, so the next pull brings the whole roster again under the kiosk's own key. An
  // outbox tap keeps its old digest until the server has it (the server then re-keys it).
  db.version(2)
    .stores({})
    .upgrade(async (tx) => {
      await tx.table('people').toCollection().modify((p: Record<string, unknown>) => void delete p.maskedIdNumber);
      await tx.table('credentials').filter((c: LocalCredential) => c.kind === 'id-card').delete();
      await tx.table('taps').where('synced').equals(1).modify(forgetLegacyDigest);
      await tx.table('meta').delete('cursor');
    });
  return db;
}

/** What an answered tap keeps of an old unkeyed digest: nothing, the server has it. */
export function forgetLegacyDigest(tap: LocalTap): void {
  if (tap.credential.kind === 'id-card' && LEGACY_ID_CARD_DIGEST.test(tap.credential.value)) tap.credential = { kind: 'id-card', value: 'id-card#forgotten' };
}

/** The kiosk's identity, given once by pairing. */
export interface DeviceIdentity {
  deviceId: string;
  token: string;
  name: string;
}

/**
 * The keys the kiosk holds (meta `keys`), each as a WebCrypto key: the roster key imported
 * non-extractable (no script, devtools included, can read it back), and the server's public key
 * that ID-card taps are sealed to.
 */
export interface KioskKeys {
  rosterKeyId: string | null;
  rosterKey: WebCryptoKey | null;
  sealingKey: WebCryptoKey | null;
  /** The sealing key as the server published it, to see when it changes. */
  sealingKeyText: string | null;
}

export async function kioskKeys(db: KioskDb): Promise<KioskKeys> {
  return (await getMeta<KioskKeys>(db, 'keys')) ?? { rosterKeyId: null, rosterKey: null, sealingKey: null, sealingKeyText: null };
}

export async function getMeta<T>(db: KioskDb, key: string): Promise<T | undefined> {
  return (await db.meta.get(key))?.value as T | undefined;
}

export async function setMeta(db: KioskDb, key: string, value: unknown): Promise<void> {
  await db.meta.put({ key, value });
}
