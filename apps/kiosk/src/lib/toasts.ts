import { Toasts } from '@opencme/ui';

/**
 * The app's passing messages (saved, submitted), shown by the one Toaster in the root layout. An
 * error about a form's field is not a toast: it stays beside the field (form-errors.svelte.ts).
 */
export const toasts = new Toasts();
