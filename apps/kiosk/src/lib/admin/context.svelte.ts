import { apiClient } from '../api.ts';
import { Feedback } from '../feedback.svelte.ts';

/** The admin pages' one API client (the session cookie authenticates it). */
export const api = apiClient();

export type Api = typeof api;
export type Me = NonNullable<Awaited<ReturnType<Api['auth']['me']['query']>>>;

/** The last error of any admin action, shown above the page in the user's language. */
export const notice = new Feedback();

/** Runs a call to the server; a failure is shown in `notice`, not thrown, and gives `undefined`. */
export const guard = <T>(work: () => Promise<T>): Promise<T | undefined> => notice.run(work);

export const when = (iso: string | null, locale: string) => (iso ? new Date(iso).toLocaleString(locale, { hour12: false }) : '—');
