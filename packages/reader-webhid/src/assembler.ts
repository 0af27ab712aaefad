// Byte streams (a serial line, a bulk pipe, the payloads of HID reports) cut frames wherever they
// like: one byte at a time, or several frames in one chunk. The assembler puts whole frames back
// together and resynchronises after garbage by searching for the next preamble.
import { ReaderError, hexByte } from './errors.ts';
import { HEADER_LENGTH, MAX_LEN, PREAMBLE, xorChecksum } from './frame.ts';

export type Assembled = { frame: Uint8Array } | { error: ReaderError };

/** The shortest Len any frame has: the vendor two-byte commands (CMD + checksum). */
const MIN_LEN = 2;

export class FrameAssembler {
  #buffer = new Uint8Array(256);
  #start = 0;
  #end = 0;

  /** Adds received bytes and returns every frame completed by them, in order. */
  push(chunk: Uint8Array): Assembled[] {
    this.#append(chunk);
    const out: Assembled[] = [];
    for (;;) {
      const start = this.#findPreamble();
      if (start < 0 || this.#end - start < HEADER_LENGTH) break;
      const b = this.#buffer;
      const len = (b[start + 5]! << 8) | b[start + 6]!;
      if (len < MIN_LEN || len > MAX_LEN) {
        // A length no frame has: this preamble was noise, look for the next one.
        this.#start = start + 1;
        continue;
      }
      const end = start + HEADER_LENGTH + len;
      if (this.#end < end) break;
      const expected = xorChecksum(b, start + 5, end - 1);
      if (expected === b[end - 1]) {
        out.push({ frame: b.slice(start, end) });
        this.#start = end;
      } else {
        out.push({
          error: new ReaderError({
            code: 'bad-checksum',
            messageKey: 'reader.frame.bad-checksum',
            params: { expected: hexByte(expected), actual: hexByte(b[end - 1]!) },
          }),
        });
        // The preamble may have been noise that swallowed a real frame: rescan just after it.
        this.#start = start + 1;
      }
    }
    return out;
  }

  /** Forgets buffered bytes, e.g. stale ones before a new command is sent. */
  reset(): void {
    this.#start = 0;
    this.#end = 0;
  }

  /** Moves `#start` to the next preamble (or keeps a possible partial one) and returns it, or -1. */
  #findPreamble(): number {
    const b = this.#buffer;
    for (let i = this.#start; i < this.#end; i++) {
      let k = 0;
      while (k < PREAMBLE.length && i + k < this.#end && b[i + k] === PREAMBLE[k]) k++;
      if (k === PREAMBLE.length) {
        this.#start = i;
        return i;
      }
      if (i + k === this.#end) {
        // The buffer ends inside what may be a preamble: keep it for the next chunk.
        this.#start = i;
        return -1;
      }
    }
    this.#start = this.#end;
    return -1;
  }

  #append(chunk: Uint8Array): void {
    if (this.#end + chunk.length > this.#buffer.length) {
      const live = this.#end - this.#start;
      if (live + chunk.length > this.#buffer.length) {
        const grown = new Uint8Array((live + chunk.length) * 2);
        grown.set(this.#buffer.subarray(this.#start, this.#end));
        this.#buffer = grown;
      } else {
        this.#buffer.copyWithin(0, this.#start, this.#end);
      }
      this.#start = 0;
      this.#end = live;
    }
    this.#buffer.set(chunk, this.#end);
    this.#end += chunk.length;
  }
}
