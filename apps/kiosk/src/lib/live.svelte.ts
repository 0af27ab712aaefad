import { liveQuery } from 'dexie';

/** A Dexie query as a rune: `current` follows the database. Call it during component setup. */
export function live<T>(query: () => T | Promise<T>, initial: T): { readonly current: T } {
  let current = $state<T>(initial);
  $effect(() => {
    const subscription = liveQuery(query).subscribe({
      next: (value) => (current = value),
      // A failing query is a bug, not a state to show: make it loud in the console.
      error: (error) => console.error('[opencme] live query failed', error),
    });
    return () => subscription.unsubscribe();
  });
  return {
    get current() {
      return current;
    },
  };
}
