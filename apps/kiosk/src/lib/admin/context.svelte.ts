import { chinaDateTime } from '@opencme/core';
import { apiClient } from '../api.ts';
import { Feedback } from '../feedback.svelte.ts';
import { type Me, session } from '../session.svelte.ts';

/** The admin pages' one API client (the session cookie authenticates it). */
export const api = apiClient();

export type Api = typeof api;
export type { Me };

/** The account of the console's pages: the layout renders them only once someone is signed in. */
export function account(): Me {
  if (!session.me) throw new Error('an admin page rendered outside the signed-in layout');
  return session.me;
}

/** The last error of any admin action, shown above the page in the user's language. */
export const notice = new Feedback();

/** Runs a call to the server; a failure is shown in `notice`, not thrown, and gives `undefined`. */
export const guard = <T>(work: () => Promise<T>): Promise<T | undefined> => notice.run(work);

/** A moment as the console shows it, in China whatever the browser's zone: 2026-11-30 14:02. */
export const when = (iso: string | null) => (iso ? chinaDateTime(new Date(iso)) : '—');
