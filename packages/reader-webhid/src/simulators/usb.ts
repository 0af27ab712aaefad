// A simulated WebUSB `USBDevice`: a vendor-class ID reader wired four-pipe (SAM_V) or single-pipe.
import { HEADER_LENGTH, PREAMBLE } from '../frame.ts';
import type { UsbWiring } from '../transports/usb.ts';
import type { UsbConfigurationLike, UsbDeviceLike, UsbEndpointLike, UsbInTransferResultLike, UsbOutTransferResultLike } from '../web-devices.ts';
import { domError } from './listeners.ts';
import type { SamSimulator } from './sam.ts';
import { Wire, type WireOptions } from './wire.ts';

export interface SimulatedUsbDeviceOptions {
  sam: SamSimulator;
  wiring: UsbWiring;
  vendorId?: number;
  productId?: number;
  productName?: string;
  /** The interface's USB class; default 0xFF (vendor). Chrome refuses to claim protected ones such as HID (0x03). */
  interfaceClass?: number;
  wire?: WireOptions;
}

const PROTECTED_CLASSES = new Set([0x01, 0x03, 0x08, 0x0b, 0x0e, 0x10, 0xe0]);

// Endpoint numbers written out here (SAM_V spec: OUT 02/06, IN 81/85), so the simulator does not
// echo what the transport believes.
const FOUR_PIPE = { headerOut: 2, bodyOut: 6, headerIn: 1, bodyIn: 5 } as const;
const SINGLE_PIPE = { in: 1, out: 2 } as const;

function bulk(endpointNumber: number, direction: 'in' | 'out'): UsbEndpointLike {
  return { endpointNumber, direction, type: 'bulk', packetSize: 64 };
}

interface PendingIn {
  length: number;
  resolve(result: UsbInTransferResultLike): void;
  reject(error: unknown): void;
}

export class SimulatedUsbDevice implements UsbDeviceLike {
  readonly vendorId: number;
  readonly productId: number;
  readonly productName: string;
  readonly wire: Wire;
  readonly #sam: SamSimulator;
  readonly #wiring: UsbWiring;
  readonly #config: UsbConfigurationLike;
  #configured = false;
  #opened = false;
  #claimed = false;
  #plugged = true;
  #header: Uint8Array | null = null;
  readonly #queues = new Map<number, Uint8Array[]>();
  readonly #pending = new Map<number, PendingIn[]>();

  constructor(options: SimulatedUsbDeviceOptions) {
    this.#sam = options.sam;
    this.#wiring = options.wiring;
    this.vendorId = options.vendorId ?? (options.wiring === 'four-pipe' ? 0x0400 : 0x28e9);
    this.productId = options.productId ?? (options.wiring === 'four-pipe' ? 0xc35a : 0x028a);
    this.productName = options.productName ?? '模拟身份证阅读器 (USB)';
    this.wire = new Wire(options.wire);
    const endpoints =
      options.wiring === 'four-pipe'
        ? [bulk(FOUR_PIPE.headerOut, 'out'), bulk(FOUR_PIPE.bodyOut, 'out'), bulk(FOUR_PIPE.headerIn, 'in'), bulk(FOUR_PIPE.bodyIn, 'in')]
        : [bulk(SINGLE_PIPE.in, 'in'), bulk(SINGLE_PIPE.out, 'out')];
    this.#config = { configurationValue: 1, interfaces: [{ interfaceNumber: 0, alternate: { interfaceClass: options.interfaceClass ?? 0xff, endpoints } }] };
  }

  get opened(): boolean {
    return this.#opened;
  }

  get configuration(): UsbConfigurationLike | null {
    return this.#configured ? this.#config : null;
  }

  async open(): Promise<void> {
    this.#ensurePlugged();
    this.#opened = true;
  }

  async close(): Promise<void> {
    this.#ensurePlugged();
    this.#reset(domError('AbortError', 'The transfer was cancelled.'));
  }

  async selectConfiguration(configurationValue: number): Promise<void> {
    this.#ensureOpen();
    if (configurationValue !== 1) throw domError('NotFoundError', 'The configuration value provided is not supported by the device.');
    this.#configured = true;
  }

