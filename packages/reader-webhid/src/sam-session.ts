// The ID-card reading cycle over one open link: find (寻卡) → select (选卡) → read (读卡), polled.
// A card is read once per placement: the SAM itself refuses to find a card again until it left
// the field, and for readers that do find it again this session remembers the placement.
import { decodeBaseInfo } from './base-info.ts';
import type { CardRead } from './card-read.ts';
import { type SamCommandName, commandFrame } from './commands.ts';
import { ReaderError } from './errors.ts';
import { decodeFrame } from './frame.ts';
import { type SamId, decodeSamId } from './sam-id.ts';
import type { SamLink } from './sam-link.ts';
import { SW3_FOUND, SW3_NO_CARD, SW3_OK, statusError } from './status.ts';

export interface SamTimeouts {
  samId: number;
  find: number;
  select: number;
  read: number;
}

/** Milliseconds; readers.md §1.9 (no datasheet gives them; vendors' code uses these or longer). */
export const DEFAULT_TIMEOUTS: SamTimeouts = { samId: 1000, find: 500, select: 500, read: 3000 };

/** SAM modules fail find-card when polled faster than this. */
export const MIN_POLL_INTERVAL_MS = 300;
export const DEFAULT_POLL_INTERVAL_MS = 500;

export interface SamSessionOptions {
  link: SamLink;
  /** Aborting ends the session quietly (the device was unplugged, or the reader stopped). */
  signal: AbortSignal;
  pollIntervalMs: number;
  timeouts: SamTimeouts;
  /** Read with `30 10` (text, photo, fingerprint) instead of `30 01`. */
  withFingerprint: boolean;
  onReady(samId: SamId): void;
  onRead(read: CardRead): void;
  /** Errors the session recovers from by itself: a status error, a damaged answer, a bad card. */
  onError(error: ReaderError): void;
}

/** Errors after which the link still works: a whole frame arrived, its content was wrong. */
function linkSurvives(error: ReaderError): boolean {
  return error.code === 'sam-status' || error.code === 'bad-checksum' || error.code === 'bad-identity';
}

function withHint(error: ReaderError, hint: string): ReaderError {
  return new ReaderError({ code: error.code, sw3: error.sw3, messageKey: error.messageKey, params: error.params, hint, cause: error });
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done);
  });
}

/**
 * Runs until `signal` aborts (resolves) or the link fails (rejects with the link's error, after
 * which the caller closes the link and opens the device again).
 */
export async function runSamSession(options: SamSessionOptions): Promise<void> {
  const { link, signal, timeouts } = options;
  const send = (name: SamCommandName, timeoutMs: number) => link.exchange(commandFrame(name), { timeoutMs, signal });
  // Whether the card now in the field has had its read (successful or not).
  let placementHandled = false;

  async function poll(): Promise<void> {
    const found = decodeFrame(await send('findCard', timeouts.find));
    if (found.sw3 === SW3_NO_CARD) {
      placementHandled = false;
      return;
    }
    if (found.sw3 !== SW3_FOUND) throw statusError(found.sw3);
    if (placementHandled) return;
    placementHandled = true;
    try {
      const selected = decodeFrame(await send('selectCard', timeouts.select));
      if (selected.sw3 !== SW3_OK) throw statusError(selected.sw3);
      const answer = await send(options.withFingerprint ? 'readBaseInfoWithFingerprint' : 'readBaseInfo', timeouts.read);
      const { identity, photo } = decodeBaseInfo(answer);
      options.onRead({ kind: 'id-card', identity, photo, readAt: new Date() });
    } catch (error) {
      throw error instanceof ReaderError && linkSurvives(error) ? withHint(error, 'reader.hint.place-again') : error;
    }
  }

  try {
    options.onReady(decodeSamId(await send('readSamId', timeouts.samId)));
    while (!signal.aborted) {
      try {
        await poll();
      } catch (error) {
        if (!(error instanceof ReaderError) || !linkSurvives(error)) throw error;
        options.onError(error);
      }
      await sleep(options.pollIntervalMs, signal);
    }
  } catch (error) {
    if (signal.aborted) return;
    throw error;
  }
}
