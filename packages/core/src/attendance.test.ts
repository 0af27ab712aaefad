import { describe, expect, it } from 'vitest';
import { presenceFromTaps, tapDirection } from './attendance.ts';

const at = (hhmmss: string) => `2026-11-22T${hhmmss}+08:00`;

describe('tapDirection', () => {
  it('signs in on the first tap', () => {
    expect(tapDirection([], at('09:00:00'))).toBe('in');
  });
  it('treats a second swipe within the gap as the same sign-in', () => {
    expect(tapDirection([{ at: at('09:00:00') }], at('09:00:59'))).toBe('in');
  });
  it('signs out once the gap has passed, measured from the sign-in', () => {
    expect(tapDirection([{ at: at('09:00:00') }], at('09:01:00'))).toBe('out');
    expect(tapDirection([{ at: at('09:00:00') }, { at: at('11:00:00') }], at('11:00:10'))).toBe('out');
  });
});

describe('presenceFromTaps', () => {
  it('is empty without taps', () => {
    expect(presenceFromTaps([])).toEqual({ signInAt: null, signOutAt: null, tapCount: 0 });
  });
  it('takes the earliest tap as sign-in and the latest later tap as sign-out, in any order', () => {
    const taps = [{ at: at('11:30:00') }, { at: at('09:00:00') }, { at: at('09:00:20') }, { at: at('11:00:00') }];
    expect(presenceFromTaps(taps)).toEqual({ signInAt: at('09:00:00'), signOutAt: at('11:30:00'), tapCount: 4 });
  });
  it('has no sign-out when every tap falls within the gap', () => {
    expect(presenceFromTaps([{ at: at('09:00:00') }, { at: at('09:00:30') }]).signOutAt).toBeNull();
  });
  it('compares instants, not strings, across time zones', () => {
    const taps = [{ at: '2026-11-22T01:00:00Z' }, { at: at('08:30:00') }];
    expect(presenceFromTaps(taps).signInAt).toBe(at('08:30:00'));
  });
});
