// Attendance (出勤): sign-in (签到) and sign-out (签退) from taps, and whether they earn credit.
// The kiosk applies these rules to show the result at the door (offline, from its own taps);
// the server applies the same rules to every tap it holds, from every door, and its answer decides.
import { addDays, chinaDate, chinaDayStart, daysBetween } from './china-date.ts';

export interface TimedTap {
  /** ISO-8601 instant of the tap, already corrected for the device's clock where known. */
  at: string;
}

/** A session's (场次) scheduled time. */
export interface SessionWindow {
  startsAt: string;
  endsAt: string;
}

/** How much of the session a person must be present for. */
export type MinimumPresence = { minutes: number } | { percent: number };

/** The settings that turn taps into attendance; set per province, defaults below. */
export interface AttendanceRules {
  /** A tap closer than this to the sign-in is a second swipe of the same arrival, not a sign-out. */
  minSignOutGapMs: number;
  /** The door takes taps from this many minutes before the start … */
  opensMinutesBefore: number;
  /** … until this many minutes after the end; a tap outside is recorded but counts for nothing. */
  closesMinutesAfter: number;
  /** Signing in up to this many minutes after the start still counts as signed in on time. */
  lateSignInMinutes: number;
  /** Signing out from this many minutes before the end still counts as staying to the end. */
  earlySignOutMinutes: number;
  minPresence: MinimumPresence;
}

export const DEFAULT_ATTENDANCE_RULES: AttendanceRules = {
  minSignOutGapMs: 60_000,
  opensMinutesBefore: 60,
  closesMinutesAfter: 60,
  lateSignInMinutes: 15,
  earlySignOutMinutes: 15,
  minPresence: { percent: 80 },
};

const MINUTE = 60_000;
const ms = (iso: string) => Date.parse(iso);

/** The span in which a door takes taps for a session: [opensAt, closesAt], both inclusive. */
export function tapWindow(window: SessionWindow, rules: AttendanceRules): { opensAt: string; closesAt: string } {
  return {
    opensAt: new Date(ms(window.startsAt) - rules.opensMinutesBefore * MINUTE).toISOString(),
    closesAt: new Date(ms(window.endsAt) + rules.closesMinutesAfter * MINUTE).toISOString(),
  };
}

function insideTapWindow(at: string, window: SessionWindow, rules: AttendanceRules): boolean {
  const t = ms(at);
  return t >= ms(window.startsAt) - rules.opensMinutesBefore * MINUTE && t <= ms(window.endsAt) + rules.closesMinutesAfter * MINUTE;
}

/** The standing of a card at the door, from the roster. */
export type CardStanding = 'active' | 'unknown' | 'denied';

/** What the door says about one tap; each kind has its own message and sound. */
export type TapDecision =
  | { kind: 'sign-in' }
  | { kind: 'sign-out'; signedInAt: string }
  /** Inside the minimum gap after the sign-in: "已签到 09:02", nothing new is counted. */
  | { kind: 'already-signed-in'; signedInAt: string }
  | { kind: 'outside-window'; opensAt: string; closesAt: string }
  | { kind: 'unknown-card' }
  | { kind: 'denied-card' };

/** The `direction` a tap records: what the door showed (`repeat` and `none` count for nothing). */
export function tapDirectionOf(decision: TapDecision): 'in' | 'out' | 'repeat' | 'none' {
  switch (decision.kind) {
    case 'sign-in':
      return 'in';
    case 'sign-out':
      return 'out';
    case 'already-signed-in':
      return 'repeat';
    default:
      return 'none';
  }
}

/**
 * Decides a new tap at `at`, given the person's earlier taps in the session (from any door the
 * caller knows of). The card's standing is checked first, then the window, then the taps.
 */
