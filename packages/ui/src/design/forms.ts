import { tick } from 'svelte';

/**
 * Brings a form's first error into view once it is drawn, and puts the cursor in its field: on a
 * phone the field can be a screen or two above the submit button, where nobody would look. An
 * error is any element marked `data-field-error` (Field's, or an app's own), whose value names
 * the field it is about.
 */
export async function showFirstError(form: HTMLElement | undefined | null): Promise<void> {
  await tick();
  const shown = form?.querySelector<HTMLElement>('[data-field-error]');
  if (!shown || !form) return;
  shown.scrollIntoView({ block: 'center' });
  const name = shown.dataset.fieldError;
  const field = name ? [...form.querySelectorAll<HTMLElement>('[name]')].find((el) => el.getAttribute('name') === name) : undefined;
  field?.focus({ preventScroll: true });
}
