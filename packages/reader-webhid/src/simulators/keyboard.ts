// A simulated key-event source for keyboard-wedge IC readers (and for the person at the kiosk).
// A wedge reader is a USB keyboard: it sends HID keyboard usages, which the browser turns into
// `keydown` events. Timestamps are simulated, so bursts and human typing need no real waiting.
import { type UidEncoding, formatUid } from '../uid.ts';
import type { KeyEventSource, KeyLike } from '../wedge.ts';
import { Listeners } from './listeners.ts';

/** HID keyboard usages (page 0x07) a wedge reader sends: 04–09 'a'–'f', 1E–27 '1'–'9','0', 28 Enter. */
export const HID_USAGE = { a: 0x04, one: 0x1e, zero: 0x27, enter: 0x28, leftShift: 0xe1 } as const;

/** The `KeyboardEvent.code` a browser reports for a HID keyboard usage (readers.md TV-23). */
export function keyCodeOfUsage(usage: number): string {
  if (usage >= HID_USAGE.a && usage <= 0x1d) return `Key${String.fromCharCode(0x41 + usage - HID_USAGE.a)}`;
  if (usage >= HID_USAGE.one && usage < HID_USAGE.zero) return `Digit${usage - HID_USAGE.one + 1}`;
  if (usage === HID_USAGE.zero) return 'Digit0';
  if (usage === HID_USAGE.enter) return 'Enter';
  if (usage === HID_USAGE.leftShift) return 'ShiftLeft';
  throw new RangeError(`No key code for HID usage ${usage}`);
}

/** The usages that type `text` (digits and letters) and Enter; letters upper-case, so with Shift. */
export function usagesOfText(text: string): number[] {
  const usages: number[] = [];
  for (const char of text.toUpperCase()) {
    if (char === '0') usages.push(HID_USAGE.zero);
    else if (char >= '1' && char <= '9') usages.push(HID_USAGE.one + Number(char) - 1);
    else if (char >= 'A' && char <= 'Z') usages.push(HID_USAGE.leftShift, HID_USAGE.a + char.charCodeAt(0) - 0x41);
    else throw new RangeError(`Cannot type "${char}"`);
  }
  usages.push(HID_USAGE.enter);
  return usages;
}

export interface SimulatedKeyEvent extends KeyLike {
  readonly type: 'keydown';
  readonly repeat: boolean;
  /** Whether a listener called `preventDefault()`. */
  readonly defaultPrevented: boolean;
}

export class SimulatedKeyboard implements KeyEventSource {
  readonly #listeners = new Listeners<KeyLike>();
  #now: number;
  /** Every event dispatched, for tests. */
  readonly events: SimulatedKeyEvent[] = [];

  constructor(options: { startAt?: number } = {}) {
    this.#now = options.startAt ?? 1000;
  }

  addEventListener(type: 'keydown', listener: (event: KeyLike) => void): void {
    this.#listeners.add(type, listener);
  }

  removeEventListener(type: 'keydown', listener: (event: KeyLike) => void): void {
    this.#listeners.remove(type, listener);
  }

  /** Presses keys by `code`, `gapMs` apart, after a pause of `pauseMs` (default 1 s) since the last key. */
  press(codes: readonly string[], options: { gapMs: number; pauseMs?: number }): void {
    this.#now += (options.pauseMs ?? 1000) - options.gapMs;
    for (const code of codes) {
      this.#now += options.gapMs;
      let prevented = false;
      const event: SimulatedKeyEvent = {
        type: 'keydown',
        code,
        timeStamp: this.#now,
        repeat: false,
        preventDefault: () => {
          prevented = true;
        },
        get defaultPrevented() {
          return prevented;
        },
      };
      this.events.push(event);
      this.#listeners.emit('keydown', event);
    }
  }

  /** A wedge reader presenting the card `uid`: its number in `encoding` and Enter, keys `gapMs` (default 8) apart. */
  presentCard(uid: string, options: { encoding: UidEncoding; gapMs?: number }): void {
    this.press(usagesOfText(formatUid(uid, options.encoding)).map(keyCodeOfUsage), { gapMs: options.gapMs ?? 8 });
  }

  /** A person typing `text` and Enter, keys `gapMs` (default 180) apart. */
  type(text: string, options: { gapMs?: number } = {}): void {
    this.press(usagesOfText(text).map(keyCodeOfUsage), { gapMs: options.gapMs ?? 180 });
  }
}
