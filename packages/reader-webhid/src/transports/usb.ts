// WebUSB, vendor-class bulk endpoints. Two wirings are in use (readers.md §1.7):
//  - four-pipe, as the SAM_V module spec defines it: preamble + Len go OUT on endpoint 2 and the
//    rest on endpoint 6; the answer's preamble + Len come IN on endpoint 1 and the rest on 5;
//  - single-pipe: the whole frame OUT on one bulk endpoint, the answer IN on another.
import { ReaderError } from '../errors.ts';
import { HEADER_LENGTH, MAX_LEN, PREAMBLE } from '../frame.ts';
import { type ExchangeOptions, AnswerQueue, type SamLink, abortedError, disconnectedError, openFailedError, withDeadline } from '../sam-link.ts';
import type { UsbConfigurationLike, UsbDeviceLike, UsbInterfaceLike } from '../web-devices.ts';

export type UsbWiring = 'four-pipe' | 'single-pipe';

const FOUR_PIPE = { headerOut: 2, bodyOut: 6, headerIn: 1, bodyIn: 5 } as const;

/** Chrome lets no page claim these interface classes (HID, smart card, …): say so plainly. */
const PROTECTED_CLASSES = new Set([0x01, 0x03, 0x08, 0x0b, 0x0e, 0x10, 0xe0]);

interface Pipes {
  interfaceNumber: number;
  in: number;
  out: number;
}

function endpointsOf(iface: UsbInterfaceLike, direction: 'in' | 'out'): number[] {
  return iface.alternate.endpoints.filter((e) => e.direction === direction && e.type !== 'isochronous').map((e) => e.endpointNumber);
}

function findInterface(config: UsbConfigurationLike, wiring: UsbWiring): Pipes | undefined {
  for (const iface of config.interfaces) {
    const ins = endpointsOf(iface, 'in');
    const outs = endpointsOf(iface, 'out');
    if (wiring === 'four-pipe') {
      const { headerOut, bodyOut, headerIn, bodyIn } = FOUR_PIPE;
      if (outs.includes(headerOut) && outs.includes(bodyOut) && ins.includes(headerIn) && ins.includes(bodyIn)) {
        return { interfaceNumber: iface.interfaceNumber, in: bodyIn, out: bodyOut };
      }
    } else if (ins[0] !== undefined && outs[0] !== undefined) {
      return { interfaceNumber: iface.interfaceNumber, in: ins[0], out: outs[0] };
    }
  }
  return undefined;
}

function ioError(direction: 'in' | 'out', status: string): ReaderError {
  return new ReaderError({
    code: 'io',
    messageKey: direction === 'in' ? 'reader.usb.receive-failed' : 'reader.usb.send-failed',
    params: { status },
  });
}

export async function openUsbLink(device: UsbDeviceLike, options: { wiring: UsbWiring }): Promise<SamLink> {
  let pipes: Pipes | undefined;
  try {
    if (!device.opened) await device.open();
    if (!device.configuration) await device.selectConfiguration(1);
    const config = device.configuration;
    pipes = config ? findInterface(config, options.wiring) : undefined;
    if (!pipes) throw new Error(options.wiring === 'four-pipe' ? 'no interface has endpoints 1, 2, 5 and 6' : 'no interface has bulk IN and OUT endpoints');
    await device.claimInterface(pipes.interfaceNumber);
  } catch (error) {
    await device.close().catch(() => undefined);
    const iface = device.configuration?.interfaces.find((i) => i.interfaceNumber === pipes?.interfaceNumber);
    const isProtected = iface !== undefined && PROTECTED_CLASSES.has(iface.alternate.interfaceClass);
    throw openFailedError(error, { protectedInterface: isProtected });
  }
  const { in: inEp, out: outEp } = pipes;

  async function send(endpoint: number, bytes: Uint8Array): Promise<void> {
    const result = await device.transferOut(endpoint, bytes);
    if (result.status !== 'ok') throw ioError('out', result.status);
  }

  async function receive(endpoint: number, length: number): Promise<Uint8Array> {
    const result = await device.transferIn(endpoint, length);
    if (result.status !== 'ok') throw ioError('in', result.status);
    const data = result.data;
    return data ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength) : new Uint8Array(0);
  }

  async function receiveExactly(endpoint: number, length: number): Promise<Uint8Array> {
    const out = new Uint8Array(length);
    let filled = 0;
    while (filled < length) {
      const part = await receive(endpoint, length - filled);
      if (part.length > length - filled) throw ioError('in', 'babble');
      out.set(part, filled);
      filled += part.length;
    }
    return out;
  }

  let closed = false;
  const linkError = (error: unknown) => (error instanceof ReaderError ? error : closed ? abortedError() : disconnectedError(error));

  async function fourPipe(command: Uint8Array): Promise<Uint8Array> {
    await send(FOUR_PIPE.headerOut, command.subarray(0, HEADER_LENGTH));
    await send(FOUR_PIPE.bodyOut, command.subarray(HEADER_LENGTH));
    const header = await receiveExactly(FOUR_PIPE.headerIn, HEADER_LENGTH);
    if (PREAMBLE.some((b, i) => header[i] !== b)) {
      throw new ReaderError({
        code: 'bad-preamble',
        messageKey: 'reader.frame.bad-preamble',
      });
    }
    const len = (header[5]! << 8) | header[6]!;
    if (len < 4 || len > MAX_LEN) {
      throw new ReaderError({ code: 'bad-length', messageKey: 'reader.frame.bad-length-field', params: { length: len } });
    }
    const frame = new Uint8Array(HEADER_LENGTH + len);
    frame.set(header, 0);
    frame.set(await receiveExactly(FOUR_PIPE.bodyIn, len), HEADER_LENGTH);
    return frame;
  }

  const answers = new AnswerQueue();

  function singlePipe(command: Uint8Array, exchangeOptions: ExchangeOptions): Promise<Uint8Array> {
    const answer = answers.expect(exchangeOptions);
    let settled = false;
    answer.then(
      () => (settled = true),
      () => (settled = true),
    );
    (async () => {
      await send(outEp, command);
      while (!settled) answers.push(await receive(inEp, HEADER_LENGTH + MAX_LEN));
    })().catch((error: unknown) => answers.reject(linkError(error)));
    return answer;
  }

  return {
    async exchange(command: Uint8Array, exchangeOptions: ExchangeOptions): Promise<Uint8Array> {
      if (closed) throw abortedError();
      if (options.wiring === 'single-pipe') return singlePipe(command, exchangeOptions);
      return withDeadline(fourPipe(command), exchangeOptions).catch((error: unknown) => {
        throw linkError(error);
      });
    },
    async close(): Promise<void> {
      closed = true;
      answers.fail(abortedError());
      // Closing aborts transfers left pending by a timeout. A device that was unplugged cannot be
      // closed cleanly, and there is nothing left to release.
      await device.close().catch(() => undefined);
    },
  };
}
