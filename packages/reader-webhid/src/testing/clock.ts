import { expect, vi } from 'vitest';

/** Advances fake time in small steps until `condition` holds, or fails after `withinMs`. */
export async function advanceUntil(condition: () => boolean, withinMs = 10_000): Promise<void> {
  for (let waited = 0; !condition() && waited < withinMs; waited += 20) await vi.advanceTimersByTimeAsync(20);
  expect(condition(), `condition still false after ${withinMs} ms`).toBe(true);
}
