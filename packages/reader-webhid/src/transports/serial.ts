// Web Serial: readers behind a USB-serial bridge (UART 串口), 115200 8N1 by default.
import { type ExchangeOptions, AnswerQueue, type SamLink, abortedError, disconnectedError, openFailedError } from '../sam-link.ts';
import type { SerialOptionsLike, SerialPortLike } from '../web-devices.ts';

export const SAM_SERIAL_OPTIONS = {
  baudRate: 115200,
  dataBits: 8,
  stopBits: 1,
  parity: 'none',
  flowControl: 'none',
} as const satisfies SerialOptionsLike;

export async function openSerialLink(port: SerialPortLike, options: { baudRate?: number } = {}): Promise<SamLink> {
  try {
    await port.open({ ...SAM_SERIAL_OPTIONS, baudRate: options.baudRate ?? SAM_SERIAL_OPTIONS.baudRate });
  } catch (error) {
    throw openFailedError(error);
  }
  if (!port.readable || !port.writable) {
    await port.close().catch(() => undefined);
    throw openFailedError(new Error('port has no streams'));
  }
  const reader = port.readable.getReader();
  const writer = port.writable.getWriter();
  const answers = new AnswerQueue();

  const pump = (async () => {
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        if (value) answers.push(value);
      }
      answers.fail(disconnectedError());
    } catch (error) {
      answers.fail(disconnectedError(error));
    }
  })();

  return {
    exchange(command: Uint8Array, exchangeOptions: ExchangeOptions): Promise<Uint8Array> {
      const answer = answers.expect(exchangeOptions);
      writer.write(command).catch((error: unknown) => answers.fail(disconnectedError(error)));
      return answer;
    },
    async close(): Promise<void> {
      answers.fail(abortedError());
      // Web Serial closes a port only when its streams are unlocked.
      await reader.cancel().catch(() => undefined);
      await pump;
      reader.releaseLock();
      writer.releaseLock();
      // A port that was unplugged cannot be closed cleanly, and there is nothing left to release.
      await port.close().catch(() => undefined);
    },
  };
}
