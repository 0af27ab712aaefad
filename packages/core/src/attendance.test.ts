import { describe, expect, it } from 'vitest';
import {
  type AttendanceRules,
  type CardStanding,
  DEFAULT_ATTENDANCE_RULES,
  decideTap,
  evaluateAttendance,
  evaluateOnlineSession,
  evaluateOnlineWatch,
  onlineSessionDays,
  requiredOnlineMinutes,
  type Shortfall,
  type TapDecision,
  tapDirectionOf,
  tapWindow,
} from './attendance.ts';

// A morning session 09:00–12:00 Beijing time; the door takes taps 08:00–13:00 (defaults: opens 60
// min before, closes 60 min after, 15 min grace both ends, 80 % presence, 60 s gap).
const at = (hhmmss: string) => `2026-11-22T${hhmmss}+08:00`;
const iso = (hhmmss: string) => new Date(at(hhmmss)).toISOString();
const window = { startsAt: at('09:00:00'), endsAt: at('12:00:00') };
const taps = (...times: string[]) => times.map((t) => ({ at: at(t) }));

describe('tapWindow', () => {
  it('opens before the start and closes after the end by the settings', () => {
    expect(tapWindow(window, DEFAULT_ATTENDANCE_RULES)).toEqual({ opensAt: iso('08:00:00'), closesAt: iso('13:00:00') });
  });
});

describe('decideTap', () => {
  const cases: { name: string; card?: CardStanding; earlier: string[]; tap: string; expected: TapDecision }[] = [
    { name: 'first tap is the sign-in', earlier: [], tap: '08:55:00', expected: { kind: 'sign-in' } },
    { name: 'first tap exactly when the door opens', earlier: [], tap: '08:00:00', expected: { kind: 'sign-in' } },
    {
      name: 'one second before the door opens',
      earlier: [],
      tap: '07:59:59',
      expected: { kind: 'outside-window', opensAt: iso('08:00:00'), closesAt: iso('13:00:00') },
    },
    {
      name: 'one second after the door closes',
      earlier: ['09:00:00'],
      tap: '13:00:01',
      expected: { kind: 'outside-window', opensAt: iso('08:00:00'), closesAt: iso('13:00:00') },
    },
    { name: 'exactly when the door closes is a sign-out', earlier: ['09:00:00'], tap: '13:00:00', expected: { kind: 'sign-out', signedInAt: at('09:00:00') } },
    { name: 'second swipe inside the gap', earlier: ['09:02:00'], tap: '09:02:59', expected: { kind: 'already-signed-in', signedInAt: at('09:02:00') } },
    { name: 'exactly the gap after the sign-in signs out', earlier: ['09:02:00'], tap: '09:03:00', expected: { kind: 'sign-out', signedInAt: at('09:02:00') } },
    {
      name: 'third tap signs out again (the later one counts)',
      earlier: ['09:00:00', '11:50:00'],
      tap: '11:58:00',
      expected: { kind: 'sign-out', signedInAt: at('09:00:00') },
    },
    {
      name: 'gap is measured from the sign-in, not the last tap',
      earlier: ['09:00:00', '11:00:00'],
      tap: '11:00:10',
      expected: { kind: 'sign-out', signedInAt: at('09:00:00') },
    },
    { name: 'an earlier tap outside the window is not a sign-in', earlier: ['07:30:00'], tap: '08:30:00', expected: { kind: 'sign-in' } },
    { name: 'unknown card, whatever the time', card: 'unknown', earlier: [], tap: '07:00:00', expected: { kind: 'unknown-card' } },
    { name: 'deny-listed card (挂失), even after a sign-in', card: 'denied', earlier: ['09:00:00'], tap: '11:59:00', expected: { kind: 'denied-card' } },
  ];
  it.each(cases)('$name', ({ card = 'active', earlier, tap, expected }) => {
    expect(decideTap({ card, earlier: taps(...earlier), at: at(tap), window })).toEqual(expected);
  });

  it('uses the gap of the rules it is given', () => {
    const rules: AttendanceRules = { ...DEFAULT_ATTENDANCE_RULES, minSignOutGapMs: 10 * 60_000 };
    expect(decideTap({ card: 'active', earlier: taps('09:00:00'), at: at('09:09:59'), window, rules }).kind).toBe('already-signed-in');
    expect(decideTap({ card: 'active', earlier: taps('09:00:00'), at: at('09:10:00'), window, rules }).kind).toBe('sign-out');
  });

  it.each([
    ['sign-in', 'in'],
    ['sign-out', 'out'],
    ['already-signed-in', 'repeat'],
    ['outside-window', 'none'],
    ['unknown-card', 'none'],
    ['denied-card', 'none'],
  ] as const)('a %s is recorded with direction %s', (kind, direction) => {
    expect(tapDirectionOf({ kind, signedInAt: '', opensAt: '', closesAt: '' })).toBe(direction);
  });
});

