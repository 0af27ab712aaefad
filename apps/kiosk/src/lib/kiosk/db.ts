// The kiosk's IndexedDB: what it needs to work for days with no network, and nothing from which
// a thief of the tablet could read an ID number: no number, no mask, no unkeyed digest.
// Every record is parsed on its way out (Dexie's reading hook, and `readMeta`): a record that an
// older version left or a hand edited fails here, with a message that names it, and not as an
// `undefined` deep in the door page.
import { CredentialKind, KioskSession, LEGACY_ID_CARD_DIGEST, PeerTap, RosterPerson, Tap, TapStatus, type WebCryptoKey } from '@opencme/core';
import { Dexie, type EntityTable } from 'dexie';
import { z } from 'zod';

/**
 * A person of the roster, one record with her cards (issue 15): a first pull of 200 000 people is
 * then 200 000 records and not 600 000, and the door finds a card through one multi-entry index.
 */
export const LocalPerson = RosterPerson.omit({ credentials: true }).extend({
  /** The `rosterKey` of each of her cards (an ID card's only under the kiosk's key): the door's lookup. */
  cards: z.array(z.string().min(1)),
  /** Those of `cards` on the deny list (lost, replaced or cancelled); absent when none is. */
  lost: z.array(z.string()).optional(),
});
export type LocalPerson = z.infer<typeof LocalPerson>;

/** A roster person as the kiosk keeps her. */
export function localPerson({ credentials, ...person }: RosterPerson): LocalPerson {
  const lost = credentials.filter((c) => c.status === 'lost').map((c) => c.key);
  return { ...person, cards: credentials.map((c) => c.key), ...(lost.length ? { lost } : {}) };
}

/** A card as the kiosk kept it before issue 15 (the `credentials` store, version 5 and before): read only by the upgrade. */
const LegacyCredential = z.object({ key: z.string().min(1), kind: CredentialKind, personId: z.string(), status: z.enum(['active', 'lost']) });
type LegacyCredential = z.infer<typeof LegacyCredential>;

/** A tap as the kiosk keeps it: the protocol's fact, plus whether the server has it yet. */
export const LocalTap = Tap.extend({
  /** 0 until the server answered for it (IndexedDB cannot index booleans). */
  synced: z.union([z.literal(0), z.literal(1)]),
  /**
   * The server's answer: stored, or had it already. Kiosks of before the answer was reduced to
   * that kept 'accepted' or 'flagged' here; nothing reads them.
   */
  serverStatus: z.union([TapStatus.shape.status, z.enum(['accepted', 'flagged'])]).nullable(),
  recordedAt: z.number(),
});
export type LocalTap = z.infer<typeof LocalTap>;

/**
 * A door thumbnail (issue 15), by the content hash the roster names it with. The JPEG's bytes,
 * not a Blob: Chromium writes each Blob of IndexedDB to a file of its own, and 200 000 files of
 * 5 KB cost more to write and to read back at a tap than bytes kept in the record.
 */
export const LocalPhoto = z.object({ hash: z.string().min(1), jpeg: z.custom<Uint8Array<ArrayBuffer>>((v) => v instanceof Uint8Array, 'not bytes') });
export type LocalPhoto = z.infer<typeof LocalPhoto>;

/** A tap another door of the session recorded, as the server tells it (`sync.sessionTaps`). */
export const LocalPeerTap = PeerTap.extend({ sessionId: z.string() });
export type LocalPeerTap = z.infer<typeof LocalPeerTap>;

/**
 * A stored record that is not what this version of the app writes. The door shows the message and
 * goes on with what it can read; nothing is deleted, so the record stays for whoever looks into it.
 */
export class StoredRecordError extends Error {
  readonly messageKey = 'kiosk.stored-record-damaged';
  readonly params: { store: string; key: string; why: string };
  readonly store: string;
  readonly key: string;
  constructor(store: string, key: string, error: z.ZodError) {
    const why = whatIsWrong(error);
    super(`stored record ${store}/${key} cannot be read: ${why}`);
    this.name = 'StoredRecordError';
    this.store = store;
    this.key = key;
    this.params = { store, key, why };
  }
}

