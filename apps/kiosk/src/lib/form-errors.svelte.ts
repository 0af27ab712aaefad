import { tick } from 'svelte';
import { errorField, errorMessage } from './i18n.svelte.ts';

/**
 * A form's errors: each beside the field it is about (keyed by the field's name in the request),
 * or, about none, one by the submit button, where the eyes are.
 */
export class FormErrors {
  byField = $state<Record<string, string>>({});
  general = $state<string | null>(null);

  clear() {
    this.byField = {};
    this.general = null;
  }

  /** A refusal of the server, placed by the field it names. */
  take(error: unknown) {
    const about = errorField(error);
    if (about) this.byField = { [about.field]: about.message };
    else this.general = errorMessage(error);
  }

  set(field: string, message: string) {
    this.byField = { [field]: message };
  }

  forget(name: string) {
    if (!(name in this.byField)) return;
    const { [name]: _, ...rest } = this.byField;
    this.byField = rest;
  }

  /** For a form's oninput: an error beside a field goes once the person changes that field. */
  readonly forgetChanged = (event: Event) => {
    const name = (event.target as HTMLInputElement | null)?.name;
    if (name) this.forget(name);
  };
}

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
