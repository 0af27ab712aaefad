// A link to a SAM over some transport: send one command frame, get back its whole answer frame.
// The reader's state machine sees only this, never the transport or whether it is simulated.
import { FrameAssembler } from './assembler.ts';
import { ReaderError } from './errors.ts';

export interface ExchangeOptions {
  timeoutMs: number;
  signal?: AbortSignal | undefined;
}

export interface SamLink {
  /**
   * Sends `command` and resolves with one whole answer frame, still to be decoded. After a
   * rejection other than `bad-checksum` the link's state is unknown: close it and open again.
   */
  exchange(command: Uint8Array, options: ExchangeOptions): Promise<Uint8Array>;
  close(): Promise<void>;
}

function timeoutError(timeoutMs: number): ReaderError {
  return new ReaderError({ code: 'timeout', messageKey: 'reader.no-answer', params: { ms: timeoutMs } });
}

export function disconnectedError(cause?: unknown): ReaderError {
  return new ReaderError({ code: 'disconnected', messageKey: 'reader.disconnected', cause });
}

/** `protectedInterface`: the browser keeps the interface's class from WebUSB, so WebHID is the way. */
export function openFailedError(cause: unknown, options: { protectedInterface?: boolean } = {}): ReaderError {
  const detail = cause instanceof Error ? `${cause.name}: ${cause.message}` : String(cause);
  return new ReaderError({
    code: 'open-failed',
    messageKey: options.protectedInterface ? 'reader.open-failed-protected' : 'reader.open-failed',
    params: { detail },
    cause,
  });
}

export function abortedError(): ReaderError {
  return new ReaderError({ code: 'disconnected', messageKey: 'reader.stopped' });
}

/**
 * Runs `work` against a deadline and an abort signal. Whatever `work` leaves pending when the
 * deadline passes is the caller's to clean up (by closing the link).
 */
export function withDeadline<T>(work: Promise<T>, options: ExchangeOptions): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const { signal } = options;
    if (signal?.aborted) return reject(abortedError());
    const onAbort = () => finish(() => reject(abortedError()));
    const timer = setTimeout(() => finish(() => reject(timeoutError(options.timeoutMs))), options.timeoutMs);
    let done = false;
    function finish(settle: () => void) {
      if (done) return;
      done = true;
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      settle();
    }
    signal?.addEventListener('abort', onAbort);
    work.then(
      (value) => finish(() => resolve(value)),
      (error: unknown) => finish(() => reject(error)),
    );
  });
}

interface Waiter {
  resolve(frame: Uint8Array): void;
  reject(error: unknown): void;
}

/**
 * For transports that push bytes (serial, HID, a bulk IN pipe read in a loop): assembles them and
 * hands the next whole frame, or the first framing error, to the exchange waiting for it.
 */
export class AnswerQueue {
  readonly #assembler = new FrameAssembler();
  #waiter: Waiter | null = null;
  #failure: unknown = null;

  /** Starts waiting for the answer to a command about to be sent; stale bytes are dropped. */
  expect(options: ExchangeOptions): Promise<Uint8Array> {
    // The failure that closed the link, passed on as it was caught (an Error, or what a driver threw).
    // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors
    if (this.#failure !== null) return Promise.reject(this.#failure);
    this.#assembler.reset();
    let waiter: Waiter | undefined;
    const answer = new Promise<Uint8Array>((resolve, reject) => {
      waiter = { resolve, reject };
    });
    this.#waiter = waiter ?? null;
    return withDeadline(answer, options).finally(() => {
      if (this.#waiter === waiter) this.#waiter = null;
    });
  }

  /** Bytes received from the device. */
  push(bytes: Uint8Array): void {
    for (const item of this.#assembler.push(bytes)) {
      const waiter = this.#waiter;
      // Bytes nobody waits for are late answers to an abandoned command: drop them.
      if (!waiter) continue;
      this.#waiter = null;
      if ('frame' in item) waiter.resolve(item.frame);
      else waiter.reject(item.error);
    }
  }

  /** Fails the exchange now waiting (e.g. on a malformed packet); later exchanges may succeed. */
  reject(error: unknown): void {
    this.#waiter?.reject(error);
    this.#waiter = null;
  }

  /** The transport failed for good (device gone, stream closed): fail the waiter and every later one. */
  fail(error: unknown): void {
    this.#failure = error;
    this.#waiter?.reject(error);
    this.#waiter = null;
  }
}