export function decideTap(input: {
  card: CardStanding;
  earlier: readonly TimedTap[];
  at: string;
  window: SessionWindow;
  rules?: AttendanceRules;
}): TapDecision {
  const rules = input.rules ?? DEFAULT_ATTENDANCE_RULES;
  if (input.card === 'unknown') return { kind: 'unknown-card' };
  if (input.card === 'denied') return { kind: 'denied-card' };
  if (!insideTapWindow(input.at, input.window, rules)) return { kind: 'outside-window', ...tapWindow(input.window, rules) };
  const signIn = earliest(input.earlier.filter((t) => insideTapWindow(t.at, input.window, rules)));
  if (signIn === null || ms(input.at) < ms(signIn)) return { kind: 'sign-in' };
  if (ms(input.at) - ms(signIn) < rules.minSignOutGapMs) return { kind: 'already-signed-in', signedInAt: signIn };
  return { kind: 'sign-out', signedInAt: signIn };
}

/** Why attendance falls short of credit. */
export type Shortfall =
  | 'late-sign-in' // signed in after the start plus the grace
  | 'no-sign-out' // no tap at least the minimum gap after the sign-in
  | 'early-sign-out' // signed out before the end minus the grace
  | 'too-short'; // present for less than the minimum

export type AttendanceStatus = 'complete' | 'incomplete' | 'absent';

export interface AttendanceResult {
  signInAt: string | null;
  signOutAt: string | null;
  /** Taps inside the door's window; taps outside are kept as facts but not counted. */
  tapCount: number;
  outsideWindowCount: number;
  /** Minutes present within the scheduled session (time before the start or after the end is not counted). */
  presenceMinutes: number;
  status: AttendanceStatus;
  shortfalls: Shortfall[];
  earnsCredit: boolean;
}

/**
 * The attendance of one person in one session from all their taps, in any order, from any door.
 * The first tap in the window is the sign-in; the last tap at least the minimum gap after it is
 * the sign-out; everything between is a repeat.
 */
export function evaluateAttendance(input: { taps: readonly TimedTap[]; window: SessionWindow; rules?: AttendanceRules }): AttendanceResult {
  const rules = input.rules ?? DEFAULT_ATTENDANCE_RULES;
  const counted = input.taps.filter((t) => insideTapWindow(t.at, input.window, rules));
  const outsideWindowCount = input.taps.length - counted.length;
  const signInAt = earliest(counted);
  if (signInAt === null) {
    return { signInAt: null, signOutAt: null, tapCount: 0, outsideWindowCount, presenceMinutes: 0, status: 'absent', shortfalls: [], earnsCredit: false };
  }
  const inMs = ms(signInAt);
  let signOutAt: string | null = null;
  for (const t of counted) {
    if (ms(t.at) - inMs >= rules.minSignOutGapMs && (signOutAt === null || ms(t.at) > ms(signOutAt))) signOutAt = t.at;
  }

  const start = ms(input.window.startsAt);
  const end = ms(input.window.endsAt);
  const clamp = (t: number) => Math.min(end, Math.max(start, t));
  const presenceMs = signOutAt === null ? 0 : clamp(ms(signOutAt)) - clamp(inMs);
  const presenceMinutes = Math.floor(presenceMs / MINUTE);

  const shortfalls: Shortfall[] = [];
  if (inMs > start + rules.lateSignInMinutes * MINUTE) shortfalls.push('late-sign-in');
  if (signOutAt === null) shortfalls.push('no-sign-out');
  else if (ms(signOutAt) < end - rules.earlySignOutMinutes * MINUTE) shortfalls.push('early-sign-out');
  // Compared in milliseconds, so that exactly the minimum passes and one second less does not.
  const requiredMs = 'minutes' in rules.minPresence ? rules.minPresence.minutes * MINUTE : ((end - start) * rules.minPresence.percent) / 100;
  if (signOutAt !== null && presenceMs < requiredMs) shortfalls.push('too-short');

  const earnsCredit = shortfalls.length === 0;
  return {
    signInAt,
    signOutAt,
    tapCount: counted.length,
    outsideWindowCount,
    presenceMinutes,
    status: earnsCredit ? 'complete' : 'incomplete',
    shortfalls,
    earnsCredit,
  };
}

