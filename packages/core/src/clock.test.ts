import { describe, expect, it } from 'vitest';
import { CLOCK_JUMP_THRESHOLD_MS, clockOffsetMs, offsetJumped, placeTap } from './clock.ts';

const server = Date.parse('2026-11-22T02:00:00Z');
const TEN_MIN = 10 * 60_000;
// A device 10 minutes fast, whose page has been up for 5 000 000 ms at the push.
const fast = { bootId: 'b1', deviceWallMs: server + TEN_MIN, deviceMonoMs: 5_000_000, serverMs: server };

describe('clockOffsetMs', () => {
  it('is positive for a fast device and negative for a slow one', () => {
    expect(clockOffsetMs(fast)).toBe(TEN_MIN);
    expect(clockOffsetMs({ ...fast, deviceWallMs: server - 30_000 })).toBe(-30_000);
  });
});

describe('placeTap', () => {
  // The tap was an hour before the push, by both of the device's clocks.
  const hourBefore = { wallTime: new Date(server + TEN_MIN - 3_600_000).toISOString(), monoTime: 5_000_000 - 3_600_000, bootId: 'b1' };
  const cases = [
    { name: 'same boot, steady clock: wall time minus the offset', tap: hourBefore, sample: fast, bootOffset: null, at: server - 3_600_000, jumped: false },
    {
      name: 'no clock sample (an older kiosk): the wall time as is',
      tap: hourBefore,
      sample: null,
      bootOffset: null,
      at: server + TEN_MIN - 3_600_000,
      jumped: false,
    },
    {
      name: 'another boot with a known offset: that offset',
      tap: { ...hourBefore, bootId: 'b0' },
      sample: fast,
      bootOffset: 60_000,
      at: server + TEN_MIN - 3_600_000 - 60_000,
      jumped: false,
    },
    {
      name: 'another boot, offset unknown: the current offset',
      tap: { ...hourBefore, bootId: 'b0' },
      sample: fast,
      bootOffset: null,
      at: server - 3_600_000,
      jumped: false,
    },
    {
      // The clock was 10 minutes fast at the push but right at the tap: someone set it since.
      name: 'the wall clock jumped since the tap: the monotonic clock places it',
      tap: { ...hourBefore, wallTime: new Date(server - 3_600_000).toISOString() },
      sample: fast,
      bootOffset: null,
      at: server - 3_600_000,
      jumped: true,
    },
    {
      name: 'drift exactly at the threshold is not a jump',
      tap: { ...hourBefore, wallTime: new Date(server + TEN_MIN - 3_600_000 - CLOCK_JUMP_THRESHOLD_MS).toISOString() },
      sample: fast,
      bootOffset: null,
      at: server - 3_600_000 - CLOCK_JUMP_THRESHOLD_MS,
      jumped: false,
    },
  ];
  it.each(cases)('$name', ({ tap, sample, bootOffset, at, jumped }) => {
    expect(placeTap(tap, sample, bootOffset)).toEqual({ at: new Date(at), jumped });
  });
});

describe('offsetJumped', () => {
  it.each([
    [0, CLOCK_JUMP_THRESHOLD_MS, false],
    [0, CLOCK_JUMP_THRESHOLD_MS + 1, true],
    [TEN_MIN, 0, true],
  ])('%i → %i: %s', (a, b, jumped) => {
    expect(offsetJumped(a, b)).toBe(jumped);
  });
});
