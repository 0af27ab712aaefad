import { type Credential, newId, rosterKey, tapDirection } from '@opencme/core';
import { getMeta, type KioskDb, type LocalPerson, type LocalTap, setMeta } from './db.ts';

/** What the door shows for a tap. */
export interface TapOutcome {
  tap: LocalTap;
  person: LocalPerson | null;
  /** The card is on the deny list (lost, 挂失). */
  denied: boolean;
}

/** Identifies this page load: monotonic times are only comparable within one. */
const BOOT_ID = newId();

/**
 * Records a tap, first and only, in the local outbox: the result is shown from the local roster
 * and the local taps at once, whether or not the server can be reached.
 */
export async function recordTap(
  db: KioskDb,
  input: { deviceId: string; sessionId: string; credential: Credential; source: LocalTap['source']; now?: Date },
): Promise<TapOutcome> {
  const now = input.now ?? new Date();
  const key = await rosterKey(input.credential);
  return db.transaction('rw', [db.meta, db.taps, db.credentials, db.people], async () => {
    const holder = await db.credentials.get(key);
    const person = holder ? ((await db.people.get(holder.personId)) ?? null) : null;
    const earlier = person
      ? await db.taps.where('[sessionId+personId]').equals([input.sessionId, person.id]).toArray()
      : await db.taps
          .where('[sessionId+credential.kind+credential.value]')
          .equals([input.sessionId, input.credential.kind, input.credential.value])
          .toArray();
    const wallTime = now.toISOString();
    const seq = ((await getMeta<number>(db, 'seq')) ?? 0) + 1;
    const tap: LocalTap = {
      tapId: newId(),
      deviceId: input.deviceId,
      seq,
      sessionId: input.sessionId,
      credential: input.credential,
      personId: person?.id ?? null,
      wallTime,
      monoTime: performance.now(),
      bootId: BOOT_ID,
      source: input.source,
      direction: tapDirection(earlier.map((t) => ({ at: t.wallTime })), wallTime),
      synced: 0,
      serverStatus: null,
      recordedAt: now.getTime(),
    };
    await db.taps.add(tap);
    await setMeta(db, 'seq', seq);
    return { tap, person, denied: holder?.status === 'lost' };
  });
}
