import { describe, expect, expectTypeOf, it } from 'vitest';
import type { CardRead } from './card-read.ts';
import type { ReaderError } from './errors.ts';
import { HID_USAGE, SimulatedKeyboard, keyCodeOfUsage, usagesOfText } from './simulators/keyboard.ts';
import { UID_ENCODINGS, type UidEncoding, formatUid } from './uid.ts';
import { type KeyEventSource, type WedgeReaderOptions, createWedgeReader } from './wedge.ts';

function setup(options: Partial<WedgeReaderOptions> & { encoding: UidEncoding }) {
  const keyboard = new SimulatedKeyboard();
  const reads: CardRead[] = [];
  const errors: ReaderError[] = [];
  const reader = createWedgeReader({ source: keyboard, onRead: (r) => reads.push(r), onError: (e) => errors.push(e), ...options });
  reader.start();
  return { keyboard, reads, errors, reader };
}

describe('TV-23: a wedge reader’s HID keyboard usages as key events', () => {
  it('1E 1F 20 … 27 28 is "1234567890" and Enter', () => {
    const usages = [0x1e, 0x1f, 0x20, 0x21, 0x22, 0x23, 0x24, 0x25, 0x26, 0x27, 0x28];
    expect(usages.map(keyCodeOfUsage)).toEqual(['Digit1', 'Digit2', 'Digit3', 'Digit4', 'Digit5', 'Digit6', 'Digit7', 'Digit8', 'Digit9', 'Digit0', 'Enter']);
    expect(usagesOfText('1234567890')).toEqual(usages);
  });

  it('hex letters come with Shift, as upper case', () => {
    expect(usagesOfText('E7').map(keyCodeOfUsage)).toEqual(['ShiftLeft', 'KeyE', 'Digit7', 'Enter']);
    expect(() => keyCodeOfUsage(HID_USAGE.enter + 1)).toThrow(RangeError);
  });
});

describe('keyboard-wedge reader', () => {
  it.each(UID_ENCODINGS)('turns a fast burst typed in %s into the canonical UID', (encoding) => {
    const { keyboard, reads } = setup({ encoding });
    keyboard.presentCard('26DEFAE7', { encoding });
    expect(reads).toEqual([{ kind: 'ic-card', uid: '26DEFAE7', readAt: expect.any(Date) }]);
  });

  it('reads what the reader types, e.g. 0652147431 for a dec-be reader', () => {
    const { keyboard, reads } = setup({ encoding: 'dec-be' });
    keyboard.press(['Digit0', 'Digit6', 'Digit5', 'Digit2', 'Digit1', 'Digit4', 'Digit7', 'Digit4', 'Digit3', 'Digit1', 'Enter'], { gapMs: 4 });
    expect(reads.map((r) => r.kind === 'ic-card' && r.uid)).toEqual(['26DEFAE7']);
  });

  it('ignores a person typing the same number slowly', () => {
    const { keyboard, reads, errors } = setup({ encoding: 'dec-be' });
    keyboard.type(formatUid('26DEFAE7', 'dec-be'), { gapMs: 150 });
    expect(reads).toEqual([]);
    expect(errors).toEqual([]);
    expect(keyboard.events.at(-1)?.defaultPrevented).toBe(false);
  });

  it('ignores a burst with one slow key in it, and a slow Enter', () => {
    const { keyboard, reads } = setup({ encoding: 'hex' });
    keyboard.press(['Digit2', 'Digit6', 'KeyD', 'KeyE'], { gapMs: 5 });
    keyboard.press(['KeyF', 'KeyA', 'KeyE', 'Digit7', 'Enter'], { gapMs: 5, pauseMs: 120 });
    keyboard.press(['Digit2', 'Digit6', 'KeyD', 'KeyE', 'KeyF', 'KeyA', 'KeyE', 'Digit7'], { gapMs: 5 });
    keyboard.press(['Enter'], { gapMs: 5, pauseMs: 300 });
    expect(reads).toEqual([]);
  });

  it('ignores short quick bursts, such as a person’s quick keys', () => {
    const { keyboard, reads, errors } = setup({ encoding: 'hex' });
    keyboard.press(['Digit1', 'Digit2', 'Enter'], { gapMs: 10 });
    expect(reads).toEqual([]);
    expect(errors).toEqual([]);
  });

  it('uses the configured gap: 80 ms bursts count when allowed', () => {
    const { keyboard, reads } = setup({ encoding: 'hex', maxGapMs: 100 });
    keyboard.presentCard('86CFD936', { encoding: 'hex', gapMs: 80 });
    expect(reads).toHaveLength(1);
    const strict = setup({ encoding: 'hex' });
    strict.keyboard.presentCard('86CFD936', { encoding: 'hex', gapMs: 80 });
    expect(strict.reads).toHaveLength(0);
  });

  it('reads two cards in a row, and a card after human typing', () => {
    const { keyboard, reads } = setup({ encoding: 'hex-reversed' });
    keyboard.type('12');
    keyboard.presentCard('26DEFAE7', { encoding: 'hex-reversed' });
    keyboard.presentCard('86CFD936', { encoding: 'hex-reversed' });
    expect(reads.map((r) => r.kind === 'ic-card' && r.uid)).toEqual(['26DEFAE7', '86CFD936']);
  });

  it('keeps the reader’s Enter from reaching a form', () => {
    const { keyboard } = setup({ encoding: 'hex' });
    keyboard.presentCard('26DEFAE7', { encoding: 'hex' });
    expect(keyboard.events.at(-1)).toMatchObject({ code: 'Enter', defaultPrevented: true });
  });

  it('reports a reader burst that does not fit the configured encoding, and keeps its Enter too', () => {
    const { keyboard, reads, errors } = setup({ encoding: 'dec-le' });
    keyboard.presentCard('26DEFAE7', { encoding: 'hex' });
    expect(reads).toEqual([]);
    expect(errors.map((e) => e.code)).toEqual(['bad-uid']);
    expect(keyboard.events.at(-1)).toMatchObject({ code: 'Enter', defaultPrevented: true });
  });

  it('takes digits from the number pad and NumpadEnter too', () => {
    const { keyboard, reads } = setup({ encoding: 'dec-le' });
    const digits = formatUid('86CFD936', 'dec-le')
      .split('')
      .map((d) => `Numpad${d}`);
    keyboard.press([...digits, 'NumpadEnter'], { gapMs: 3 });
    expect(reads.map((r) => r.kind === 'ic-card' && r.uid)).toEqual(['86CFD936']);
  });

  it('stops listening when stopped', () => {
    const { keyboard, reads, reader } = setup({ encoding: 'hex' });
    reader.stop();
    keyboard.presentCard('26DEFAE7', { encoding: 'hex' });
    expect(reads).toEqual([]);
  });

  it('accepts `window` as its key-event source', () => {
    expectTypeOf<Window>().toExtend<KeyEventSource>();
  });
});