/** A zod error in one line: each wrong field with what was wrong with it. */
export function whatIsWrong(error: z.ZodError): string {
  return error.issues.map((issue) => `${issue.path.join('.') || '(record)'}: ${issue.message}`).join('; ');
}

/** Parses what was read from a store, or says which record is wrong. */
export function parseStored<T>(schema: z.ZodType<T>, value: unknown, store: string, key: string): T {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw new StoredRecordError(store, key, parsed.error);
  return parsed.data;
}

export interface MetaEntry {
  key: string;
  value: unknown;
}

export type KioskDb = Dexie & {
  meta: EntityTable<MetaEntry, 'key'>;
  sessions: EntityTable<KioskSession, 'id'>;
  people: EntityTable<LocalPerson, 'id'>;
  taps: EntityTable<LocalTap, 'tapId'>;
  peerTaps: EntityTable<LocalPeerTap, 'tapId'>;
  photos: EntityTable<LocalPhoto, 'hash'>;
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
      await tx
        .table('people')
        .toCollection()
        .modify((p: Record<string, unknown>) => void delete p.maskedIdNumber);
      await tx
        .table('credentials')
        .filter((c: LegacyCredential) => c.kind === 'id-card')
        .delete();
      await tx.table('taps').where('synced').equals(1).modify(forgetLegacyDigest);
      await tx.table('meta').delete('cursor');
    });
  // Two doors of a session agree online: the other doors' taps, for the door's decision.
  db.version(3).stores({ peerTaps: 'tapId, [sessionId+personId], sessionId' });
  // Issue 14: taps carry their place in the kiosk's signed chain (`chain`), findable by chain.
  db.version(4).stores({
    taps: 'tapId, seq, synced, [synced+seq], [sessionId+personId], [sessionId+credential.kind+credential.value], chain.id',
  });
  // Issue 15: photos by content hash, fetched apart from the roster (the `photos` store), and the
  // people indexed by it so that the kiosk finds the hashes it lacks without reading every record.
  // The roster is pulled whole again to learn each person's hash; until then the door shows what
  // it held. The outbox is not touched: an untransmitted tap stays until the server has it.
  db.version(5)
    .stores({ people: 'id, cmeNumber, photoHash', photos: 'hash' })
    .upgrade(async (tx) => {
      await tx.table('meta').delete('cursor');
    });
  // Issue 15, the door at 200 000 people: each person's cards move into her record (`cards`, a
  // multi-entry index), and the indexes nothing reads any more go (by CME number, by photo hash:
  // the photos the kiosk lacks are found from the door's roster in memory). The roster is moved,
  // not pulled again, so that an offline kiosk goes on knowing its people; the cursor stays. The
  // outbox is not touched.
  db.version(6)
    .stores({ people: 'id, *cards', credentials: null })
    .upgrade(async (tx) => {
      // A damaged card record is left behind (it matched nothing readable before either): the upgrade must not fail on it.
      const readable = (await tx.table('credentials').toArray()).flatMap((c) => {
        const parsed = LegacyCredential.safeParse(c);
        return parsed.success ? [parsed.data] : [];
      });
      const cards = Map.groupBy(readable, (c) => c.personId);
      await tx
        .table('people')
        .toCollection()
        .modify((p: Record<string, unknown> & { id: string }) => {
          const held = cards.get(p.id) ?? [];
          const lost = held.filter((c) => c.status === 'lost').map((c) => c.key);
          p.cards = held.map((c) => c.key);
          if (lost.length) p.lost = lost;
        });
    });
  parseOnRead(db.sessions, KioskSession, (r) => r.id);
  parseOnRead(db.people, LocalPerson, (r) => r.id);
  parseOnRead(db.taps, LocalTap, (r) => r.tapId);
  parseOnRead(db.peerTaps, LocalPeerTap, (r) => r.tapId);
  parseOnRead(db.photos, LocalPhoto, (r) => r.hash);
  return db;
}

function parseOnRead<T>(table: Dexie.Table<T>, schema: z.ZodType<T>, keyOf: (raw: Record<string, unknown>) => unknown): void {
  // Dexie calls the hook with undefined for a key that holds nothing: that is "not found", not damage.
  const nameOf = (raw: unknown) => {
    const key = keyOf(raw as Record<string, unknown>);
    return typeof key === 'string' || typeof key === 'number' ? String(key) : '?';
  };
  table.hook('reading', (raw) => (raw === undefined ? raw : parseStored(schema, raw, table.name, nameOf(raw))));
}

