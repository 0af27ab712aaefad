import { ReaderError } from '@opencme/reader-webhid';
import { errorMessage, i18n } from '../i18n.svelte.ts';

/** A reader's failure in the user's language (the reader package writes both). */
export function readerMessage(error: unknown): string {
  if (error instanceof ReaderError) return i18n.locale === 'en' ? error.messageEn : error.message;
  return errorMessage(error);
}
