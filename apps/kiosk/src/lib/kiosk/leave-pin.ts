// The admin PIN that lets someone leave kiosk mode (签到模式): to the reader settings, to another
// session or back to the site. It keeps passers-by at the door from wandering off the door page;
// it is not a defence against a stolen tablet (4–8 digits fall to any offline guesser), so it stays
// on the tablet and never goes to the server. It is stored only as a salted PBKDF2 hash, so that
// the PIN, which an admin may well use elsewhere, cannot be read out of the browser's storage.
// WebCrypto needs a secure context, which the kiosk needs anyway (WebUSB, WebHID, service worker).
import { z } from 'zod';
import { getMeta, type KioskDb, setMeta } from './db.ts';

const META_KEY = 'leavePin';
// Enough to make each guess cost a little on a fast machine and still answer at once on a cheap tablet.
const ITERATIONS = 100_000;

export const PIN_PATTERN = /^\d{4,8}$/;

const LeavePin = z.object({ salt: z.string(), hash: z.string(), iterations: z.number().int().positive() });
export type LeavePin = z.infer<typeof LeavePin>;

const base64 = (bytes: Uint8Array) => btoa(String.fromCharCode(...bytes));
const bytesOf = (text: string) => Uint8Array.from(atob(text), (c) => c.charCodeAt(0));

async function derive(pin: string, salt: Uint8Array<ArrayBuffer>, iterations: number): Promise<string> {
  const key = await crypto.subtle.importKey('raw', new TextEncoder().encode(pin), 'PBKDF2', false, ['deriveBits']);
  const bits = await crypto.subtle.deriveBits({ name: 'PBKDF2', hash: 'SHA-256', salt, iterations }, key, 256);
  return base64(new Uint8Array(bits));
}

export async function hashPin(pin: string): Promise<LeavePin> {
  if (!PIN_PATTERN.test(pin)) throw new Error('a PIN is 4 to 8 digits');
  const salt = crypto.getRandomValues(new Uint8Array(16));
  return { salt: base64(salt), hash: await derive(pin, salt, ITERATIONS), iterations: ITERATIONS };
}

export async function pinMatches(pin: string, stored: LeavePin): Promise<boolean> {
  return (await derive(pin, bytesOf(stored.salt), stored.iterations)) === stored.hash;
}

/** The stored PIN, or null when this kiosk has none yet (paired before PINs, or just now). */
export async function loadLeavePin(db: KioskDb): Promise<LeavePin | null> {
  return LeavePin.safeParse(await getMeta(db, META_KEY)).data ?? null;
}

export async function saveLeavePin(db: KioskDb, pin: string): Promise<void> {
  await setMeta(db, META_KEY, await hashPin(pin));
}