/** What an answered tap keeps of an old unkeyed digest: nothing, the server has it. */
export function forgetLegacyDigest(tap: LocalTap): void {
  if (tap.credential.kind === 'id-card' && LEGACY_ID_CARD_DIGEST.test(tap.credential.value)) tap.credential = { kind: 'id-card', value: 'id-card#forgotten' };
}

/** The kiosk's identity, given once by pairing. */
export const DeviceIdentity = z.object({ deviceId: z.string().min(1), token: z.string().min(1), name: z.string() });
export type DeviceIdentity = z.infer<typeof DeviceIdentity>;

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

const CryptoKeySchema = z.custom<WebCryptoKey>((value) => typeof CryptoKey !== 'undefined' && value instanceof CryptoKey, 'not a WebCrypto key');
const KioskKeysSchema = z.object({
  rosterKeyId: z.string().nullable(),
  rosterKey: CryptoKeySchema.nullable(),
  sealingKey: CryptoKeySchema.nullable(),
  sealingKeyText: z.string().nullable(),
}) satisfies z.ZodType<KioskKeys>;

export async function kioskKeys(db: KioskDb): Promise<KioskKeys> {
  return (await readMeta(db, 'keys')) ?? { rosterKeyId: null, rosterKey: null, sealingKey: null, sealingKeyText: null };
}

/**
 * The head of this pairing's signed tap chain (core tap-chain.ts): the private key, made at
 * pairing and never extractable, the chain's id, the last seq given and the hash of that tap.
 */
export const ChainHead = z.object({
  chainId: z.string().min(1),
  privateKey: CryptoKeySchema,
  seq: z.number().int().nonnegative(),
  head: z.string().nullable(),
});
export type ChainHead = z.infer<typeof ChainHead>;

/** What the kiosk keeps in its meta store, each with the shape it must have. */
const META = {
  identity: DeviceIdentity,
  keys: KioskKeysSchema,
  /** The session the door records (null: none chosen). */
  sessionId: z.string().nullable(),
  /** The roster cursor of the last pull. */
  cursor: z.string(),
  /** The last tap's sequence number. */
  seq: z.number().int().nonnegative(),
  chain: ChainHead,
  lastSyncAt: z.number(),
  /** How far the other doors' taps of the door's session have been read. */
  peerTaps: z.object({ sessionId: z.string(), cursor: z.string().nullable() }),
} satisfies Record<string, z.ZodType>;
type Meta = { [K in keyof typeof META]: z.infer<(typeof META)[K]> };

/** A meta entry, parsed; undefined when there is none. */
export async function readMeta<K extends keyof Meta>(db: KioskDb, key: K): Promise<Meta[K] | undefined> {
  const entry = await db.meta.get(key);
  return entry === undefined ? undefined : parseStored(META[key] as unknown as z.ZodType<Meta[K]>, entry.value, 'meta', key);
}

/**
 * A meta entry the kiosk can do without (the time of the last sync, the roster cursor): a damaged
 * one is reported in the console and replaced by the fallback, which syncing then rewrites.
 */
export async function readMetaOr<K extends keyof Meta, F>(db: KioskDb, key: K, fallback: F): Promise<Meta[K] | F> {
  try {
    return (await readMeta(db, key)) ?? fallback;
  } catch (error) {
    if (!(error instanceof StoredRecordError)) throw error;
    console.warn(`[opencme] ${error.message}`);
    return fallback;
  }
}

export async function writeMeta<K extends keyof Meta>(db: KioskDb, key: K, value: Meta[K]): Promise<void> {
  await db.meta.put({ key, value });
}

/** A meta entry as stored, for settings that parse it themselves and fall back to a default. */
export async function getMeta(db: KioskDb, key: string): Promise<unknown> {
  return (await db.meta.get(key))?.value;
}

export async function setMeta(db: KioskDb, key: string, value: unknown): Promise<void> {
  await db.meta.put({ key, value });
}
