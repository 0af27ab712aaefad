// Proxy-tap (代刷) detection: rules as data. Each rule is a pure function over taps and its part of
// the configuration; the server runs them on the taps around each pushed batch, the kiosk runs the
// burst rule on its own recent taps to warn the door staff. A finding is a suspicion for a
// reviewer, never a decision: the taps stay stored and counted until the reviewer confirms it.
import { z } from 'zod';

/** The rules, each with its thresholds, as a province (or the default) sets them. */
export const ProxyRules = z.object({
  /** A burst (连刷): more than `maxCards` distinct cards at one door within `windowSeconds`. */
  burst: z.object({ enabled: z.boolean(), maxCards: z.number().int().min(1).max(1000), windowSeconds: z.number().positive().max(3600) }),
  /** Manual entries (手工录入) in a row at one door: more than `maxRun` typed numbers with no card read between. */
  manualRun: z.object({ enabled: z.boolean(), maxRun: z.number().int().min(1).max(1000) }),
  /** One person at two venues sooner than anyone could travel between them. */
  impossibleTravel: z.object({
    enabled: z.boolean(),
    minTravelMinutes: z
      .number()
      .positive()
      .max(24 * 60),
  }),
  /** A tap of a card reported lost (挂失). */
  lostCard: z.object({ enabled: z.boolean() }),
  /** A sign-out at a door other than the sign-in's, standing at another place. */
  farSignOut: z.object({ enabled: z.boolean() }),
  /** Two people who sign in and out within `withinSeconds` of each other in `minSessions` sessions. */
  twinPattern: z.object({ enabled: z.boolean(), withinSeconds: z.number().positive().max(3600), minSessions: z.number().int().min(2).max(100) }),
});
export type ProxyRules = z.infer<typeof ProxyRules>;

export const DEFAULT_PROXY_RULES: ProxyRules = {
  burst: { enabled: true, maxCards: 5, windowSeconds: 10 },
  manualRun: { enabled: true, maxRun: 5 },
  impossibleTravel: { enabled: true, minTravelMinutes: 30 },
  lostCard: { enabled: true },
  farSignOut: { enabled: true },
  twinPattern: { enabled: true, withinSeconds: 10, minSessions: 3 },
};

export const ProxyRuleName = z.enum(['burst', 'manual-run', 'impossible-travel', 'lost-card', 'far-sign-out', 'twin-pattern']);
export type ProxyRuleName = z.infer<typeof ProxyRuleName>;

/** A tap as the rules see it. */
export interface ProxyTap {
  tapId: string;
  /** The device (door, 刷卡设备) that recorded it. */
  door: string;
  sessionId: string;
  /** Who holds the card, where known. */
  personId: string | null;
  /** The card as the door read it (kind and value): distinct cards are distinct values. */
  card: string;
  /** ISO instant. */
  at: string;
  source: 'reader' | 'manual';
  /** The venue of the tap's session (场地): where the person was, if they were there. */
  venue: string | null;
  /** Where the door itself stands, if its unit said; null for a door taken to stand at the venue. */
  doorPlace: string | null;
  /** The card was reported lost (挂失) when it was tapped. */
  lost: boolean;
}

/**
 * What a rule found: its taps and the figures that tripped it. `key` names the finding stably, so
 * that the same finding made again from a later batch is recognised as the same.
 */
export interface ProxyFinding {
  rule: ProxyRuleName;
  key: string;
  tapIds: string[];
  params: Record<string, number | string>;
}

// Parsed once a tap: the sorts below compare each tap many times, and a push reads thousands around it.
const parsedAt = new WeakMap<ProxyTap, number>();
const ms = (t: ProxyTap) => {
  let at = parsedAt.get(t);
  if (at === undefined) parsedAt.set(t, (at = Date.parse(t.at)));
  return at;
};
const byTime = (a: ProxyTap, b: ProxyTap) => ms(a) - ms(b) || a.tapId.localeCompare(b.tapId);

function groupBy<T>(items: readonly T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    const group = groups.get(k);
    if (group) group.push(item);
    else groups.set(k, [item]);
  }
  return groups;
}

