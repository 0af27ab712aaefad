import { errorMessage } from './i18n.svelte.ts';

/**
 * The last error of what a page did, in the user's language, shown where the page puts it. A
 * success is not kept here: it passes as a toast (toasts.ts).
 */
export class Feedback {
  error = $state<string | null>(null);

  /** Runs a call to the server; a failure is shown, not thrown, and gives `undefined`. */
  async run<T>(work: () => Promise<T>): Promise<T | undefined> {
    this.error = null;
    try {
      return await work();
    } catch (e) {
      this.error = errorMessage(e);
      return undefined;
    }
  }
}
