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
 * How far the device's wall clock is ahead of the server's (negative: behind). The push's transit
 * time makes the device look that much behind; on a LAN it is well under a second.
 */
export function clockOffsetMs(sample: ClockSample): number {
  return sample.deviceWallMs - sample.serverMs;
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
 * and the monotonic distance to the push is used instead. A tap of another boot (the kiosk was
 * reloaded while offline) can only be corrected by the offset known for that boot, or else the
 * current one.
 */
export function placeTap(tap: { wallTime: string; monoTime: number; bootId: string }, sample: ClockSample | null, bootOffsetMs: number | null): PlacedTap {
  const wallMs = Date.parse(tap.wallTime);
  if (sample && tap.bootId === sample.bootId) {
    const drift = wallMs - tap.monoTime - (sample.deviceWallMs - sample.deviceMonoMs);
    if (Math.abs(drift) > CLOCK_JUMP_THRESHOLD_MS) return { at: new Date(sample.serverMs - (sample.deviceMonoMs - tap.monoTime)), jumped: true };
  }
  const offset = bootOffsetMs ?? (sample ? clockOffsetMs(sample) : 0);
  return { at: new Date(wallMs - offset), jumped: false };
}

/** Whether two offset estimates of one boot differ by a jump rather than by drift and transit time. */
export function offsetJumped(previousMs: number, currentMs: number): boolean {
  return Math.abs(currentMs - previousMs) > CLOCK_JUMP_THRESHOLD_MS;
}
