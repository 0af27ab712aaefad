// A simulated SAM (安全控制模块) with a card field: it answers GA/T 467 command frames with the
// bytes a real module would send, including the rule that a card is found again only after it
// left the field. Faults are injected here, at the frame level; the transport simulators around
// it add the wire's faults (splits, delays).
import { FrameAssembler } from '../assembler.ts';
import { encodeBaseInfo } from '../base-info.ts';
import { SAM_COMMANDS } from '../commands.ts';
import { ReaderError } from '../errors.ts';
import { decodeCommand, encodeAnswer } from '../frame.ts';
import type { IdentityCard } from '../identity.ts';
import { SW3_FOUND, SW3_NO_CARD, SW3_OK } from '../status.ts';

export interface SimulatedIdCard {
  identity: IdentityCard;
  /** 1024 bytes; defaults to `placeholderPhoto()`. */
  photo?: Uint8Array;
  /** How much fingerprint data (指纹) the card holds, returned by `30 10`; default none. */
  fingerprintBytes?: 0 | 512 | 1024;
}

/** NO_CARD → (place) → CARD_PRESENT → find → FOUND → select → SELECTED → read → READ_DONE → (remove). */
export type SamState = 'no-card' | 'card-present' | 'found' | 'selected' | 'read-done';

export type SamStep = 'find' | 'select' | 'read';

export interface SamSimulatorOptions {
  /** The 5 numbers of the SAM's id (answer to 12 FF). */
  samId?: readonly [number, number, number, number, number];
  /**
   * Find-card while a card that was read stays in the field: 'no-card' (80) is what SAMs do;
   * 'found' (9F) models readers that find it again, so the reader's own once-per-placement rule
   * can be tested.
   */
  findAfterRead?: 'no-card' | 'found';
}

/** The photo placeholder of readers.md TV-11: "WLf\0" and zeros. Not a real WLT image. */
export function placeholderPhoto(): Uint8Array {
  const photo = new Uint8Array(1024);
  photo.set([0x57, 0x4c, 0x66, 0x00]);
  return photo;
}

const SW3_BAD_CHECKSUM = 0x10;
const SW3_BAD_LENGTH = 0x11;
const SW3_BAD_COMMAND = 0x21;
const SW3_READ_FAILED = 0x41;
const SW3_SELECT_FAILED = 0x81;

const is = (c: { cmd: number; para: number }, name: keyof typeof SAM_COMMANDS) => c.cmd === SAM_COMMANDS[name].cmd && c.para === SAM_COMMANDS[name].para;

export class SamSimulator {
  readonly #samId: readonly number[];
  readonly #findAfterRead: 'no-card' | 'found';
  #state: SamState = 'no-card';
  #card: SimulatedIdCard | null = null;
  readonly #failures = new Map<SamStep, number>();
  #corruption: { at: number; step: SamStep | undefined } | null = null;
  #step: SamStep | undefined;
  #silent = 0;
  readonly #receiver = new FrameAssembler();
  /** Every command received, decoded, for tests to inspect. */
  readonly received: { cmd: number; para: number }[] = [];

  constructor(options: SamSimulatorOptions = {}) {
    this.#samId = options.samId ?? [5, 1, 20101026, 12345678, 1234567890];
    this.#findAfterRead = options.findAfterRead ?? 'no-card';
  }

  get state(): SamState {
    return this.#state;
  }

  /** Puts a card on the reader (replacing any card there). */
  place(card: SimulatedIdCard): void {
    this.#card = card;
    this.#state = 'card-present';
  }

  /** Takes the card away. */
  remove(): void {
    this.#card = null;
    this.#state = 'no-card';
  }

  /** The next answer to `step` carries status `sw3` instead (e.g. 0x41 read failed, 0x31 authentication failed). */
  failNext(step: SamStep, sw3: number): void {
    this.#failures.set(step, sw3);
  }

  /**
   * Flips every bit of byte `at` of the next answer, or of the next answer to `step` (default: the
   * byte before the checksum, so the checksum no longer matches; 0–6 hit the preamble or length).
   */
  corruptNextAnswer(options: { step?: SamStep; at?: number } = {}): void {
    this.#corruption = { at: options.at ?? -2, step: options.step };
  }

  /** The next `count` commands get no answer at all. */
  silenceNext(count = 1): void {
    this.#silent += count;
  }

  /** Answers one command frame; null when the module stays silent. */
  answer(frame: Uint8Array): Uint8Array | null {
    let answer: Uint8Array;
    try {
      answer = this.#respond(frame);
    } catch (error) {
      if (!(error instanceof ReaderError)) throw error;
      // A frame with a broken checksum or length still reaches the module, which says so.
      if (error.code === 'bad-checksum') answer = encodeAnswer({ sw3: SW3_BAD_CHECKSUM });
      else if (error.code === 'bad-length') answer = encodeAnswer({ sw3: SW3_BAD_LENGTH });
      else return null;
    }
    return this.#deliver(answer);
  }

