// SW3, the SAM's own status byte (SW1/SW2 are the card's, forwarded). The catalogue's texts
// follow the vendors' Chinese wording of GA/T 467; see readers.md §1.3.
import { ReaderError, hexByte } from './errors.ts';

export const SW3_OK = 0x90;
/** Find-card (寻找证/卡) alone answers 9F on success. */
export const SW3_FOUND = 0x9f;
export const SW3_NO_CARD = 0x80;

/** The SW3 values GA/T 467 names; the app's catalogue words each as `reader.sam-status.<hex>`. */
export const SAM_STATUS_CODES: readonly number[] = [0x90, 0x9f, 0x91, 0x10, 0x11, 0x21, 0x23, 0x24, 0x31, 0x32, 0x33, 0x40, 0x41, 0x47, 0x60, 0x66, 0x80, 0x81];

/** A status as a message: its own key when GA/T 467 names it, else the unknown-status one. */
export function describeStatus(sw3: number): { key: string; params: { sw3: string } } {
  const known = SAM_STATUS_CODES.includes(sw3);
  return { key: known ? `reader.sam-status.${hexByte(sw3).toLowerCase()}` : 'reader.sam-status.unknown', params: { sw3: hexByte(sw3) } };
}

/**
 * The error for an unexpected SW3. `hint` (a message key) says what the person at the reader
 * should do, since after a failed read the card must leave the field before the SAM finds it again.
 */
export function statusError(sw3: number, hint?: string): ReaderError {
  const status = describeStatus(sw3);
  return new ReaderError({ code: 'sam-status', sw3, messageKey: status.key, params: status.params, hint });
}