describe('evaluateAttendance', () => {
  const minutes = (n: number): AttendanceRules => ({ ...DEFAULT_ATTENDANCE_RULES, minPresence: { minutes: n } });
  const cases: {
    name: string;
    taps: string[];
    rules?: AttendanceRules;
    signInAt: string | null;
    signOutAt: string | null;
    presence: number;
    shortfalls: Shortfall[];
    status: 'complete' | 'incomplete' | 'absent';
  }[] = [
    { name: 'no taps: absent', taps: [], signInAt: null, signOutAt: null, presence: 0, shortfalls: [], status: 'absent' },
    {
      name: 'in before the start, out after the end',
      taps: ['08:50:00', '12:05:00'],
      signInAt: '08:50:00',
      signOutAt: '12:05:00',
      presence: 180,
      shortfalls: [],
      status: 'complete',
    },
    {
      name: 'taps in any order',
      taps: ['12:05:00', '08:50:00'],
      signInAt: '08:50:00',
      signOutAt: '12:05:00',
      presence: 180,
      shortfalls: [],
      status: 'complete',
    },
    {
      name: 'sign-in exactly at the end of the grace',
      taps: ['09:15:00', '12:00:00'],
      signInAt: '09:15:00',
      signOutAt: '12:00:00',
      presence: 165,
      shortfalls: [],
      status: 'complete',
    },
    {
      name: 'sign-in one second after the grace',
      taps: ['09:15:01', '12:00:00'],
      signInAt: '09:15:01',
      signOutAt: '12:00:00',
      presence: 164,
      shortfalls: ['late-sign-in'],
      status: 'incomplete',
    },
    {
      name: 'sign-out exactly at the start of the grace',
      taps: ['09:00:00', '11:45:00'],
      signInAt: '09:00:00',
      signOutAt: '11:45:00',
      presence: 165,
      shortfalls: [],
      status: 'complete',
    },
    {
      name: 'sign-out one second before the grace',
      taps: ['09:00:00', '11:44:59'],
      signInAt: '09:00:00',
      signOutAt: '11:44:59',
      presence: 164,
      shortfalls: ['early-sign-out'],
      status: 'incomplete',
    },
    {
      name: 'a tap one second before the door opens is not the sign-in',
      taps: ['07:59:59', '09:05:00', '12:00:00'],
      signInAt: '09:05:00',
      signOutAt: '12:00:00',
      presence: 175,
      shortfalls: [],
      status: 'complete',
    },
    {
      name: 'a tap one second after the door closes is not the sign-out',
      taps: ['09:00:00', '13:00:01'],
      signInAt: '09:00:00',
      signOutAt: null,
      presence: 0,
      shortfalls: ['no-sign-out'],
      status: 'incomplete',
    },
    {
      name: 'a tap exactly when the door closes is the sign-out',
      taps: ['09:00:00', '13:00:00'],
      signInAt: '09:00:00',
      signOutAt: '13:00:00',
      presence: 180,
      shortfalls: [],
      status: 'complete',
    },
    {
      name: 'only taps outside the window: absent',
      taps: ['07:00:00', '14:00:00'],
      signInAt: null,
      signOutAt: null,
      presence: 0,
      shortfalls: [],
      status: 'absent',
    },
    { name: 'sign-in only', taps: ['09:00:00'], signInAt: '09:00:00', signOutAt: null, presence: 0, shortfalls: ['no-sign-out'], status: 'incomplete' },
    // The first tap is the sign-in, so a person who only taps on the way out has signed in late and never out.
    {
      name: 'sign-out without sign-in',
      taps: ['12:00:00'],
      signInAt: '12:00:00',
      signOutAt: null,
      presence: 0,
      shortfalls: ['late-sign-in', 'no-sign-out'],
      status: 'incomplete',
    },
    {
      name: 'two swipes inside the gap are one sign-in',
      taps: ['09:00:00', '09:00:59'],
      signInAt: '09:00:00',
      signOutAt: null,
      presence: 0,
      shortfalls: ['no-sign-out'],
      status: 'incomplete',
    },
    {
      name: 'three taps: in, repeat, out',
      taps: ['09:00:00', '09:00:30', '12:00:00'],
      signInAt: '09:00:00',
      signOutAt: '12:00:00',
      presence: 180,
      shortfalls: [],
      status: 'complete',
    },
    {
      name: 'three taps: in, out, a later out wins',
      taps: ['09:00:00', '10:00:00', '11:59:00'],
      signInAt: '09:00:00',
      signOutAt: '11:59:00',
      presence: 179,
      shortfalls: [],
      status: 'complete',
    },
    {
      name: 'presence exactly the minimum (80 % of 180 = 144 min)',
      taps: ['09:00:00', '11:24:00'],
      rules: { ...DEFAULT_ATTENDANCE_RULES, earlySignOutMinutes: 60 },
      signInAt: '09:00:00',
      signOutAt: '11:24:00',
      presence: 144,
      shortfalls: [],
      status: 'complete',
    },
    {
      name: 'presence one second short of the minimum',
      taps: ['09:00:00', '11:23:59'],
      rules: { ...DEFAULT_ATTENDANCE_RULES, earlySignOutMinutes: 60 },
      signInAt: '09:00:00',
      signOutAt: '11:23:59',
      presence: 143,
      shortfalls: ['too-short'],
      status: 'incomplete',
    },
    {
      name: 'minimum in minutes, exactly met',
      taps: ['09:00:00', '11:00:00'],
      rules: { ...minutes(120), earlySignOutMinutes: 60 },
      signInAt: '09:00:00',
      signOutAt: '11:00:00',
      presence: 120,
      shortfalls: [],
      status: 'complete',
    },
    {
      name: 'minimum in minutes, one second short',
      taps: ['09:00:01', '11:00:00'],
      rules: { ...minutes(120), earlySignOutMinutes: 60 },
      signInAt: '09:00:01',
      signOutAt: '11:00:00',
      presence: 119,
      shortfalls: ['too-short'],
      status: 'incomplete',
    },
    {
      name: 'time before the start does not count as presence',
      taps: ['08:00:00', '11:50:00'],
      rules: minutes(171),
      signInAt: '08:00:00',
      signOutAt: '11:50:00',
      presence: 170,
      shortfalls: ['too-short'],
      status: 'incomplete',
    },
  ];
  it.each(cases)('$name', ({ taps: times, rules, signInAt, signOutAt, presence, shortfalls, status }) => {
    const result = evaluateAttendance({ taps: taps(...times), window, ...(rules ? { rules } : {}) });
    expect(result).toMatchObject({
      signInAt: signInAt && at(signInAt),
      signOutAt: signOutAt && at(signOutAt),
      presenceMinutes: presence,
      shortfalls,
      status,
      earnsCredit: status === 'complete',
    });
  });

  it('counts taps inside the window and outside apart', () => {
    const result = evaluateAttendance({ taps: taps('07:00:00', '09:00:00', '09:00:10', '12:00:00', '13:30:00'), window });
    expect(result).toMatchObject({ tapCount: 3, outsideWindowCount: 2 });
  });

  it('compares instants, not strings, across time zones', () => {
    const result = evaluateAttendance({ taps: [{ at: '2026-11-22T04:00:00Z' }, { at: at('08:58:00') }], window });
    expect(result).toMatchObject({ signInAt: at('08:58:00'), signOutAt: '2026-11-22T04:00:00Z', status: 'complete' });
  });

  it('agrees with the door: the taps the door called sign-in and sign-out are the ones evaluated', () => {
    const seen: string[] = [];
    const decisions = ['09:01:00', '09:01:30', '11:30:00', '11:58:00'].map((t) => {
      const d = decideTap({ card: 'active', earlier: taps(...seen), at: at(t), window });
      seen.push(t);
      return d.kind;
    });
    expect(decisions).toEqual(['sign-in', 'already-signed-in', 'sign-out', 'sign-out']);
    expect(evaluateAttendance({ taps: taps(...seen), window })).toMatchObject({ signInAt: at('09:01:00'), signOutAt: at('11:58:00') });
  });
});

