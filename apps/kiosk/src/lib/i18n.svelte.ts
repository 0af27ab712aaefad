// zh-CN is the interface's default language; English is the second. The catalogues are
// i18n/zh.ts and i18n/en.ts; every text the user reads, the server's errors included, is in both.
import { en } from './i18n/en.ts';
import { zh, type MessageKey as Key } from './i18n/zh.ts';

export type Locale = 'zh-CN' | 'en';
const STORAGE_KEY = 'opencme.locale';

export const i18n = $state<{ locale: Locale }>({
  locale: typeof localStorage !== 'undefined' && localStorage.getItem(STORAGE_KEY) === 'en' ? 'en' : 'zh-CN',
});

export type MessageKey = Key;

/** The message in the current language, with `{name}` placeholders filled in. */
export function t(key: Key, params: Record<string, string | number> = {}): string {
  const text: string = i18n.locale === 'en' ? en[key] : zh[key];
  return text.replace(/\{(\w+)\}/g, (_, name: string) => String(params[name] ?? `{${name}}`));
}

export function toggleLocale(): void {
  i18n.locale = i18n.locale === 'en' ? 'zh-CN' : 'en';
  localStorage.setItem(STORAGE_KEY, i18n.locale);
  document.documentElement.lang = i18n.locale;
}

/** A message from outside the page (the server, core, a reader): a catalogue key and its parameters. */
export interface Message {
  key: string;
  params?: Record<string, string | number>;
}

const known = (key: string): key is Key => Object.hasOwn(zh, key);

/**
 * A message from outside the page in the user's language. A key this catalogue lacks (a newer
 * server, a slip) reads as the generic sentence: a raw key never reaches the screen.
 */
export function say(message: Message): string {
  return known(message.key) ? t(message.key, message.params) : t('error.generic');
}

/**
 * The key and parameters an error carries: a server refusal (`data`), or a core or reader error
 * (its own), with a reader's hint of what to do next (`hint`, a key) when it has one.
 */
function messageOf(error: unknown): (Message & { hint?: string }) | null {
  if (!error || typeof error !== 'object') return null;
  const data = (error as { data?: { messageKey?: unknown; params?: unknown } | null }).data;
  const carrier = data && typeof data.messageKey === 'string' ? data : (error as { messageKey?: unknown; params?: unknown });
  if (typeof carrier.messageKey !== 'string') return null;
  const params = carrier.params && typeof carrier.params === 'object' ? (carrier.params as Record<string, string | number>) : {};
  const hint = (carrier as { hint?: unknown }).hint;
  return { key: carrier.messageKey, params, ...(typeof hint === 'string' ? { hint } : {}) };
}

/** Any error in the user's language: a refusal of the server, a reader's failure, a check of core. */
export function errorMessage(error: unknown): string {
  const message = messageOf(error);
  if (message?.hint) return t('reader.with-hint', { message: say(message), hint: say({ key: message.hint }) });
  if (message) return say(message);
  // fetch fails with a TypeError when the server cannot be reached (tRPC keeps it as the cause).
  if (error instanceof TypeError || (error as { cause?: unknown } | null)?.cause instanceof TypeError) return t('error.unreachable');
  return t('error.generic');
}

/**
 * The input field a server error is about, with the words to show beside it: the field a
 * `UserFacingError` names, or the first field a bad request's validation refused.
 */
export function errorField(error: unknown): { field: string; message: string } | null {
  const data = (
    error as { data?: { field?: string | null; issues?: { path: string[]; messageKey: string; params?: Record<string, string | number> }[] | null } } | null
  )?.data;
  if (data?.field) return { field: data.field, message: errorMessage(error) };
  const issue = data?.issues?.find((i) => i.path.length > 0);
  return issue ? { field: issue.path.join('.'), message: say({ key: issue.messageKey, params: issue.params }) } : null;
}