  async claimInterface(interfaceNumber: number): Promise<void> {
    this.#ensureOpen();
    if (!this.#configured || interfaceNumber !== 0)
      throw domError('NotFoundError', 'The interface number provided is not supported by the device in its current configuration.');
    if (PROTECTED_CLASSES.has(this.#config.interfaces[0]!.alternate.interfaceClass))
      throw domError('SecurityError', 'The requested interface implements a protected class.');
    this.#claimed = true;
  }

  async transferOut(endpointNumber: number, data: Uint8Array): Promise<UsbOutTransferResultLike> {
    this.#ensureClaimed();
    const bytes = data.slice();
    if (this.#wiring === 'single-pipe') {
      if (endpointNumber !== SINGLE_PIPE.out) return { bytesWritten: 0, status: 'stall' };
      for (const answer of this.#sam.receive(bytes)) this.#send(answer, SINGLE_PIPE.in);
      return { bytesWritten: bytes.length, status: 'ok' };
    }
    // Four-pipe: the header (preamble + Len) alone on endpoint 2, then the rest on endpoint 6.
    if (endpointNumber === FOUR_PIPE.headerOut && bytes.length === HEADER_LENGTH && PREAMBLE.every((b, i) => bytes[i] === b)) {
      this.#header = bytes;
      return { bytesWritten: bytes.length, status: 'ok' };
    }
    if (endpointNumber === FOUR_PIPE.bodyOut && this.#header) {
      const frame = new Uint8Array(HEADER_LENGTH + bytes.length);
      frame.set(this.#header);
      frame.set(bytes, HEADER_LENGTH);
      this.#header = null;
      const answer = this.#sam.answer(frame);
      if (answer) this.#send(answer, FOUR_PIPE.bodyIn);
      return { bytesWritten: bytes.length, status: 'ok' };
    }
    return { bytesWritten: 0, status: 'stall' };
  }

  transferIn(endpointNumber: number, length: number): Promise<UsbInTransferResultLike> {
    try {
      this.#ensureClaimed();
    } catch (error) {
      return Promise.reject(error);
    }
    return new Promise((resolve, reject) => {
      const waiting = this.#pending.get(endpointNumber) ?? [];
      waiting.push({ length, resolve, reject });
      this.#pending.set(endpointNumber, waiting);
      this.#serve(endpointNumber);
    });
  }

  /** Called by `SimulatedDeviceApis.unplug`: every transfer fails and the device forgets its state. */
  simulateUnplug(): void {
    this.#plugged = false;
    this.#reset(domError('NetworkError', 'A transfer error has occurred.'));
    this.#configured = false;
  }

  simulatePlug(): void {
    this.#plugged = true;
  }

  #send(answer: Uint8Array, bodyEndpoint: number): void {
    this.wire.later(() => {
      if (!this.#opened) return;
      if (this.#wiring === 'four-pipe') {
        this.#enqueue(FOUR_PIPE.headerIn, [answer.subarray(0, HEADER_LENGTH)]);
        this.#enqueue(bodyEndpoint, this.wire.cut(answer.subarray(HEADER_LENGTH)));
      } else {
        this.#enqueue(bodyEndpoint, this.wire.cut(answer));
      }
    });
  }

  #enqueue(endpoint: number, pieces: Uint8Array[]): void {
    const queue = this.#queues.get(endpoint) ?? [];
    queue.push(...pieces);
    this.#queues.set(endpoint, queue);
    this.#serve(endpoint);
  }

  /** Hands queued pieces to waiting transfers; a transfer shorter than a piece leaves the rest. */
  #serve(endpoint: number): void {
    const queue = this.#queues.get(endpoint) ?? [];
    const waiting = this.#pending.get(endpoint) ?? [];
    while (queue.length > 0 && waiting.length > 0) {
      const transfer = waiting.shift()!;
      const piece = queue[0]!;
      const taken = piece.subarray(0, transfer.length);
      if (taken.length === piece.length) queue.shift();
      else queue[0] = piece.subarray(taken.length);
      transfer.resolve({ status: 'ok', data: new DataView(taken.slice().buffer) });
    }
  }

  #reset(reason: unknown): void {
    for (const waiting of this.#pending.values()) for (const transfer of waiting) transfer.reject(reason);
    this.#pending.clear();
    this.#queues.clear();
    this.#header = null;
    this.#opened = false;
    this.#claimed = false;
  }

  #ensurePlugged(): void {
    if (!this.#plugged) throw domError('NotFoundError', 'The device was disconnected.');
  }

  #ensureOpen(): void {
    this.#ensurePlugged();
    if (!this.#opened) throw domError('InvalidStateError', 'The device must be opened first.');
  }

  #ensureClaimed(): void {
    this.#ensureOpen();
    if (!this.#claimed) throw domError('InvalidStateError', 'The specified endpoint is not part of a claimed and selected alternate interface.');
  }
}
