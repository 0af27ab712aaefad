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

// The shared behaviour of every form (packages/ui): its first error scrolled into view, the cursor in that field.
export { showFirstError } from '@opencme/ui';