describe('online watch time', () => {
  it.each([
    { days: 1, required: 360 },
    { days: 1.5, required: 540 },
    { days: 2, required: 720 },
  ])('$days day(s) need $required minutes', ({ days, required }) => {
    expect(requiredOnlineMinutes(days)).toBe(required);
    expect(evaluateOnlineWatch({ watchedMinutes: required, days })).toEqual({ requiredMinutes: required, earnsCredit: true });
    expect(evaluateOnlineWatch({ watchedMinutes: required - 1, days }).earnsCredit).toBe(false);
  });
});

describe('online session watch time', () => {
  const day = { startsAt: '2026-11-23T08:00:00+08:00', endsAt: '2026-11-23T18:00:00+08:00' };
  const span = (from: string, to: string) => ({ start: `2026-11-23T${from}:00+08:00`, end: `2026-11-23T${to}:00+08:00` });

  it('asks 1 day of a one-day session, 1.5 of one that ends at noon of its second, 2 of two full days', () => {
    expect(onlineSessionDays(day)).toBe(1);
    expect(onlineSessionDays({ startsAt: day.startsAt, endsAt: '2026-11-24T12:00:00+08:00' })).toBe(1.5);
    expect(onlineSessionDays({ startsAt: day.startsAt, endsAt: '2026-11-24T17:00:00+08:00' })).toBe(2);
  });

  it('6 h in a day is complete, 5 h 50 min is not', () => {
    expect(evaluateOnlineSession({ intervals: [span('08:00', '11:00'), span('13:00', '16:00')], window: day })).toMatchObject({
      watchedMinutes: 360,
      requiredMinutes: 360,
      earnsCredit: true,
    });
    expect(evaluateOnlineSession({ intervals: [span('08:00', '11:00'), span('13:00', '15:50')], window: day })).toMatchObject({
      watchedMinutes: 350,
      earnsCredit: false,
    });
  });

  it('counts overlapping and repeated spans once, in any order', () => {
    const result = evaluateOnlineSession({
      intervals: [span('10:00', '12:00'), span('08:00', '11:00'), span('08:00', '11:00'), span('11:30', '11:45')],
      window: day,
    });
    expect(result.watchedMinutes).toBe(240);
  });

  it('keeps to the session days and splits a span at China midnight', () => {
    const twoDays = { startsAt: '2026-11-23T08:00:00+08:00', endsAt: '2026-11-24T18:00:00+08:00' };
    const result = evaluateOnlineSession({
      intervals: [
        { start: '2026-11-22T20:00:00+08:00', end: '2026-11-22T23:00:00+08:00' },
        { start: '2026-11-23T22:00:00+08:00', end: '2026-11-24T02:00:00+08:00' },
      ],
      window: twoDays,
    });
    expect(result.perDay).toEqual([
      { date: '2026-11-23', seconds: 2 * 3600 },
      { date: '2026-11-24', seconds: 2 * 3600 },
    ]);
    expect(result.requiredMinutes).toBe(720);
  });
});
