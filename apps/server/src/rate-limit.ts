/**
 * A sliding-window limit per key (the caller's address): the public lookup answers a person a
 * few times, not a script walking through ID numbers.
 */
export class RateLimiter {
  readonly #hits = new Map<string, number[]>();
  readonly limit: number;
  readonly windowMs: number;
  constructor(limit: number, windowMs: number) {
    this.limit = limit;
    this.windowMs = windowMs;
  }

  /** Counts a hit; false when the key has used up its window. */
  take(key: string, nowMs: number): boolean {
    const recent = (this.#hits.get(key) ?? []).filter((t) => nowMs - t < this.windowMs);
    if (recent.length >= this.limit) {
      this.#hits.set(key, recent);
      return false;
    }
    recent.push(nowMs);
    this.#hits.set(key, recent);
    // Forget idle addresses so the map does not grow without bound.
    if (this.#hits.size > 10_000) for (const [k, v] of this.#hits) if (v.every((t) => nowMs - t >= this.windowMs)) this.#hits.delete(k);
    return true;
  }
}