/**
 * Bursts: at each door, every span shorter than the window in which more than `maxCards` distinct
 * cards were tapped. Overlapping spans are one burst: a proxy with a stack of twelve cards is one
 * finding, not seven. Repeats of one card count once.
 */
export function findBursts(taps: readonly ProxyTap[], rules: ProxyRules['burst']): ProxyFinding[] {
  if (!rules.enabled) return [];
  const windowMs = rules.windowSeconds * 1000;
  const findings: ProxyFinding[] = [];
  for (const [door, doorTaps] of groupBy(taps, (t) => t.door)) {
    const sorted = [...doorTaps].sort(byTime);
    let current: { taps: Set<ProxyTap>; end: number } | null = null;
    const close = () => {
      if (!current) return;
      const members = [...current.taps].sort(byTime);
      findings.push({
        rule: 'burst',
        key: `${door}|${members[0]!.tapId}`,
        tapIds: members.map((t) => t.tapId),
        params: { cards: new Set(members.map((t) => t.card)).size, seconds: rules.windowSeconds },
      });
      current = null;
    };
    let start = 0;
    const counts = new Map<string, number>();
    for (let end = 0; end < sorted.length; end++) {
      const tap = sorted[end]!;
      counts.set(tap.card, (counts.get(tap.card) ?? 0) + 1);
      while (ms(tap) - ms(sorted[start]!) >= windowMs) {
        const card = sorted[start]!.card;
        const n = counts.get(card)! - 1;
        if (n === 0) counts.delete(card);
        else counts.set(card, n);
        start++;
      }
      if (counts.size <= rules.maxCards) continue;
      if (current && start > current.end) close();
      current ??= { taps: new Set(), end };
      for (let i = start; i <= end; i++) current.taps.add(sorted[i]!);
      current.end = end;
    }
    close();
  }
  return findings;
}

/** Manual entries in a row: at each door, runs of more than `maxRun` typed numbers with no card read between. */
export function findManualRuns(taps: readonly ProxyTap[], rules: ProxyRules['manualRun']): ProxyFinding[] {
  if (!rules.enabled) return [];
  const findings: ProxyFinding[] = [];
  for (const [door, doorTaps] of groupBy(taps, (t) => t.door)) {
    let run: ProxyTap[] = [];
    const close = () => {
      if (run.length > rules.maxRun) {
        findings.push({ rule: 'manual-run', key: `${door}|${run[0]!.tapId}`, tapIds: run.map((t) => t.tapId), params: { entries: run.length } });
      }
      run = [];
    };
    for (const tap of [...doorTaps].sort(byTime)) {
      if (tap.source === 'manual') run.push(tap);
      else close();
    }
    close();
  }
  return findings;
}

/** One person tapped at two venues closer in time than `minTravelMinutes`. */
export function findImpossibleTravel(taps: readonly ProxyTap[], rules: ProxyRules['impossibleTravel']): ProxyFinding[] {
  if (!rules.enabled) return [];
  const minMs = rules.minTravelMinutes * 60_000;
  const findings: ProxyFinding[] = [];
  for (const [personId, own] of groupBy(
    taps.filter((t) => t.personId !== null && t.venue !== null),
    (t) => t.personId!,
  )) {
    const sorted = [...own].sort(byTime);
    for (let i = 1; i < sorted.length; i++) {
      const [a, b] = [sorted[i - 1]!, sorted[i]!];
      const gap = ms(b) - ms(a);
      if (a.venue === b.venue || gap >= minMs) continue;
      findings.push({
        rule: 'impossible-travel',
        key: `${personId}|${a.tapId}|${b.tapId}`,
        tapIds: [a.tapId, b.tapId],
        params: { minutes: Math.round(gap / 60_000), from: a.venue!, to: b.venue! },
      });
    }
  }
  return findings;
}

/** Taps of cards reported lost: one finding per card and session. */
export function findLostCards(taps: readonly ProxyTap[], rules: ProxyRules['lostCard']): ProxyFinding[] {
  if (!rules.enabled) return [];
  return [
    ...groupBy(
      taps.filter((t) => t.lost),
      (t) => `${t.sessionId}|${t.card}`,
    ),
  ].map(([key, lost]) => ({ rule: 'lost-card', key, tapIds: lost.sort(byTime).map((t) => t.tapId), params: { taps: lost.length } }));
}

