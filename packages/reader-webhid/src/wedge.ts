// Keyboard-wedge IC-card readers (键盘模拟读卡器) type the card's number and Enter. WebHID may not
// open keyboards, so they are read from key events, and told apart from a person typing by speed:
// a reader types every key within a few milliseconds of the last.
import type { CardReadListener } from './card-read.ts';
import { ReaderError } from './errors.ts';
import { type UidEncoding, parseUid } from './uid.ts';

/** The part of a `KeyboardEvent` used here. `code` names the physical key, whatever the layout. */
export interface KeyLike {
  readonly code: string;
  readonly timeStamp: number;
  readonly repeat?: boolean;
  preventDefault(): void;
}

/** `window`, `document`, an element, or the simulator's keyboard. */
export interface KeyEventSource {
  addEventListener(type: 'keydown', listener: (event: KeyLike) => void): void;
  removeEventListener(type: 'keydown', listener: (event: KeyLike) => void): void;
}

export interface WedgeReaderOptions {
  source: KeyEventSource;
  /** How this reader model types the UID (a per-reader setting). */
  encoding: UidEncoding;
  onRead: CardReadListener;
  /** A burst that looked like a reader but did not fit `encoding`, e.g. a misconfigured reader. */
  onError?: (error: ReaderError) => void;
  /** The longest pause between two keys of one reader burst; default 50 ms. */
  maxGapMs?: number;
}

export interface WedgeReader {
  start(): void;
  stop(): void;
}

export const DEFAULT_MAX_GAP_MS = 50;
/** The shortest form of any UID is 8 hex digits: shorter bursts are a person's quick keys. */
const MIN_BURST = 8;

const KEY_CHARS: Readonly<Record<string, string>> = Object.fromEntries([
  ...Array.from({ length: 10 }, (_, d) => [`Digit${d}`, String(d)] as const),
  ...Array.from({ length: 10 }, (_, d) => [`Numpad${d}`, String(d)] as const),
  ...'ABCDEF'.split('').map((c) => [`Key${c}`, c] as const),
]);
const TERMINATORS = new Set(['Enter', 'NumpadEnter']);
/** Readers type upper-case hex with Shift: it keeps the burst's pace but adds no character. */
const MODIFIERS = new Set(['ShiftLeft', 'ShiftRight']);

export function createWedgeReader(options: WedgeReaderOptions): WedgeReader {
  const maxGapMs = options.maxGapMs ?? DEFAULT_MAX_GAP_MS;
  let burst = '';
  let lastKeyAt = Number.NEGATIVE_INFINITY;

  const onKey = (event: KeyLike) => {
    const quick = event.timeStamp - lastKeyAt <= maxGapMs;
    lastKeyAt = event.timeStamp;
    if (MODIFIERS.has(event.code)) {
      if (!quick) burst = '';
      return;
    }
    if (TERMINATORS.has(event.code)) {
      const typed = burst;
      burst = '';
      if (!quick || typed.length < MIN_BURST) return;
      // The number was the reader's, not the person's, even when it does not fit the encoding:
      // keep its Enter from submitting a form or pressing the button that has the focus.
      event.preventDefault();
      let uid: string;
      try {
        uid = parseUid(typed, options.encoding);
      } catch (error) {
        if (!(error instanceof ReaderError)) throw error;
        options.onError?.(error);
        return;
      }
      options.onRead({ kind: 'ic-card', uid, readAt: new Date() });
      return;
    }
    const char = event.repeat ? undefined : KEY_CHARS[event.code];
    if (char === undefined) burst = '';
    else burst = quick ? burst + char : char;
  };

  return {
    start: () => options.source.addEventListener('keydown', onKey),
    stop: () => {
      options.source.removeEventListener('keydown', onKey);
      burst = '';
    },
  };
}
