// A simulated Web Serial `SerialPort`: a reader behind a USB-serial bridge. The SAM understands
// only 115200 8N1; a port opened otherwise gets no answers, as on a real line.
import type { SerialOptionsLike, SerialPortLike } from '../web-devices.ts';
import { domError } from './listeners.ts';
import type { SamSimulator } from './sam.ts';
import { Wire, type WireOptions } from './wire.ts';

/** The module's UART setting, written out here so the simulator does not echo the transport's belief. */
const SAM_LINE = { baudRate: 115200, dataBits: 8, stopBits: 1, parity: 'none' } as const;

export interface SimulatedSerialPortOptions {
  sam: SamSimulator;
  /** The USB-serial bridge's ids (default a CH340). */
  usbVendorId?: number;
  usbProductId?: number;
  wire?: WireOptions;
}

export class SimulatedSerialPort implements SerialPortLike {
  readonly wire: Wire;
  readonly #sam: SamSimulator;
  readonly #info: { usbVendorId: number; usbProductId: number };
  #readable: ReadableStream<Uint8Array> | null = null;
  #writable: WritableStream<Uint8Array> | null = null;
  #controller: ReadableStreamDefaultController<Uint8Array> | null = null;
  #plugged = true;

  constructor(options: SimulatedSerialPortOptions) {
    this.#sam = options.sam;
    this.#info = { usbVendorId: options.usbVendorId ?? 0x1a86, usbProductId: options.usbProductId ?? 0x7523 };
    this.wire = new Wire(options.wire);
  }

  get readable(): ReadableStream<Uint8Array> | null {
    return this.#readable;
  }

  get writable(): WritableStream<Uint8Array> | null {
    return this.#writable;
  }

  getInfo(): { usbVendorId: number; usbProductId: number } {
    return { ...this.#info };
  }

  async open(options: SerialOptionsLike): Promise<void> {
    if (!this.#plugged) throw domError('NetworkError', 'The device has been lost.');
    if (this.#readable) throw domError('InvalidStateError', 'The port is already open.');
    const understood =
      options.baudRate === SAM_LINE.baudRate &&
      (options.dataBits ?? 8) === SAM_LINE.dataBits &&
      (options.stopBits ?? 1) === SAM_LINE.stopBits &&
      (options.parity ?? 'none') === SAM_LINE.parity;
    this.#readable = new ReadableStream<Uint8Array>({
      start: (controller) => {
        this.#controller = controller;
      },
      cancel: () => {
        this.#controller = null;
      },
    });
    this.#writable = new WritableStream<Uint8Array>({
      write: (chunk) => {
        if (!this.#plugged) throw domError('NetworkError', 'The device has been lost.');
        if (!understood) return;
        for (const answer of this.#sam.receive(chunk)) this.#send(answer);
      },
    });
  }

  async close(): Promise<void> {
    if (!this.#readable || !this.#writable) throw domError('InvalidStateError', 'The port is already closed.');
    // As in browsers: a port whose streams are still locked cannot be closed.
    if (this.#readable.locked || this.#writable.locked) throw new TypeError('Cannot close a port with locked streams.');
    await this.#readable.cancel().catch(() => undefined);
    await this.#writable.abort().catch(() => undefined);
    this.#readable = null;
    this.#writable = null;
    this.#controller = null;
  }

  /** Called by `SimulatedDeviceApis.unplug`: both streams fail, as with a real cable pulled. */
  simulateUnplug(): void {
    this.#plugged = false;
    this.#controller?.error(domError('NetworkError', 'The device has been lost.'));
    this.#controller = null;
    this.#readable = null;
    this.#writable = null;
  }

  simulatePlug(): void {
    this.#plugged = true;
  }

  #send(answer: Uint8Array): void {
    this.wire.later(() => {
      for (const piece of this.wire.cut(answer)) this.#controller?.enqueue(piece);
    });
  }
}
