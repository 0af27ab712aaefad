// Device clocks drift and get set wrong by hand. Each push carries the device's clocks at send
// (`DeviceClock`); the server compares them with its own time to place every tap on its clock.

/** A wall clock that moved this far against the monotonic clock has jumped (set by hand, NTP step). */
export const CLOCK_JUMP_THRESHOLD_MS = 120_000;

/** The device's clocks at one moment, and the server's time at that moment. */
export interface ClockSample {
  bootId: string;
  deviceWallMs: number;
  deviceMonoMs: number;
  serverMs: number;
}

/**
 * How far the device's wall clock is ahead of the server's (negative: behind), as one push shows
 * it: the device's time at sending against the server's at handling. The push's transit and queue
 * time make the device look that much behind (well under a second on a quiet LAN; minutes on a
 * server under heavy load).
 */
export function clockOffsetMs(sample: ClockSample): number {
  return sample.deviceWallMs - sample.serverMs;
}

/** What the server keeps of a boot's clock: its best offset estimate, and the device's wall minus monotonic time when it was taken. */
export interface BootClock {
  offsetMs: number;
  wallMinusMonoMs: number;
}

/**
 * Folds a push's clock sample into its boot's estimate. A delay only ever makes the device look
 * behind, never ahead, so the largest offset seen is the closest to the truth. Whether the wall
 * clock jumped (set by hand, an NTP step) is told by the device's own clocks, not by comparing
 * offsets, which differ by every push's delay: the wall clock moved against the monotonic clock
 * since the estimate. A jump starts the estimate afresh from this sample.
 */
export function foldClockSample(estimate: BootClock | null, sample: ClockSample): { estimate: BootClock; jumped: boolean } {
  const current = { offsetMs: clockOffsetMs(sample), wallMinusMonoMs: Math.round(sample.deviceWallMs - sample.deviceMonoMs) };
  if (!estimate) return { estimate: current, jumped: false };
  if (Math.abs(current.wallMinusMonoMs - estimate.wallMinusMonoMs) > CLOCK_JUMP_THRESHOLD_MS) return { estimate: current, jumped: true };
  return { estimate: current.offsetMs > estimate.offsetMs ? current : estimate, jumped: false };
}

export interface PlacedTap {
  /** The tap's instant on the server's clock. */
  at: Date;
  /** The wall clock jumped between the tap and the push: the time comes from the monotonic clock. */
  jumped: boolean;
}

/**
 * A tap's instant on the server's clock. A tap of the push's own boot is checked against the
 * monotonic clock: if wall and monotonic time moved apart since the tap, the wall clock jumped
 * and the monotonic distance to the push is used instead. `bootOffsetMs` is the estimate kept for
 * the tap's boot (for the push's own boot, already folded with the push's sample). A tap of another boot (the kiosk was
 * reloaded while offline) can only be corrected by the offset known for that boot, or else the
 * current one.
 */
export function placeTap(tap: { wallTime: string; monoTime: number; bootId: string }, sample: ClockSample | null, bootOffsetMs: number | null): PlacedTap {
  const wallMs = Date.parse(tap.wallTime);
  const offset = bootOffsetMs ?? (sample ? clockOffsetMs(sample) : 0);
  if (sample && tap.bootId === sample.bootId) {
    const drift = wallMs - tap.monoTime - (sample.deviceWallMs - sample.deviceMonoMs);
    // The tap's time as the wall clock of the push reads it, then placed like any other.
    if (Math.abs(drift) > CLOCK_JUMP_THRESHOLD_MS) return { at: new Date(sample.deviceWallMs - (sample.deviceMonoMs - tap.monoTime) - offset), jumped: true };
  }
  return { at: new Date(wallMs - offset), jumped: false };
}
