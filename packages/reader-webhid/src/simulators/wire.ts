// How answer bytes travel back from a simulated device: whole or in pieces, at once or late.

export interface WireOptions {
  /**
   * Cut each answer into pieces of these sizes, cycling through the list ([1]: one byte at a
   * time). A transport whose packets have a fixed size (HID) ignores it.
   */
  chunkSizes?: readonly number[];
  /** Milliseconds before an answer starts to arrive; default 2. */
  delayMs?: number;
}

export class Wire {
  chunkSizes: readonly number[];
  delayMs: number;

  constructor(options: WireOptions = {}) {
    this.chunkSizes = options.chunkSizes ?? [];
    this.delayMs = options.delayMs ?? 2;
  }

  /** `bytes` cut as configured. */
  cut(bytes: Uint8Array): Uint8Array[] {
    const sizes = this.chunkSizes.filter((n) => n > 0);
    if (sizes.length === 0) return [bytes];
    const pieces: Uint8Array[] = [];
    for (let at = 0, i = 0; at < bytes.length; i++) {
      const size = sizes[i % sizes.length]!;
      pieces.push(bytes.slice(at, at + size));
      at += size;
    }
    return pieces;
  }

  /** Runs `deliver` after the configured delay: a device never answers within the call. */
  later(deliver: () => void): void {
    setTimeout(deliver, this.delayMs);
  }
}
