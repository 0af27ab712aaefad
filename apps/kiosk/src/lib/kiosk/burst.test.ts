import 'fake-indexeddb/auto';
import { afterEach, expect, it } from 'vitest';
import { burstAtDoor } from './burst.ts';
import { type KioskDb, openKioskDb } from './db.ts';
import { recordTap } from './taps.ts';

let counter = 0;
const dbs: KioskDb[] = [];
async function freshDb(): Promise<KioskDb> {
  const db = openKioskDb(`burst-test-${++counter}`);
  dbs.push(db);
  await db.sessions.add({
    id: 's1',
    projectId: 'p',
    projectName: '学习班',
    title: '上午',
    venue: '报告厅',
    startsAt: '2026-11-22T09:00:00+08:00',
    endsAt: '2026-11-22T12:00:00+08:00',
  });
  return db;
}
afterEach(async () => {
  for (const db of dbs.splice(0)) await db.delete();
});

/** Cards typed at the door, one each `gapMs` from 09:00 Beijing time. */
async function cards(db: KioskDb, numbers: readonly string[], gapMs: number) {
  const start = Date.parse('2026-11-22T01:00:00Z');
  for (const [i, value] of numbers.entries()) {
    await recordTap(db, { deviceId: 'dev', sessionId: 's1', credential: { kind: 'card-number', value }, source: 'reader', now: new Date(start + i * gapMs) });
  }
}

it('warns at the sixth distinct card within 10 s, and not at the fifth', async () => {
  const db = await freshDb();
  await cards(db, ['01', '02', '03', '04', '05'], 1000);
  expect(await burstAtDoor(db)).toBeNull();
  await cards(db, ['06'], 0);
  // The sixth came at 09:00:00 again: six distinct cards in 4 s.
  expect(await burstAtDoor(db)).toEqual({ cards: 6, seconds: 10 });
});

it('does not warn for six cards spread over 10 s, nor for one card tapped six times', async () => {
  const spread = await freshDb();
  await cards(spread, ['01', '02', '03', '04', '05', '06'], 2000);
  expect(await burstAtDoor(spread)).toBeNull();
  const same = await freshDb();
  await cards(same, ['01', '01', '01', '01', '01', '01'], 500);
  expect(await burstAtDoor(same)).toBeNull();
});
