// WebHID with the Miaxis-style 64-byte wrapper: one output report per command, the answer spread
// over input reports. The frame bytes they carry are reassembled like any byte stream.
import { type ExchangeOptions, AnswerQueue, type SamLink, abortedError, disconnectedError, openFailedError } from '../sam-link.ts';
import type { HidDeviceLike, HidInputReportEventLike } from '../web-devices.ts';
import { unwrapHidAnswer, wrapHidCommand } from './hid-packet.ts';

export async function openHidLink(device: HidDeviceLike, options: { reportId?: number } = {}): Promise<SamLink> {
  // A device without numbered reports takes report id 0 and the bare 64 bytes.
  const reportId = options.reportId ?? 0;
  try {
    if (!device.opened) await device.open();
  } catch (error) {
    throw openFailedError(error);
  }
  const answers = new AnswerQueue();
  const onReport = (event: HidInputReportEventLike) => {
    const report = new Uint8Array(event.data.buffer, event.data.byteOffset, event.data.byteLength);
    try {
      answers.push(unwrapHidAnswer(report));
    } catch (error) {
      answers.reject(error);
    }
  };
  device.addEventListener('inputreport', onReport);

  return {
    exchange(command: Uint8Array, exchangeOptions: ExchangeOptions): Promise<Uint8Array> {
      const answer = answers.expect(exchangeOptions);
      device.sendReport(reportId, wrapHidCommand(command)).catch((error: unknown) => answers.fail(disconnectedError(error)));
      return answer;
    },
    async close(): Promise<void> {
      device.removeEventListener('inputreport', onReport);
      answers.fail(abortedError());
      // A device that was unplugged cannot be closed cleanly, and there is nothing left to release.
      await device.close().catch(() => undefined);
    },
  };
}
