import { describe, expect, it } from 'vitest';
import {
  DEFAULT_PROXY_RULES,
  findBursts,
  findFarSignOuts,
  findImpossibleTravel,
  findLostCards,
  findManualRuns,
  findProxyTaps,
  findTwinPatterns,
  type ProxyTap,
  ProxyRules,
} from './proxy-rules.ts';

const T0 = Date.parse('2026-12-01T00:00:00Z');
let n = 0;
/** A tap `seconds` after T0; everything else defaults to one door, one session, a card read. */
function tap(seconds: number, over: Partial<ProxyTap> = {}): ProxyTap {
  n++;
  return {
    tapId: `t${String(n).padStart(4, '0')}`,
    door: 'east',
    sessionId: 's1',
    personId: `p${n}`,
    card: `card-${n}`,
    at: new Date(T0 + seconds * 1000).toISOString(),
    source: 'reader',
    venue: '学术报告厅',
    doorPlace: null,
    lost: false,
    ...over,
  };
}

describe('the configuration', () => {
  it('parses the defaults and refuses a threshold that makes no sense', () => {
    expect(ProxyRules.parse(DEFAULT_PROXY_RULES)).toEqual(DEFAULT_PROXY_RULES);
    expect(ProxyRules.safeParse({ ...DEFAULT_PROXY_RULES, burst: { enabled: true, maxCards: 0, windowSeconds: 10 } }).success).toBe(false);
    expect(ProxyRules.safeParse({ ...DEFAULT_PROXY_RULES, twinPattern: { enabled: true, withinSeconds: 10, minSessions: 1 } }).success).toBe(false);
  });
});

describe('findBursts (more than 5 distinct cards in 10 s)', () => {
  const rules = DEFAULT_PROXY_RULES.burst;
  it('fires for 6 distinct cards whose first and last are 9.999 s apart', () => {
    const taps = [0, 2, 4, 6, 8, 9.999].map((s) => tap(s));
    const found = findBursts(taps, rules);
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({ rule: 'burst', tapIds: taps.map((t) => t.tapId), params: { cards: 6, seconds: 10 } });
  });
  it('does not fire when the sixth card comes 10 s after the first', () => {
    expect(
      findBursts(
        [0, 2, 4, 6, 8, 10].map((s) => tap(s)),
        rules,
      ),
    ).toEqual([]);
  });
  it('does not fire for exactly 5 cards, nor count one card tapped twice as two', () => {
    expect(
      findBursts(
        [0, 1, 2, 3, 4].map((s) => tap(s)),
        rules,
      ),
    ).toEqual([]);
    const again = tap(5, { card: 'card-same' });
    expect(findBursts([...[0, 1, 2, 3].map((s) => tap(s)), again, { ...again, tapId: 'repeat', at: new Date(T0 + 6000).toISOString() }], rules)).toEqual([]);
  });
  it('does not mix doors, and makes one finding of one long burst', () => {
    const split = [0, 1, 2].map((s) => tap(s, { door: 'east' })).concat([3, 4, 5].map((s) => tap(s, { door: 'west' })));
    expect(findBursts(split, rules)).toEqual([]);
    const long = Array.from({ length: 12 }, (_, i) => tap(i));
    expect(findBursts(long, rules)).toHaveLength(1);
    expect(findBursts(long, rules)[0]!.tapIds).toHaveLength(12);
  });
  it('follows the configuration and can be switched off', () => {
    const taps = [0, 1, 2, 3].map((s) => tap(s));
    expect(findBursts(taps, { enabled: true, maxCards: 3, windowSeconds: 5 })).toHaveLength(1);
    expect(findBursts(taps, { enabled: false, maxCards: 3, windowSeconds: 5 })).toEqual([]);
  });
});

describe('findManualRuns (more than 5 typed numbers in a row)', () => {
  const rules = DEFAULT_PROXY_RULES.manualRun;
  it('fires for 6 manual entries in a row', () => {
    const taps = [0, 60, 120, 180, 240, 300].map((s) => tap(s, { source: 'manual' }));
    expect(findManualRuns(taps, rules)).toEqual([expect.objectContaining({ rule: 'manual-run', tapIds: taps.map((t) => t.tapId), params: { entries: 6 } })]);
  });
  it('does not fire for 5, nor when a card read breaks the run', () => {
    expect(
      findManualRuns(
        [0, 1, 2, 3, 4].map((s) => tap(s, { source: 'manual' })),
        rules,
      ),
    ).toEqual([]);
    const broken = [0, 1, 2]
      .map((s) => tap(s, { source: 'manual' }))
      .concat(
        [tap(3)],
        [4, 5, 6].map((s) => tap(s, { source: 'manual' })),
      );
    expect(findManualRuns(broken, rules)).toEqual([]);
  });
});