/** Each person's first and last tap in each session: the sign-in and the sign-out. */
function signInsAndOuts(taps: readonly ProxyTap[]): { personId: string; sessionId: string; first: ProxyTap; last: ProxyTap }[] {
  return [
    ...groupBy(
      taps.filter((t) => t.personId !== null),
      (t) => `${t.sessionId}|${t.personId}`,
    ).values(),
  ].map((own) => {
    const sorted = [...own].sort(byTime);
    return { personId: sorted[0]!.personId!, sessionId: sorted[0]!.sessionId, first: sorted[0]!, last: sorted.at(-1)! };
  });
}

/**
 * A sign-out far from the sign-in: the last tap of a person in a session was at another door than
 * the first, and that door stands at another place. Doors whose place nobody gave are taken to
 * stand at the venue together, and never trip it: leaving by another exit of one hall is normal.
 */
export function findFarSignOuts(taps: readonly ProxyTap[], rules: ProxyRules['farSignOut']): ProxyFinding[] {
  if (!rules.enabled) return [];
  return signInsAndOuts(taps)
    .filter(({ first, last }) => first !== last && first.door !== last.door && (first.doorPlace ?? first.venue) !== (last.doorPlace ?? last.venue))
    .map(({ personId, sessionId, first, last }) => ({
      rule: 'far-sign-out',
      key: `${sessionId}|${personId}`,
      tapIds: [first.tapId, last.tapId],
      params: { from: first.doorPlace ?? first.venue ?? '', to: last.doorPlace ?? last.venue ?? '' },
    }));
}

/**
 * Twins: two people who, in at least `minSessions` sessions, both signed in and both signed out
 * within `withinSeconds` of each other: one hand holding two cards. A person who tapped once in a
 * session (no sign-out) matches no one there.
 */
export function findTwinPatterns(taps: readonly ProxyTap[], rules: ProxyRules['twinPattern']): ProxyFinding[] {
  if (!rules.enabled) return [];
  const withinMs = rules.withinSeconds * 1000;
  const shared = new Map<string, { a: string; b: string; tapIds: string[]; sessions: number }>();
  for (const attended of groupBy(
    signInsAndOuts(taps).filter((p) => p.first !== p.last),
    (p) => p.sessionId,
  ).values()) {
    const sorted = attended.sort((x, y) => byTime(x.first, y.first));
    for (let i = 0; i < sorted.length; i++) {
      for (let j = i + 1; j < sorted.length && ms(sorted[j]!.first) - ms(sorted[i]!.first) < withinMs; j++) {
        const [x, y] = [sorted[i]!, sorted[j]!];
        if (Math.abs(ms(x.last) - ms(y.last)) >= withinMs) continue;
        const [a, b] = [x.personId, y.personId].sort() as [string, string];
        const pair = shared.get(`${a}|${b}`) ?? { a, b, tapIds: [], sessions: 0 };
        pair.sessions++;
        pair.tapIds.push(x.first.tapId, y.first.tapId, x.last.tapId, y.last.tapId);
        shared.set(`${a}|${b}`, pair);
      }
    }
  }
  return [...shared.values()]
    .filter((p) => p.sessions >= rules.minSessions)
    .map((p) => ({ rule: 'twin-pattern', key: `${p.a}|${p.b}`, tapIds: p.tapIds, params: { sessions: p.sessions, seconds: rules.withinSeconds } }));
}

/** Every rule over the same taps. */
export function findProxyTaps(taps: readonly ProxyTap[], rules: ProxyRules): ProxyFinding[] {
  return [
    ...findBursts(taps, rules.burst),
    ...findManualRuns(taps, rules.manualRun),
    ...findImpossibleTravel(taps, rules.impossibleTravel),
    ...findLostCards(taps, rules.lostCard),
    ...findFarSignOuts(taps, rules.farSignOut),
    ...findTwinPatterns(taps, rules.twinPattern),
  ];
}
