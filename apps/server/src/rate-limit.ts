// Limits on what anyone may ask without an account: the public lookup, self-registration, unit
// registration, and failed sign-ins from one address. Counted in the database (they survive a
// restart and hold across server processes) and keyed on the caller's network, not its exact
// address: an IPv6 host owns a whole /64 and would otherwise have unlimited keys.
import { isIPv4, isIPv6 } from 'node:net';
import type { Request, Response } from 'express';
import type { DB } from './db/connect.ts';
import { UserFacingError } from './errors.ts';
import { reserve } from './repositories/rate-limits.ts';

export const LIMITS = {
  lookup: { limit: 10, windowMs: 10 * 60_000, messageKey: 'rate-limit.lookups' },
  // Phones behind one hospital Wi-Fi (or a carrier's NAT) share an IPv4 address: room for a
  // department registering together, not for a script walking through ID numbers.
  registration: { limit: 60, windowMs: 60 * 60_000, messageKey: 'rate-limit.registrations' },
  /** Registration photos sent before the form: a few tries per phone, not a way to fill the disk. */
  publicUpload: { limit: 30, windowMs: 10 * 60_000, messageKey: 'rate-limit.uploads' },
  unitRegistration: { limit: 10, windowMs: 60 * 60_000, messageKey: 'rate-limit.registrations' },
  /** Failed sign-ins from one address across all logins (each login also backs off on its own). */
  signInFailures: { limit: 50, windowMs: 15 * 60_000, messageKey: 'rate-limit.sign-ins' },
  /** HR systems pulling accepted results (GET /api/hr/v1/results): a unit a second, not a scan of every unit. */
  hrPull: { limit: 60, windowMs: 60_000, messageKey: 'rate-limit.hr-pulls' },
  /**
   * Online platforms posting watch time (POST /api/online/v1/watch-events), counted before a body
   * is read or a signature checked: five batches a second, each up to 1 MB of events, is more than
   * a platform needs, and a flood from one address stops at the door instead of at the database.
   */
  watchEvents: { limit: 300, windowMs: 60_000, messageKey: 'rate-limit.watch-events' },
} as const;

export type LimitName = keyof typeof LIMITS;

/**
 * The key a caller is counted under: an IPv4 address as it is (also when it arrives IPv4-mapped,
 * `::ffff:192.0.2.1`), an IPv6 address by its /64 network. `ip` is Express's `req.ip`, which
 * honours the `trust proxy` setting.
 */
export function addressKey(ip: string | undefined): string {
  if (!ip) return 'unknown';
  if (isIPv4(ip)) return ip;
  const groups = isIPv6(ip) ? ipv6Groups(ip) : null;
  if (!groups) return ip;
  if (groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff) {
    return [groups[6]! >> 8, groups[6]! & 0xff, groups[7]! >> 8, groups[7]! & 0xff].join('.');
  }
  return `${groups
    .slice(0, 4)
    .map((g) => g.toString(16))
    .join(':')}::/64`;
}

/** The eight 16-bit groups of an IPv6 address (`::` expanded, a dotted IPv4 tail as two groups). */
function ipv6Groups(ip: string): number[] | null {
  let text = ip.split('%')[0]!.toLowerCase();
  const v4 = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (v4) {
    const [a, b, c, d] = v4.slice(1).map(Number) as [number, number, number, number];
    text = `${text.slice(0, v4.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const halves = text.split('::');
  if (halves.length > 2) return null;
  const head = halves[0] ? halves[0].split(':') : [];
  const tail = halves.length === 2 && halves[1] ? halves[1].split(':') : [];
  const groups = halves.length === 2 ? [...head, ...Array<string>(8 - head.length - tail.length).fill('0'), ...tail] : head;
  return groups.length === 8 ? groups.map((g) => Number.parseInt(g, 16)) : null;
}

/** A 429 that says when to try again: in seconds under a minute, else in minutes (and says it to HTTP clients too). */
export function tooMany(res: Response, what: { messageKey: string }, retryAt: Date, now: Date): UserFacingError {
  const seconds = Math.max(1, Math.ceil((retryAt.getTime() - now.getTime()) / 1000));
  res.setHeader('Retry-After', String(seconds));
  if (seconds < 60) return new UserFacingError('TOO_MANY_REQUESTS', `${what.messageKey}.seconds`, { seconds });
  return new UserFacingError('TOO_MANY_REQUESTS', `${what.messageKey}.minutes`, { minutes: Math.ceil(seconds / 60) });
}

/** The counter of `name` for one caller's network (see `addressKey`). */
export function limitKey(name: LimitName, address: string): string {
  return `${name}:${address}`;
}

/** Takes one hit of the caller's budget for `name`, or refuses with a 429. */
export async function limitCaller(
  ctx: { db: DB; now: () => Date; req: Request; res: Response; limits?: Partial<Record<LimitName, { limit: number; windowMs: number }>> },
  name: LimitName,
): Promise<void> {
  const limit = LIMITS[name];
  const budget = ctx.limits?.[name] ?? limit;
  const now = ctx.now();
  const taken = await reserve(ctx.db, { key: limitKey(name, addressKey(ctx.req.ip)), limit: budget.limit, windowMs: budget.windowMs, now });
  if (!taken.ok) throw tooMany(ctx.res, limit, taken.retryAt, now);
}
