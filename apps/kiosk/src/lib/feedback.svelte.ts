import { errorMessage } from './i18n.svelte.ts';

/** What an admin page tells the user about the last thing it did: an error in their language, or a notice. */
export class Feedback {
  error = $state<string | null>(null);
  notice = $state<string | null>(null);

  /** Runs a call to the server; a failure is shown, not thrown, and gives `undefined`. */
  async run<T>(work: () => Promise<T>): Promise<T | undefined> {
    this.error = null;
    this.notice = null;
    try {
      return await work();
    } catch (e) {
      this.error = errorMessage(e);
      return undefined;
    }
  }
}
