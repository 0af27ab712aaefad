// Device clock offsets per page load (boot): estimated at each push, used to place taps on the
// server's clock, and watched for jumps.
import { type ClockSample, clockOffsetMs, offsetJumped, type PlacedTap, placeTap, type Tap } from '@opencme/core';
import type { DB } from '../db/connect.ts';

/** Stores the offset a push showed; a boot whose offset moved by more than drift is marked jumped. */
export async function recordClockSample(db: DB, deviceId: string, sample: ClockSample, now: Date): Promise<void> {
  const offset = clockOffsetMs(sample);
  const previous = await db
    .selectFrom('device_clocks')
    .select(['offset_ms', 'jumped_at', 'samples'])
    .where('device_id', '=', deviceId)
    .where('boot_id', '=', sample.bootId)
    .executeTakeFirst();
  const at = now.toISOString();
  if (!previous) {
    await db
      .insertInto('device_clocks')
      .values({ device_id: deviceId, boot_id: sample.bootId, offset_ms: offset, jumped_at: null, samples: 1, updated_at: at })
      .execute();
    return;
  }
  await db
    .updateTable('device_clocks')
    .set({
      offset_ms: offset,
      jumped_at: previous.jumped_at ?? (offsetJumped(previous.offset_ms, offset) ? at : null),
      samples: previous.samples + 1,
      updated_at: at,
    })
    .where('device_id', '=', deviceId)
    .where('boot_id', '=', sample.bootId)
    .execute();
}

/** Each tap's instant on the server's clock; marks the boot jumped when a tap shows a jump. */
export async function placeTaps(db: DB, deviceId: string, taps: readonly Tap[], sample: ClockSample | null, now: Date): Promise<Map<string, PlacedTap>> {
  const boots = [...new Set(taps.map((t) => t.bootId))];
  const offsets = new Map(
    (await db.selectFrom('device_clocks').select(['boot_id', 'offset_ms']).where('device_id', '=', deviceId).where('boot_id', 'in', boots).execute()).map(
      (r) => [r.boot_id, r.offset_ms],
    ),
  );
  const placed = new Map<string, PlacedTap>();
  let jumped = false;
  for (const tap of taps) {
    const p = placeTap(tap, sample, offsets.get(tap.bootId) ?? null);
    jumped ||= p.jumped;
    placed.set(tap.tapId, p);
  }
  if (jumped && sample) {
    await db
      .updateTable('device_clocks')
      .set({ jumped_at: now.toISOString() })
      .where('device_id', '=', deviceId)
      .where('boot_id', '=', sample.bootId)
      .where('jumped_at', 'is', null)
      .execute();
  }
  return placed;
}
