import { ReaderError } from '@opencme/reader-webhid';
import { errorMessage, i18n, say } from '../i18n.svelte.ts';

/**
 * A reader's failure in the user's language: by its catalogue key when it has one, else in the
 * reader package's own two languages (its protocol diagnostics, for whoever sets the reader up).
 */
export function readerMessage(error: unknown): string {
  if (error instanceof ReaderError && error.messageKey) return say({ key: error.messageKey, params: error.params });
  if (error instanceof ReaderError) return i18n.locale === 'en' ? error.messageEn : error.message;
  return errorMessage(error);
}
