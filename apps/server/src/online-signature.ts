// How an online learning platform signs a request (docs/online-learning.md says the same, with a
// worked example): HMAC-SHA256 under the platform's secret over one canonical string that binds the
// method, the path, the time and the body, so that nothing of the request can be changed or moved.
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

export const SIGNATURE_SCHEME = 'OPENCME-HMAC-SHA256';
/** How far the request's timestamp may lie from the server's clock, either way. */
export const CLOCK_SKEW_MS = 5 * 60_000;

export const HEADERS = {
  platform: 'x-opencme-platform',
  timestamp: 'x-opencme-timestamp',
  signature: 'x-opencme-signature',
} as const;

/** The string signed: five lines joined by "\n", no trailing newline. */
export function canonicalRequest(r: { method: string; path: string; timestamp: string; body: Uint8Array | string }): string {
  const bodyHash = createHash('sha256').update(r.body).digest('hex');
  return [SIGNATURE_SCHEME, r.method.toUpperCase(), r.path, r.timestamp, bodyHash].join('\n');
}

/** The signature as the header carries it: `v1=` and 64 lower-case hex digits. */
export function signRequest(secret: string, r: Parameters<typeof canonicalRequest>[0]): string {
  return `v1=${createHmac('sha256', Buffer.from(secret, 'utf8')).update(canonicalRequest(r)).digest('hex')}`;
}

/** Compares in constant time, so that the reply's timing tells nothing of how much matched. */
export function signatureMatches(expected: string, given: string): boolean {
  const a = Buffer.from(expected, 'utf8');
  const b = Buffer.from(given, 'utf8');
  return a.length === b.length && timingSafeEqual(a, b);
}
