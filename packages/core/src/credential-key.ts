import type { Credential } from './sync.ts';

/**
 * A WebCrypto key, named the same way under the browser's types and Node's (whose global
 * `CryptoKey` is a value, not a type).
 */
export type WebCryptoKey = Awaited<ReturnType<typeof crypto.subtle.importKey>>;

/**
 * How a kiosk's roster names an ID card: `id-card#k:` and the HMAC-SHA-256 of the number under the
 * kiosk's own key (given at pairing, new at each re-pairing). The server computes it per kiosk
 * when it sends the roster, and the kiosk at the door, so the tablet holds no number, no mask and
 * no digest that anyone without that key could test guesses against.
 */
export const ID_CARD_ROSTER_PREFIX = 'id-card#k:';

/**
 * The digest kiosks of before issue 9 kept and sent: SHA-256 with no key, which a laptop inverts
 * over a region's birth dates in seconds. Still recognised, to re-key or drop it wherever found.
 */
export const LEGACY_ID_CARD_DIGEST = /^id-card#[0-9a-f]{64}$/;

/** The text both sides digest for an ID number, so that a lower-case x or a stray space matches. */
export function idCardDigestMessage(idNumber: string): string {
  return `opencme-id-card:${idNumber.trim().toUpperCase()}`;
}

/** The kiosk's roster key as a WebCrypto key that can sign but never be read back (non-extractable). */
export function importRosterKey(raw: Uint8Array): Promise<WebCryptoKey> {
  return crypto.subtle.importKey('raw', new Uint8Array(raw), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
}

function hex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

/** The roster key of an IC card's UID or a CME card number: the value as it is, with its kind. */
export function cardRosterKey(card: { kind: 'ic-card' | 'card-number'; value: string }): string {
  return `${card.kind}:${card.value}`;
}

/**
 * The key under which a kiosk's roster holds a credential. IC card UIDs and CME card numbers are
 * kept as they are; an ID card only under the kiosk's roster key, and not at all (`null`) by a
 * kiosk that has no key yet.
 */
export async function rosterKey(credential: Credential, deviceKey: WebCryptoKey | null): Promise<string | null> {
  if (credential.kind !== 'id-card') return cardRosterKey({ kind: credential.kind, value: credential.value });
  if (!deviceKey) return null;
  const mac = await crypto.subtle.sign('HMAC', deviceKey, new TextEncoder().encode(idCardDigestMessage(credential.value)));
  return ID_CARD_ROSTER_PREFIX + hex(new Uint8Array(mac));
}
