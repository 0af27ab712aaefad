// The door's own warning of a burst (连刷): more distinct cards than anyone's hand holds, tapped
// within seconds at this door, judged from this kiosk's recent taps by the same core rule the
// server runs. It warns the door staff and never stops a tap: the server raises the alert.
import { DEFAULT_PROXY_RULES, findBursts, type ProxyRules, type ProxyTap } from '@opencme/core';
import type { KioskDb, LocalTap } from './db.ts';

export interface BurstWarning {
  cards: number;
  seconds: number;
}

/** A card as the rule counts it: its holder where the roster knows them, else the card itself. */
const cardOf = (tap: LocalTap) => tap.personId ?? `${tap.credential.kind}:${tap.credential.value}`;

/** The burst the door's latest tap belongs to, if it belongs to one. */
export async function burstAtDoor(db: KioskDb, rules: ProxyRules['burst'] = DEFAULT_PROXY_RULES.burst): Promise<BurstWarning | null> {
  if (!rules.enabled) return null;
  // A burst over the threshold needs no more than a few times the threshold's taps to be seen.
  const recent = await db.taps
    .orderBy('seq')
    .reverse()
    .limit(rules.maxCards * 4 + 20)
    .toArray();
  const latest = recent[0];
  if (!latest) return null;
  const taps: ProxyTap[] = recent.map((t) => ({
    tapId: t.tapId,
    door: t.deviceId,
    sessionId: t.sessionId,
    personId: t.personId,
    card: cardOf(t),
    at: t.wallTime,
    source: t.source,
    venue: null,
    doorPlace: null,
    lost: false,
  }));
  const found = findBursts(taps, rules).find((f) => f.tapIds.includes(latest.tapId));
  return found ? { cards: Number(found.params.cards), seconds: rules.windowSeconds } : null;
}
