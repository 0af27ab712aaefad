import type { Credential } from './sync.ts';

/**
 * The key under which a kiosk's roster holds a credential. IC card UIDs and CME card numbers are
 * kept as they are; a resident ID number is kept only as a SHA-256 digest, so a kiosk's
 * IndexedDB does not hold the staff's ID numbers in clear. (The digest of a known number is easy
 * to recompute: it hides numbers from a casual look at the tablet, not from a determined attacker.)
 */
export async function rosterKey(credential: Credential): Promise<string> {
  if (credential.kind !== 'id-card') return `${credential.kind}:${credential.value}`;
  const bytes = new TextEncoder().encode(`opencme-id-card:${credential.value.toUpperCase()}`);
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes));
  return `id-card#${Array.from(digest, (b) => b.toString(16).padStart(2, '0')).join('')}`;
}
