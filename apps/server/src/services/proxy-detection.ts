// Proxy-tap (代刷) detection as taps arrive: after a push stores its taps, the rules of core run on
// those taps and the taps around them (by door and by person), never on all history, and what
// they find becomes alerts for the organiser's reviewers.
import { findProxyTaps, type ProxyRules, type TapStatus } from '@opencme/core';
import type { DB } from '../db/connect.ts';
import { AROUND_LIMIT, type DetectedTap, keepFinding, personTapsOfSession, tapsById, tapsOfDoor, tapsOfPersons } from '../repositories/proxy-alerts.ts';
import { proxyRulesFor } from '../repositories/settings.ts';
import { logServerError } from '../request-log.ts';

/** How far around new typed numbers (手工录入) a door's taps are read: a run of them spans this at most. */
const DOOR_SPAN_MS = 60 * 60_000;
/** How far around them a person's taps are read: a session, and the travel to another. */
const PERSON_SPAN_MS = 24 * 3_600_000;
/** How far back twins are looked for: the sessions of about a CME year. */
const TWIN_SPAN_MS = 365 * 24 * 3_600_000;

function span(taps: readonly DetectedTap[]): { from: number; to: number } {
  const times = taps.map((t) => Date.parse(t.at));
  return { from: Math.min(...times), to: Math.max(...times) };
}

function byKey<T>(items: readonly T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    const group = groups.get(k);
    if (group) group.push(item);
    else groups.set(k, [item]);
  }
  return groups;
}

/** The rules' reading: the new taps, their doors' taps around them, and the taps of the people they name and of whoever tapped beside them. */
async function tapsAround(db: DB, fresh: readonly DetectedTap[], rules: readonly ProxyRules[]): Promise<DetectedTap[]> {
  const around = new Map(fresh.map((t) => [t.tapId, t]));
  const add = (taps: readonly DetectedTap[]) => taps.forEach((t) => around.set(t.tapId, t));
  // A burst that holds a new tap lies within one burst window of it, so that is all of a door the
  // burst rule needs; a run of typed numbers has no such bound, so a door with a new typed number
  // is read an hour around. Reading the hour for every push made a busy door's push re-read
  // thousands of its taps, more the longer the day.
  const burstMs = Math.max(0, ...rules.filter((r) => r.burst.enabled).map((r) => r.burst.windowSeconds * 1000));
  for (const [door, taps] of byKey(fresh, (t) => t.door)) {
    const { from, to } = span(taps);
    const reach = taps.some((t) => t.source === 'manual') ? DOOR_SPAN_MS : burstMs;
    add(await tapsOfDoor(db, door, new Date(from - reach), new Date(to + reach)));
  }
  const named = fresh.filter((t) => t.personId !== null);
  if (named.length === 0) return [...around.values()];
  const { from, to } = span(named);
  const persons = [...new Set(named.map((t) => t.personId!))];
  const personDay = () => tapsOfPersons(db, persons, new Date(from - PERSON_SPAN_MS), new Date(to + PERSON_SPAN_MS));
  const twinsWithinMs = Math.max(0, ...rules.filter((r) => r.twinPattern.enabled).map((r) => r.twinPattern.withinSeconds * 1000));
  if (twinsWithinMs > 0) {
    // One read per session of the batch, matched in memory: not one query per tap.
    const partners = new Set<string>();
    for (const [sessionId, own] of byKey(named, (t) => t.sessionId)) {
      const { from: first, to: last } = span(own);
      const nearby = await personTapsOfSession(db, sessionId, new Date(first - twinsWithinMs), new Date(last + twinsWithinMs));
      for (const t of own) {
        const at = Date.parse(t.at);
        for (const n of nearby) if (n.personId !== t.personId && Math.abs(n.at - at) < twinsWithinMs) partners.add(n.personId);
      }
    }
    const year = await tapsOfPersons(db, [...new Set([...persons, ...partners])], new Date(from - TWIN_SPAN_MS), new Date(to + PERSON_SPAN_MS));
    add(year);
    // The year's read holds the day around the new taps of their people unless it was cut short at its bound.
    if (year.length < AROUND_LIMIT) return [...around.values()];
  }
  add(await personDay());
  return [...around.values()];
}

/**
 * Runs the proxy-tap rules on the taps a push has just stored. Each finding that involves one of
 * them is kept as an alert of each organiser whose sessions its taps are of, carrying only that
 * organiser's taps: a reviewer sees nothing of another unit's sessions.
 */
export async function detectProxyTaps(db: DB, storedTapIds: readonly string[], now: Date): Promise<void> {
  if (storedTapIds.length === 0) return;
  await db.transaction().execute(async (trx) => {
    const fresh = (await tapsById(trx, storedTapIds)).filter((t) => t.organiserId !== null);
    if (fresh.length === 0) return;
    const rulesOf = await proxyRulesFor(
      trx,
      fresh.map((t) => t.organiserId!),
    );
    const around = await tapsAround(trx, fresh, [...rulesOf.values()]);
    const byId = new Map(around.map((t) => [t.tapId, t]));
    const freshIds = new Set(storedTapIds);
    // Usually one province's rules; organisers of several provinces each get their own's findings.
    for (const organisers of byKey([...rulesOf], ([, rules]) => JSON.stringify(rules)).values()) {
      const rules = organisers[0]![1];
      const ours = new Set(organisers.map(([id]) => id));
      for (const finding of findProxyTaps(around, rules)) {
        if (!finding.tapIds.some((id) => freshIds.has(id))) continue;
        const taps = finding.tapIds.map((id) => byId.get(id)!).filter((t) => t.organiserId !== null && ours.has(t.organiserId));
        for (const [organisationId, own] of byKey(taps, (t) => t.organiserId!)) {
          await keepFinding(trx, { ...finding, organisationId, sessionId: own[0]!.sessionId, tapIds: own.map((t) => t.tapId) }, now);
        }
      }
    }
  });
}

/**
 * The hook of `sync.push`, after its taps are stored: detection on the taps stored now (a tap
 * pushed again is a duplicate and is not read twice). The taps are kept whatever happens here, so
 * a failure is logged and never answered to the kiosk, which would only push them again.
 */
export async function detectAfterPush(db: DB, results: readonly TapStatus[], now: Date): Promise<void> {
  try {
    await detectProxyTaps(
      db,
      results.filter((r) => r.status === 'stored').map((r) => r.tapId),
      now,
    );
  } catch (error) {
    logServerError({ status: 500, method: 'POST', route: 'sync.push: proxy-tap detection' }, error);
  }
}