  /**
   * Takes command bytes as a serial line or bulk pipe delivers them, in any pieces, and returns
   * the answers they complete.
   */
  receive(bytes: Uint8Array): Uint8Array[] {
    const answers: Uint8Array[] = [];
    for (const item of this.#receiver.push(bytes)) {
      this.#step = undefined;
      const answer = 'frame' in item ? this.answer(item.frame) : this.#deliver(encodeAnswer({ sw3: SW3_BAD_CHECKSUM }));
      if (answer) answers.push(answer);
    }
    return answers;
  }

  #deliver(answer: Uint8Array): Uint8Array | null {
    if (this.#silent > 0) {
      this.#silent -= 1;
      return null;
    }
    const corruption = this.#corruption;
    if (corruption && (corruption.step === undefined || corruption.step === this.#step)) {
      const at = corruption.at < 0 ? answer.length + corruption.at : corruption.at;
      answer[Math.min(Math.max(at, 0), answer.length - 1)]! ^= 0xff;
      this.#corruption = null;
    }
    return answer;
  }

  #injected(step: SamStep): number | undefined {
    const sw3 = this.#failures.get(step);
    this.#failures.delete(step);
    return sw3;
  }

  #respond(frame: Uint8Array): Uint8Array {
    this.#step = undefined;
    const command = decodeCommand(frame);
    this.received.push({ cmd: command.cmd, para: command.para });
    if (is(command, 'findCard')) return this.#find();
    if (is(command, 'selectCard')) return this.#select();
    if (is(command, 'readBaseInfo') || is(command, 'readBaseInfoWithFingerprint')) return this.#read(is(command, 'readBaseInfoWithFingerprint'));
    if (is(command, 'readSamId')) {
      const data = new Uint8Array(16);
      const view = new DataView(data.buffer);
      const [a = 0, b = 0, c = 0, d = 0, e = 0] = this.#samId;
      view.setUint16(0, a, true);
      view.setUint16(2, b, true);
      view.setUint32(4, c, true);
      view.setUint32(8, d, true);
      view.setUint32(12, e, true);
      return encodeAnswer({ sw3: SW3_OK, data });
    }
    if (is(command, 'reset')) {
      if (this.#card) this.#state = 'card-present';
      return encodeAnswer({ sw3: SW3_OK });
    }
    // No appended address (追加住址) on simulated cards: "no content".
    if (is(command, 'readAppendedAddress')) return encodeAnswer({ sw3: this.#state === 'selected' || this.#state === 'read-done' ? 0x91 : SW3_READ_FAILED });
    if (is(command, 'status') || command.cmd === 0x60 || command.cmd === 0x61) return encodeAnswer({ sw3: SW3_OK });
    return encodeAnswer({ sw3: SW3_BAD_COMMAND });
  }

  #find(): Uint8Array {
    this.#step = 'find';
    const injected = this.#injected('find');
    if (injected !== undefined) return encodeAnswer({ sw3: injected });
    const findable = this.#state !== 'no-card' && (this.#state !== 'read-done' || this.#findAfterRead === 'found');
    if (!findable) return encodeAnswer({ sw3: SW3_NO_CARD });
    this.#state = 'found';
    return encodeAnswer({ sw3: SW3_FOUND, data: new Uint8Array(4) });
  }

  #select(): Uint8Array {
    this.#step = 'select';
    if (this.#state !== 'found' && this.#state !== 'selected') return encodeAnswer({ sw3: SW3_SELECT_FAILED });
    const injected = this.#injected('select');
    if (injected !== undefined) {
      // After a failed select or read the card must leave the field before it is found again.
      this.#state = 'read-done';
      return encodeAnswer({ sw3: injected });
    }
    this.#state = 'selected';
    return encodeAnswer({ sw3: SW3_OK, data: new Uint8Array(8) });
  }

  #read(withFingerprint: boolean): Uint8Array {
    this.#step = 'read';
    const card = this.#card;
    if (this.#state !== 'selected' || !card) return encodeAnswer({ sw3: SW3_READ_FAILED });
    this.#state = 'read-done';
    const injected = this.#injected('read');
    if (injected !== undefined) return encodeAnswer({ sw3: injected });
    return encodeBaseInfo({
      identity: card.identity,
      photo: card.photo ?? placeholderPhoto(),
      fingerprint: withFingerprint ? new Uint8Array(card.fingerprintBytes ?? 0) : undefined,
    });
  }
}
