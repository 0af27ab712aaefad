// Sign-in (签到) and sign-out (签退) from taps. The kiosk applies it to show the result at the
// door; the server applies the same rule to every tap it holds, from every door.

export interface TimedTap {
  /** ISO-8601 time of the tap. */
  at: string;
}

/** Taps closer than this to the sign-in are a second swipe of the same arrival, not a sign-out. */
export const DEFAULT_MIN_SIGN_OUT_GAP_MS = 60_000;

/** Whether a new tap at `at` signs the person in or out, given their earlier taps in the session. */
export function tapDirection(earlier: readonly TimedTap[], at: string, minGapMs = DEFAULT_MIN_SIGN_OUT_GAP_MS): 'in' | 'out' {
  const signIn = earliest(earlier);
  if (signIn === null) return 'in';
  return Date.parse(at) - Date.parse(signIn) >= minGapMs ? 'out' : 'in';
}

export interface Presence {
  signInAt: string | null;
  signOutAt: string | null;
  tapCount: number;
}

/** The first tap is the sign-in; the last tap at least the minimum gap after it is the sign-out. */
export function presenceFromTaps(taps: readonly TimedTap[], minGapMs = DEFAULT_MIN_SIGN_OUT_GAP_MS): Presence {
  const signInAt = earliest(taps);
  if (signInAt === null) return { signInAt: null, signOutAt: null, tapCount: 0 };
  const inMs = Date.parse(signInAt);
  let signOutAt: string | null = null;
  let outMs = -Infinity;
  for (const t of taps) {
    const ms = Date.parse(t.at);
    if (ms - inMs >= minGapMs && ms > outMs) {
      outMs = ms;
      signOutAt = t.at;
    }
  }
  return { signInAt, signOutAt, tapCount: taps.length };
}

function earliest(taps: readonly TimedTap[]): string | null {
  let best: string | null = null;
  let bestMs = Infinity;
  for (const t of taps) {
    const ms = Date.parse(t.at);
    if (ms < bestMs) {
      bestMs = ms;
      best = t.at;
    }
  }
  return best;
}
