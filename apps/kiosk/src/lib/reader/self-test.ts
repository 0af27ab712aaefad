// The reader self-test (读卡器自检): runs this browser's reader code against the simulators, byte
// for byte, through every transport, and the wedge reader with the kiosk's own encoding. It tells
// an installer whether the software side works before a real reader is blamed for a dead door.
import {
  type CardRead,
  createIdCardReader,
  createWedgeReader,
  type DeviceChoice,
  formatUid,
  MIN_POLL_INTERVAL_MS,
  ReaderError,
  type TransportKind,
  type UidEncoding,
} from '@opencme/reader-webhid';
import { SAMPLE_RESIDENT, SamSimulator, SimulatedDeviceApis, SimulatedKeyboard } from '@opencme/reader-webhid/simulators';
import type { MessageKey } from '../i18n/zh.ts';
import { simulatedReader } from './demo.ts';
import { SAMPLE_UID, TRANSPORT_KINDS } from './settings.ts';

export type SelfTestCheckId = TransportKind | 'damaged-answer' | 'wedge-card' | 'wedge-typing';

export interface SelfTestResult {
  id: SelfTestCheckId;
  ok: boolean;
  ms: number;
  error: unknown;
}

export type SelfTestCheck = readonly [id: SelfTestCheckId, run: () => void | Promise<void>];

const CHOICE: Record<TransportKind, DeviceChoice> = {
  'usb-four-pipe': { api: 'usb' },
  'usb-single-pipe': { api: 'usb' },
  'hid-wrapped': { api: 'hid' },
  serial: { api: 'serial' },
};

function failure(code: 'timeout' | 'bad-identity' | 'bad-uid', messageKey: MessageKey, params?: Record<string, string | number>): ReaderError {
  return new ReaderError({ code, messageKey, params });
}

/** Far above the second a check takes, so that only a broken path fails. */
const CHECK_TIMEOUT_MS = 5000;

/** `missing`: the failure when the condition does not come true in time (its `{ms}` is filled in). */
async function waitFor(condition: () => boolean, missing: MessageKey): Promise<void> {
  const deadline = performance.now() + CHECK_TIMEOUT_MS;
  while (!condition()) {
    if (performance.now() > deadline) throw failure('timeout', missing, { ms: CHECK_TIMEOUT_MS });
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

function expectSample(read: CardRead | undefined): void {
  const identity = read?.kind === 'id-card' ? read.identity : undefined;
  if (identity?.kind !== 'resident' || identity.idNumber !== SAMPLE_RESIDENT.idNumber || identity.name !== SAMPLE_RESIDENT.name) {
    throw failure('bad-identity', 'reader.self-test.wrong-card');
  }
}

/**
 * Connects a simulated reader of `transport` through the chooser, as the connect button does,
 * and reads the sample card; with `damaged`, the first read arrives with a flipped byte and must
 * be reported as a bad checksum before the card, placed again, reads.
 */
async function readSampleCard(transport: TransportKind, options: { damaged: boolean }): Promise<void> {
  const sam = new SamSimulator();
  const apis = new SimulatedDeviceApis();
  apis.plug(simulatedReader(transport, sam), { granted: false });
  const reads: CardRead[] = [];
  const errors: ReaderError[] = [];
  const reader = createIdCardReader({
    devices: apis,
    pollIntervalMs: MIN_POLL_INTERVAL_MS,
    onRead: (read) => reads.push(read),
    onError: (error) => errors.push(error),
  });
  reader.start();
  try {
    await reader.requestDevice(CHOICE[transport]);
    if (options.damaged) {
      sam.corruptNextAnswer({ step: 'read' });
      sam.place({ identity: SAMPLE_RESIDENT });
      await waitFor(() => errors.length > 0, 'reader.self-test.no-damage-report');
      if (errors[0]!.code !== 'bad-checksum' || reads.length > 0) throw failure('bad-identity', 'reader.self-test.damage-missed');
      sam.remove();
      // The reader reads a card once per placement: it must see the field empty before the card returns.
      const commandsBefore = sam.received.length;
      await waitFor(() => sam.received.length > commandsBefore, 'reader.self-test.no-poll');
    }
    sam.place({ identity: SAMPLE_RESIDENT });
    await waitFor(() => reads.length > 0, 'reader.self-test.no-read');
    expectSample(reads[0]);
  } finally {
    await reader.stop();
  }
}

/** The wedge reader with the kiosk's encoding: a reader's burst is a card, a person's typing is not. */
function wedgeRead(encoding: UidEncoding, type: (keyboard: SimulatedKeyboard) => void): CardRead[] {
  const keyboard = new SimulatedKeyboard();
  const reads: CardRead[] = [];
  let error: ReaderError | undefined;
  const wedge = createWedgeReader({ source: keyboard, encoding, onRead: (read) => reads.push(read), onError: (e) => (error = e) });
  wedge.start();
  type(keyboard);
  wedge.stop();
  if (error) throw error;
  return reads;
}

export function selfTestChecks(options: { encoding: UidEncoding }): SelfTestCheck[] {
  const typed = formatUid(SAMPLE_UID, options.encoding);
  return [
    ...TRANSPORT_KINDS.map((transport): SelfTestCheck => [transport, () => readSampleCard(transport, { damaged: false })]),
    ['damaged-answer', () => readSampleCard('usb-four-pipe', { damaged: true })],
    [
      'wedge-card',
      () => {
        const [read] = wedgeRead(options.encoding, (keyboard) => keyboard.presentCard(SAMPLE_UID, { encoding: options.encoding }));
        if (read?.kind !== 'ic-card' || read.uid !== SAMPLE_UID) throw failure('bad-uid', 'reader.self-test.wedge-misread', { typed, uid: SAMPLE_UID });
      },
    ],
    [
      'wedge-typing',
      () => {
        if (wedgeRead(options.encoding, (keyboard) => keyboard.type(typed)).length > 0) {
          throw failure('bad-uid', 'reader.self-test.typing-taken', { typed });
        }
      },
    ],
  ];
}

/** Runs checks one after another (they share nothing, but timings are clearer alone). */
export async function runChecks(checks: readonly SelfTestCheck[]): Promise<SelfTestResult[]> {
  const results: SelfTestResult[] = [];
  for (const [id, run] of checks) {
    const started = performance.now();
    try {
      await run();
      results.push({ id, ok: true, ms: performance.now() - started, error: null });
    } catch (error) {
      results.push({ id, ok: false, ms: performance.now() - started, error });
    }
  }
  return results;
}
