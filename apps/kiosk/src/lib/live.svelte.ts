import { liveQuery } from 'dexie';

/** A Dexie query as a rune: `current` follows the database. Call it during component setup. */
export function live<T>(query: () => T | Promise<T>, initial: T): { readonly current: T; readonly error: unknown } {
  let current = $state<T>(initial);
  let error = $state<unknown>(null);
  $effect(() => {
    const subscription = liveQuery(query).subscribe({
      next: (value) => {
        current = value;
        error = null;
      },
      // A record the kiosk cannot read (`StoredRecordError`) is for the page to say; anything else is a bug.
      error: (failure) => {
        error = failure;
        console.error('[opencme] live query failed', failure);
      },
    });
    return () => subscription.unsubscribe();
  });
  return {
    get current() {
      return current;
    },
    get error() {
      return error;
    },
  };
}