describe('findImpossibleTravel (two venues within 30 minutes)', () => {
  const rules = DEFAULT_PROXY_RULES.impossibleTravel;
  it('fires for one person at two venues 29 minutes apart', () => {
    const a = tap(0, { personId: 'p-x', venue: '一院报告厅', sessionId: 's1' });
    const b = tap(29 * 60, { personId: 'p-x', venue: '二院会议室', sessionId: 's2', door: 'other' });
    expect(findImpossibleTravel([a, b], rules)).toEqual([
      expect.objectContaining({ rule: 'impossible-travel', tapIds: [a.tapId, b.tapId], params: { minutes: 29, from: '一院报告厅', to: '二院会议室' } }),
    ]);
  });
  it('does not fire at 30 minutes, at one venue, or for two people', () => {
    const a = tap(0, { personId: 'p-x', venue: '一院报告厅' });
    expect(findImpossibleTravel([a, tap(30 * 60, { personId: 'p-x', venue: '二院会议室' })], rules)).toEqual([]);
    expect(findImpossibleTravel([a, tap(60, { personId: 'p-x', venue: '一院报告厅' })], rules)).toEqual([]);
    expect(findImpossibleTravel([a, tap(60, { personId: 'p-y', venue: '二院会议室' })], rules)).toEqual([]);
  });
});

describe('findLostCards', () => {
  it('fires once per lost card and session, and not for an active card', () => {
    const lost = [tap(0, { card: 'lost-1', lost: true }), tap(100, { card: 'lost-1', lost: true })];
    expect(findLostCards([...lost, tap(5)], DEFAULT_PROXY_RULES.lostCard)).toEqual([
      expect.objectContaining({ rule: 'lost-card', tapIds: lost.map((t) => t.tapId), params: { taps: 2 } }),
    ]);
    expect(findLostCards([tap(0)], DEFAULT_PROXY_RULES.lostCard)).toEqual([]);
  });
});

describe('findFarSignOuts', () => {
  const rules = DEFAULT_PROXY_RULES.farSignOut;
  it('fires for a sign-out at another door standing at another place', () => {
    const sIn = tap(0, { personId: 'p-x', door: 'east', doorPlace: '门诊楼' });
    const sOut = tap(3600, { personId: 'p-x', door: 'west', doorPlace: '住院楼' });
    expect(findFarSignOuts([sIn, sOut], rules)).toEqual([
      expect.objectContaining({ rule: 'far-sign-out', tapIds: [sIn.tapId, sOut.tapId], params: { from: '门诊楼', to: '住院楼' } }),
    ]);
  });
  it('does not fire at the same door, at doors of one place, or at doors with no place given', () => {
    const sIn = tap(0, { personId: 'p-x', door: 'east', doorPlace: '门诊楼' });
    expect(findFarSignOuts([sIn, tap(3600, { personId: 'p-x', door: 'east', doorPlace: '门诊楼' })], rules)).toEqual([]);
    expect(findFarSignOuts([sIn, tap(3600, { personId: 'p-x', door: 'west', doorPlace: '门诊楼' })], rules)).toEqual([]);
    expect(findFarSignOuts([tap(0, { personId: 'p-y', door: 'east' }), tap(3600, { personId: 'p-y', door: 'west' })], rules)).toEqual([]);
  });
});

describe('findTwinPatterns (sign-in and out within 10 s of another in 3 sessions)', () => {
  const rules = DEFAULT_PROXY_RULES.twinPattern;
  /** Both people's sign-in and sign-out in one session, the second `lagIn` / `lagOut` seconds after the first. */
  const sitting = (sessionId: string, lagIn: number, lagOut: number, b = 'p-b') => {
    const base = Number(sessionId.slice(1)) * 86_400;
    return [
      tap(base, { sessionId, personId: 'p-a' }),
      tap(base + lagIn, { sessionId, personId: b }),
      tap(base + 3600, { sessionId, personId: 'p-a' }),
      tap(base + 3600 + lagOut, { sessionId, personId: b }),
    ];
  };
  it('fires for 3 sessions with both within 9.999 s', () => {
    const taps = [...sitting('s1', 2, 3), ...sitting('s2', 9.999, 1), ...sitting('s3', 0, 9.999)];
    expect(findTwinPatterns(taps, rules)).toEqual([expect.objectContaining({ rule: 'twin-pattern', key: 'p-a|p-b', params: { sessions: 3, seconds: 10 } })]);
    expect(findTwinPatterns(taps, rules)[0]!.tapIds).toHaveLength(12);
  });
  it('does not fire for 2 sessions, or when one sign-out is 10 s apart, or for other people in each session', () => {
    expect(findTwinPatterns([...sitting('s1', 2, 3), ...sitting('s2', 2, 3)], rules)).toEqual([]);
    expect(findTwinPatterns([...sitting('s1', 2, 3), ...sitting('s2', 2, 3), ...sitting('s3', 2, 10)], rules)).toEqual([]);
    expect(findTwinPatterns([...sitting('s1', 2, 3, 'p-b'), ...sitting('s2', 2, 3, 'p-c'), ...sitting('s3', 2, 3, 'p-d')], rules)).toEqual([]);
  });
});

describe('findProxyTaps', () => {
  it('runs every rule over the same taps', () => {
    const taps = [...[0, 1, 2, 3, 4, 5].map((s) => tap(s, { source: 'manual' })), tap(6, { lost: true })];
    expect(findProxyTaps(taps, DEFAULT_PROXY_RULES).map((f) => f.rule)).toEqual(['burst', 'manual-run', 'lost-card']);
  });
});
