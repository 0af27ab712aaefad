// A simulated WebHID `HIDDevice`: a Miaxis-style ID reader with 64-byte reports.
import { HID_ANSWER_CHUNK, HID_REPORT_LENGTH, unwrapHidCommand, wrapHidAnswer } from '../transports/hid-packet.ts';
import type { HidDeviceLike, HidInputReportEventLike } from '../web-devices.ts';
import { Listeners, domError } from './listeners.ts';
import type { SamSimulator } from './sam.ts';
import { Wire, type WireOptions } from './wire.ts';

export interface SimulatedHidDeviceOptions {
  sam: SamSimulator;
  vendorId?: number;
  productId?: number;
  productName?: string;
  /** `delayMs` applies; the packets' size is fixed, so `chunkSizes` does not. */
  wire?: WireOptions;
}

export class SimulatedHidDevice implements HidDeviceLike {
  readonly vendorId: number;
  readonly productId: number;
  readonly productName: string;
  readonly wire: Wire;
  readonly #sam: SamSimulator;
  readonly #listeners = new Listeners<HidInputReportEventLike>();
  #opened = false;
  #plugged = true;

  constructor(options: SimulatedHidDeviceOptions) {
    this.#sam = options.sam;
    this.vendorId = options.vendorId ?? 0x10c4;
    this.productId = options.productId ?? 0x0007;
    this.productName = options.productName ?? '模拟身份证阅读器 (HID)';
    this.wire = new Wire(options.wire);
  }

  get opened(): boolean {
    return this.#opened;
  }

  async open(): Promise<void> {
    if (!this.#plugged) throw domError('NotFoundError', 'The device was disconnected.');
    this.#opened = true;
  }

  async close(): Promise<void> {
    this.#opened = false;
  }

  async sendReport(reportId: number, data: Uint8Array): Promise<void> {
    if (!this.#plugged) throw domError('NotFoundError', 'The device was disconnected.');
    if (!this.#opened) throw domError('InvalidStateError', 'The device must be opened first.');
    // This device has no numbered reports: report id 0 and exactly one report's bytes.
    if (reportId !== 0 || data.length !== HID_REPORT_LENGTH) throw domError('NotFoundError', 'Failed to write the report.');
    let frame: Uint8Array;
    try {
      frame = unwrapHidCommand(data);
    } catch {
      return; // The device drops packets it cannot read.
    }
    const answer = this.#sam.answer(frame.slice());
    if (!answer) return;
    this.wire.later(() => {
      for (let at = 0, index = 0; at < answer.length; at += HID_ANSWER_CHUNK, index++) {
        if (!this.#opened || !this.#plugged) return;
        const report = wrapHidAnswer({ chunk: answer.subarray(at, at + HID_ANSWER_CHUNK), index });
        this.#listeners.emit('inputreport', { device: this, reportId: 0, data: new DataView(report.buffer) });
      }
    });
  }

  addEventListener(type: 'inputreport', listener: (event: HidInputReportEventLike) => void): void {
    this.#listeners.add(type, listener);
  }

  removeEventListener(type: 'inputreport', listener: (event: HidInputReportEventLike) => void): void {
    this.#listeners.remove(type, listener);
  }

  /** Called by `SimulatedDeviceApis.unplug`. */
  simulateUnplug(): void {
    this.#plugged = false;
    this.#opened = false;
  }

  simulatePlug(): void {
    this.#plugged = true;
  }
}
