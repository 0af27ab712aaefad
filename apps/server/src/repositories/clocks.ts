// Device clock offsets per page load (boot): estimated from every push, used to place taps on the
// server's clock, and watched for jumps.
import { type ClockSample, foldClockSample, type PlacedTap, placeTap, type Tap } from '@opencme/core';
import type { DB } from '../db/connect.ts';

/** Folds the clock sample a push carried into its boot's estimate (core's `foldClockSample`); a boot whose wall clock jumped is marked. */
export async function recordClockSample(db: DB, deviceId: string, sample: ClockSample, now: Date): Promise<void> {
  const at = now.toISOString();
  const first = foldClockSample(null, sample).estimate;
  // The boot's first push inserts; two first pushes at once (a retry through another process) do not collide.
  const inserted = await db
    .insertInto('device_clocks')
    .values({
      device_id: deviceId,
      boot_id: sample.bootId,
      offset_ms: first.offsetMs,
      wall_minus_mono_ms: first.wallMinusMonoMs,
      jumped_at: null,
      samples: 1,
      updated_at: at,
    })
    .onConflict((oc) => oc.columns(['device_id', 'boot_id']).doNothing())
    .returning('samples')
    .executeTakeFirst();
  if (inserted) return;
  const previous = await db
    .selectFrom('device_clocks')
    .select(['offset_ms', 'wall_minus_mono_ms', 'jumped_at', 'samples'])
    .where('device_id', '=', deviceId)
    .where('boot_id', '=', sample.bootId)
    .executeTakeFirstOrThrow();
  // A boot estimated before its monotonic time was kept starts afresh.
  const kept = previous.wall_minus_mono_ms === null ? null : { offsetMs: previous.offset_ms, wallMinusMonoMs: previous.wall_minus_mono_ms };
  const { estimate, jumped } = foldClockSample(kept, sample);
  await db
    .updateTable('device_clocks')
    .set({
      offset_ms: estimate.offsetMs,
      wall_minus_mono_ms: estimate.wallMinusMonoMs,
      jumped_at: previous.jumped_at ?? (jumped ? at : null),
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
