import { tick } from 'svelte';

/**
 * Brings a form's first error into view once it is drawn, and puts the cursor in its field: on a
 * phone the field can be a screen or two above the submit button, where nobody would look.
 */
export async function showFirstError(form: HTMLElement | undefined): Promise<void> {
  await tick();
  const shown = form?.querySelector<HTMLElement>('[data-field-error]');
  if (!shown) return;
  shown.scrollIntoView({ block: 'center' });
  const field = shown.dataset.fieldError ? form!.querySelector<HTMLElement>(`[name="${shown.dataset.fieldError}"]`) : null;
  field?.focus({ preventScroll: true });
}
