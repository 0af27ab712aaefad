/** One passing message: a success that needs no answer, or an error about no field in view. */
export interface Toast {
  id: number;
  tone: 'success' | 'error';
  message: string;
}

/**
 * An app's toasts, shown by its one `Toaster`. A success goes by itself after a few seconds; an
 * error stays until dismissed (someone has to read it). An error about a form's field does not
 * belong here: it stays beside its field (see `Field`).
 */
export class Toasts {
  shown = $state<Toast[]>([]);
  #next = 1;

  readonly #successMs: number;

  constructor(successMs = 4000) {
    this.#successMs = successMs;
  }

  success(message: string): number {
    return this.#show('success', message);
  }

  error(message: string): number {
    return this.#show('error', message);
  }

  dismiss(id: number): void {
    this.shown = this.shown.filter((toast) => toast.id !== id);
  }

  #show(tone: Toast['tone'], message: string): number {
    const id = this.#next++;
    // The same words again replace the earlier toast rather than stacking up.
    this.shown = [...this.shown.filter((toast) => toast.message !== message), { id, tone, message }];
    if (tone === 'success') setTimeout(() => this.dismiss(id), this.#successMs);
    return id;
  }
}
