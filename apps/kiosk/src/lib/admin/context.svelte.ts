import { apiClient } from '../api.ts';
import { errorMessage } from '../i18n.svelte.ts';

/** The admin pages' one API client (the session cookie authenticates it). */
export const api = apiClient();

export type Api = typeof api;
export type Me = NonNullable<Awaited<ReturnType<Api['auth']['me']['query']>>>;

/** The last error of any admin action, shown above the page in the user's language. */
export const notice = $state<{ error: string | null }>({ error: null });

export async function guard<T>(work: () => Promise<T>): Promise<T | undefined> {
  notice.error = null;
  try {
    return await work();
  } catch (e) {
    notice.error = errorMessage(e);
    return undefined;
  }
}

export const when = (iso: string | null, locale: string) => (iso ? new Date(iso).toLocaleString(locale, { hour12: false }) : '—');
