// The kiosk's IndexedDB: what it needs to work for days with no network.
import type { CredentialKind, KioskSession, Tap, TapStatus } from '@opencme/core';
import { Dexie, type EntityTable } from 'dexie';

export interface LocalPerson {
  id: string;
  name: string;
  cmeNumber: string | null;
  maskedIdNumber: string | null;
  department: string | null;
  photo: string | null;
}

export interface LocalCredential {
  /** `rosterKey` of the credential: the lookup key at the door. */
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
  return db;
}

/** The kiosk's identity, given once by pairing. */
export interface DeviceIdentity {
  deviceId: string;
  token: string;
  name: string;
}

export async function getMeta<T>(db: KioskDb, key: string): Promise<T | undefined> {
  return (await db.meta.get(key))?.value as T | undefined;
}

export async function setMeta(db: KioskDb, key: string, value: unknown): Promise<void> {
  await db.meta.put({ key, value });
}
