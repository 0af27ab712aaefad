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

/** The message of a server error in the user's language (the server sends both). */
export function errorMessage(error: unknown): string {
  if (error && typeof error === 'object' && 'message' in error) {
    const data = (error as { data?: { messageEn?: string | null } }).data;
    if (i18n.locale === 'en' && data?.messageEn) return data.messageEn;
    if (error instanceof TypeError) return i18n.locale === 'en' ? 'The server cannot be reached' : '无法连接服务器';
    return String((error as { message: unknown }).message);
  }
  return t('error.generic');
}

/**
 * The input field a server error is about, with the words to show beside it: the field a
 * `UserFacingError` names, or the first field a bad request's validation refused.
 */
export function errorField(error: unknown): { field: string; message: string } | null {
  const data = (error as { data?: { field?: string | null; issues?: { path: string[]; message: string }[] | null } } | null)?.data;
  if (data?.field) return { field: data.field, message: errorMessage(error) };
  const issue = data?.issues?.find((i) => i.path.length > 0);
  return issue ? { field: issue.path.join('.'), message: issue.message } : null;
}

/** A time of day as the people at the door read it, in China whatever the device's zone: 09:02. */
export function clock(iso: string): string {
  return new Date(iso).toLocaleTimeString(i18n.locale, { hour: '2-digit', minute: '2-digit', hour12: false, timeZone: 'Asia/Shanghai' });
}
