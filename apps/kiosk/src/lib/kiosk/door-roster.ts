// The door's roster in memory (issue 15: tap to screen p95 ≤ 25 ms at 200 000 people): every card
// the kiosk knows, to its holder, read from IndexedDB once and kept in step by the sync engine, so
// that a tap finds its person with no IndexedDB read. IndexedDB stays the record: until the map is
// loaded (the seconds after a reload), the door looks a card up through the `cards` index.
import type { z } from 'zod';
import { type KioskDb, LocalPerson, StoredRecordError } from './db.ts';

/** A change the sync engine has written: these people as they now are, those ids gone, or everything gone. */
type Change = { people: readonly LocalPerson[]; removed: readonly string[] } | 'cleared';

export class DoorRoster {
  readonly #db: KioskDb;
  /** Card `rosterKey` → holder; null until loaded. */
  #byCard: Map<string, LocalPerson> | null = null;
  /** Person id → the record whose cards are in `#byCard`, to drop her old cards when she changes. */
  #byId = new Map<string, LocalPerson>();
  /** Cards of records the load could not read, to the error that names the record. */
  #damaged = new Map<string, StoredRecordError>();
  #loading: Promise<void> | null = null;
  /** Changes written while the load's snapshot was being read: applied again on top of it, in order. */
  #missed: Change[] | null = null;

  constructor(db: KioskDb) {
    this.#db = db;
  }

  get loaded(): boolean {
    return this.#byCard !== null;
  }

  /** Reads the whole roster once (a no-op when loaded or loading). */
  load(): Promise<void> {
    if (this.#byCard) return Promise.resolve();
    this.#loading ??= (async () => {
      this.#missed = [];
      try {
        const records = await this.#readAll();
        this.#byCard = new Map();
        this.#byId = new Map();
        this.#damaged = new Map();
        for (const record of records) {
          const parsed = LocalPerson.safeParse(record);
          if (parsed.success) this.#put(parsed.data);
          else this.#keepDamaged(record, parsed.error);
        }
        for (const change of this.#missed) this.#apply(change);
      } finally {
        this.#missed = null;
        this.#loading = null;
      }
    })();
    return this.#loading;
  }

  /**
   * Every stored person, as stored: past Dexie's parse on reading, which would fail the whole load
   * for one damaged record (each is parsed here, and a damaged one kept aside for the door to name).
   */
  async #readAll(): Promise<unknown[]> {
    await this.#db.open();
    return new Promise((resolve, reject) => {
      const request = this.#db.backendDB().transaction('people', 'readonly').objectStore('people').getAll();
      request.onsuccess = () => resolve(request.result as unknown[]);
      request.onerror = () => reject(request.error ?? new Error('reading the roster failed'));
    });
  }

  /** A record the door cannot read: a tap of one of its cards fails naming it, as a read from the store would. */
  #keepDamaged(record: unknown, error: z.ZodError): void {
    const { id, cards } = (record ?? {}) as { id?: unknown; cards?: unknown };
    const failure = new StoredRecordError('people', typeof id === 'string' ? id : '?', error);
    if (Array.isArray(cards)) for (const key of cards) if (typeof key === 'string') this.#damaged.set(key, failure);
  }

  /**
   * The holder of a card and whether it is on the deny list; undefined when no one holds it. Null
   * when the map is not loaded yet: the caller looks in IndexedDB (`findInStore`).
   */
  find(key: string): { person: LocalPerson; lost: boolean } | undefined | null {
    if (!this.#byCard) return null;
    const person = this.#byCard.get(key);
    const damaged = person ? undefined : this.#damaged.get(key);
    if (damaged) throw damaged;
    return person && { person, lost: person.lost?.includes(key) ?? false };
  }

  /** Every photo hash the roster names, for the background photo fetch. */
  photoHashes(): Set<string> | null {
    if (!this.#byCard) return null;
    const hashes = new Set<string>();
    for (const p of this.#byId.values()) if (p.photoHash) hashes.add(p.photoHash);
    return hashes;
  }

  /** Called by the sync engine once a roster page is committed. */
  changed(people: readonly LocalPerson[], removed: readonly string[]): void {
    this.#record({ people, removed });
  }

  /** Called by the sync engine once the roster is dropped (a new roster key). */
  cleared(): void {
    this.#record('cleared');
  }

  #record(change: Change): void {
    this.#missed?.push(change);
    if (this.#byCard) this.#apply(change);
  }

  #apply(change: Change): void {
    if (change === 'cleared') {
      this.#byCard = new Map();
      this.#byId = new Map();
      this.#damaged = new Map();
      return;
    }
    for (const p of change.people) this.#put(p);
    for (const id of change.removed) this.#drop(id);
  }

  #put(person: LocalPerson): void {
    this.#drop(person.id);
    this.#byId.set(person.id, person);
    // The sync engine wrote her afresh: whatever was damaged under her cards is replaced.
    for (const key of person.cards) this.#damaged.delete(key);
    for (const key of person.cards) this.#byCard!.set(key, person);
  }

  #drop(id: string): void {
    const before = this.#byId.get(id);
    if (!before) return;
    this.#byId.delete(id);
    // A card that moved to someone else on the same page is hers now: only the holder's own entries go.
    for (const key of before.cards) if (this.#byCard!.get(key) === before) this.#byCard!.delete(key);
  }
}

const rosters = new WeakMap<KioskDb, DoorRoster>();

/** The door roster of this database, one per page (the sync engine and the door share it). */
export function doorRoster(db: KioskDb): DoorRoster {
  let roster = rosters.get(db);
  if (!roster) rosters.set(db, (roster = new DoorRoster(db)));
  return roster;
}

/** A card's holder through the `cards` index, while the map is not loaded. */
export async function findInStore(db: KioskDb, key: string): Promise<{ person: LocalPerson; lost: boolean } | undefined> {
  const person = await db.people.where('cards').equals(key).first();
  return person && { person, lost: person.lost?.includes(key) ?? false };
}
