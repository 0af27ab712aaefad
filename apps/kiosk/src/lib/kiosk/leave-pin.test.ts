import 'fake-indexeddb/auto';
import { afterEach, expect, it } from 'vitest';
import { openKioskDb } from './db.ts';
import { hashPin, loadLeavePin, pinMatches, saveLeavePin } from './leave-pin.ts';

const db = openKioskDb('leave-pin-test');
afterEach(() => db.delete());

it('keeps only a salted hash of the PIN, which accepts the PIN and nothing else', async () => {
  expect(await loadLeavePin(db)).toBeNull();
  await saveLeavePin(db, '2468');
  const stored = await loadLeavePin(db);
  expect(stored).not.toBeNull();
  expect(JSON.stringify(await db.meta.toArray())).not.toContain('2468');
  expect(await pinMatches('2468', stored!)).toBe(true);
  expect(await pinMatches('2469', stored!)).toBe(false);
  expect(await pinMatches('', stored!)).toBe(false);
  // Salted: the same PIN never gives the same record twice.
  const [a, b] = [await hashPin('2468'), await hashPin('2468')];
  expect(a.hash).not.toBe(b.hash);
});

it('refuses a PIN that is not 4 to 8 digits', async () => {
  await expect(hashPin('12a4')).rejects.toThrow();
  await expect(hashPin('123')).rejects.toThrow();
});
