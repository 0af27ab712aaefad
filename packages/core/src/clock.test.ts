import { describe, expect, it } from 'vitest';
import { CLOCK_JUMP_THRESHOLD_MS, clockOffsetMs, foldClockSample, placeTap } from './clock.ts';

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

describe('foldClockSample', () => {
  const HOUR = 3_600_000;
  // The device's pushes of one boot, each sent `sentAt` ms after `fast` (by both of its clocks,
  // shifted by `jump` on the wall clock) and handled by the server `delay` ms later.
  const push = (sentAt: number, delay: number, jump = 0) => ({
    bootId: 'b1',
    deviceWallMs: fast.deviceWallMs + sentAt + jump,
    deviceMonoMs: fast.deviceMonoMs + sentAt,
    serverMs: server + sentAt + delay,
  });
  const fold = (samples: ReturnType<typeof push>[]) =>
    samples.reduce<{ estimate: ReturnType<typeof foldClockSample>['estimate'] | null; jumped: boolean }>(
      (state, sample) => {
        const next = foldClockSample(state.estimate, sample);
        return { estimate: next.estimate, jumped: state.jumped || next.jumped };
      },
      { estimate: null, jumped: false },
    );
  // A tap of the boot 10 s after the first push, placed by the estimate after every push.
  const tap = { wallTime: new Date(fast.deviceWallMs + 10_000).toISOString(), monoTime: fast.deviceMonoMs + 10_000, bootId: 'b1' };

  it('keeps the least-behind offset: a push delayed 200 s by a loaded server moves no placement', () => {
    const { estimate, jumped } = fold([push(0, 300), push(60_000, 200_000), push(120_000, 500)]);
    expect(jumped).toBe(false);
    expect(estimate!.offsetMs).toBe(TEN_MIN - 300);
    expect(placeTap(tap, push(120_000, 500), estimate!.offsetMs)).toEqual({ at: new Date(server + 10_000 + 300), jumped: false });
  });

  it('is not fooled by the delayed push coming first', () => {
    const { estimate, jumped } = fold([push(0, 200_000), push(60_000, 300)]);
    expect(jumped).toBe(false);
    expect(estimate!.offsetMs).toBe(TEN_MIN - 300);
  });

  it.each([
    ['set an hour ahead', HOUR],
    ['set an hour back', -HOUR],
  ])('tells a wall clock %s mid-boot from the monotonic clock, and estimates afresh from there', (_, jump) => {
    const { estimate, jumped } = fold([push(0, 300), push(60_000, 400), push(120_000, 200_000, jump), push(180_000, 500, jump)]);
    expect(jumped).toBe(true);
    expect(estimate!.offsetMs).toBe(TEN_MIN + jump - 500);
    // A tap after the jump is placed by the new estimate; one before it by the monotonic clock.
    const after = { wallTime: new Date(fast.deviceWallMs + 150_000 + jump).toISOString(), monoTime: fast.deviceMonoMs + 150_000, bootId: 'b1' };
    expect(placeTap(after, push(180_000, 500, jump), estimate!.offsetMs)).toEqual({ at: new Date(server + 150_000 + 500), jumped: false });
    expect(placeTap(tap, push(180_000, 500, jump), estimate!.offsetMs)).toEqual({ at: new Date(server + 10_000 + 500), jumped: true });
  });

  it('takes drift within the threshold for drift', () => {
    expect(fold([push(0, 0), push(HOUR, 0, CLOCK_JUMP_THRESHOLD_MS)]).jumped).toBe(false);
    expect(fold([push(0, 0), push(HOUR, 0, CLOCK_JUMP_THRESHOLD_MS + 1)]).jumped).toBe(true);
  });
});