/** Online learning (远程/线上) needs 6 hours of watch time a day: 1.5 days → 9 hours, 2 days → 12. */
export const ONLINE_MINUTES_PER_DAY = 360;

export function requiredOnlineMinutes(days: number): number {
  return Math.ceil(days * ONLINE_MINUTES_PER_DAY);
}

/** Whether accumulated watch time earns the credit of an online course of `days` days. */
export function evaluateOnlineWatch(input: { watchedMinutes: number; days: number }): { requiredMinutes: number; earnsCredit: boolean } {
  const requiredMinutes = requiredOnlineMinutes(input.days);
  return { requiredMinutes, earnsCredit: input.watchedMinutes >= requiredMinutes };
}

/** A span a person watched an online session (远程/线上), as an online learning platform reported it. */
export interface WatchInterval {
  start: string;
  end: string;
}

/**
 * How many days of watch time an online session asks for (1天 6 学时, 1天半 9, 2天 12): the China
 * days its window spans, the last one counting half when the session ends by noon on it (a
 * "1天半" meeting ends at midday of its second day).
 */
export function onlineSessionDays(window: SessionWindow): number {
  const first = chinaDate(window.startsAt);
  const last = chinaDate(window.endsAt);
  const days = daysBetween(first, last) + 1;
  if (days <= 1) return 1;
  const noon = chinaDayStart(last).getTime() + 12 * 3_600_000;
  return ms(window.endsAt) <= noon ? days - 0.5 : days;
}

export interface OnlineWatchResult {
  /** Seconds watched per China date of the session, overlaps counted once. */
  perDay: { date: string; seconds: number }[];
  watchedSeconds: number;
  watchedMinutes: number;
  sessionDays: number;
  requiredMinutes: number;
  earnsCredit: boolean;
}

/**
 * The watch time of one person in one online session from every span any platform reported, in
 * any order, repeated or overlapping: spans are merged (two platforms, or a replayed report, never
 * count the same minute twice), kept to the session's China days, and accumulated per day.
 */
export function evaluateOnlineSession(input: { intervals: readonly WatchInterval[]; window: SessionWindow }): OnlineWatchResult {
  const first = chinaDate(input.window.startsAt);
  const sessionDays = onlineSessionDays(input.window);
  const dayCount = daysBetween(first, chinaDate(input.window.endsAt)) + 1;
  const from = chinaDayStart(first).getTime();
  const to = chinaDayStart(addDays(first, dayCount)).getTime();
  const spans = input.intervals
    .map((i) => [Math.max(from, ms(i.start)), Math.min(to, ms(i.end))] as const)
    .filter(([s, e]) => Number.isFinite(s) && Number.isFinite(e) && e > s)
    .sort((a, b) => a[0] - b[0]);
  const merged: [number, number][] = [];
  for (const [s, e] of spans) {
    const lastSpan = merged.at(-1);
    if (lastSpan && s <= lastSpan[1]) lastSpan[1] = Math.max(lastSpan[1], e);
    else merged.push([s, e]);
  }
  const perDay = Array.from({ length: dayCount }, (_, i) => {
    const date = addDays(first, i);
    const dayStart = chinaDayStart(date).getTime();
    const dayEnd = dayStart + 24 * 3_600_000;
    let watched = 0;
    for (const [s, e] of merged) watched += Math.max(0, Math.min(e, dayEnd) - Math.max(s, dayStart));
    return { date, seconds: Math.floor(watched / 1000) };
  });
  const watchedSeconds = perDay.reduce((sum, d) => sum + d.seconds, 0);
  const watchedMinutes = Math.floor(watchedSeconds / 60);
  return { perDay, watchedSeconds, watchedMinutes, sessionDays, ...evaluateOnlineWatch({ watchedMinutes, days: sessionDays }) };
}

function earliest(taps: readonly TimedTap[]): string | null {
  let best: string | null = null;
  for (const t of taps) if (best === null || ms(t.at) < ms(best)) best = t.at;
  return best;
}
