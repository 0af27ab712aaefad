import { errorMessage } from '../i18n.svelte.ts';

/** A reader's failure in the user's language: its catalogue key, with its hint of what to do next. */
export function readerMessage(error: unknown): string {
  return errorMessage(error);
}
