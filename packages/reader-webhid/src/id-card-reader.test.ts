// The reader end to end, through each transport's simulator, on fake time.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { CardRead } from './card-read.ts';
import type { ReaderError } from './errors.ts';
import { type IdCardReader, type ReaderStatus, createIdCardReader } from './id-card-reader.ts';
import { type SimulatedDevice, SimulatedDeviceApis } from './simulators/device-apis.ts';
import { SimulatedHidDevice } from './simulators/hid.ts';
import { SamSimulator, type SamSimulatorOptions, placeholderPhoto } from './simulators/sam.ts';
import { SAMPLE_FOREIGN_2023, SAMPLE_HMT_PERMIT, SAMPLE_RESIDENT } from './simulators/sample-cards.ts';
import { SimulatedSerialPort } from './simulators/serial.ts';
import { SimulatedUsbDevice } from './simulators/usb.ts';
import type { WireOptions } from './simulators/wire.ts';
import { browserDeviceApis } from './web-devices.ts';
import { advanceUntil } from './testing/clock.ts';

type MakeDevice = (sam: SamSimulator, wire?: WireOptions) => SimulatedDevice;

const TRANSPORTS: [string, MakeDevice][] = [
  ['WebUSB four-pipe', (sam, wire) => new SimulatedUsbDevice({ sam, wiring: 'four-pipe', wire })],
  ['WebUSB single-pipe', (sam, wire) => new SimulatedUsbDevice({ sam, wiring: 'single-pipe', wire })],
  ['WebHID', (sam, wire) => new SimulatedHidDevice({ sam, wire })],
  ['Web Serial', (sam, wire) => new SimulatedSerialPort({ sam, wire })],
];

interface Rig {
  sam: SamSimulator;
  device: SimulatedDevice;
  apis: SimulatedDeviceApis;
  reader: IdCardReader;
  reads: CardRead[];
  errors: ReaderError[];
  statuses: ReaderStatus[];
  ready(): Promise<void>;
}

let rigs: Rig[] = [];

function rig(make: MakeDevice, options: { sam?: SamSimulatorOptions; wire?: WireOptions; plugged?: boolean; withFingerprint?: boolean } = {}): Rig {
  const sam = new SamSimulator(options.sam);
  const device = make(sam, options.wire);
  const apis = new SimulatedDeviceApis();
  if (options.plugged ?? true) apis.plug(device);
  const reads: CardRead[] = [];
  const errors: ReaderError[] = [];
  const statuses: ReaderStatus[] = [];
  const reader = createIdCardReader({
    devices: apis,
    onRead: (read) => reads.push(read),
    onError: (error) => errors.push(error),
    onStatus: (status) => statuses.push(status),
    withFingerprint: options.withFingerprint,
  });
  const r: Rig = { sam, device, apis, reader, reads, errors, statuses, ready: () => advanceUntil(() => reader.status.state === 'ready') };
  rigs.push(r);
  return r;
}

beforeEach(() => {
  vi.useFakeTimers();
});

afterEach(async () => {
  const stopping = Promise.all(rigs.map((r) => r.reader.stop()));
  await vi.runAllTimersAsync();
  await stopping;
  rigs = [];
  vi.useRealTimers();
});

describe.each(TRANSPORTS)('ID-card reader over %s', (_, make) => {
  it('opens the granted reader without a click and reads a card placed on it', async () => {
    const r = rig(make);
    r.reader.start();
    await r.ready();
    expect(r.reader.status).toMatchObject({ state: 'ready', samId: '05.01-20101026-012345678-1234567890' });
    r.sam.place({ identity: SAMPLE_RESIDENT });
    await advanceUntil(() => r.reads.length === 1);
    expect(r.reads[0]).toMatchObject({ kind: 'id-card', identity: SAMPLE_RESIDENT, photo: placeholderPhoto() });
    expect(r.reads[0]!.readAt).toBeInstanceOf(Date);
    expect(r.errors).toEqual([]);
  });

  it.each(['no-card', 'found'] as const)('reads a card left on the reader once (find after read: %s)', async (findAfterRead) => {
    const r = rig(make, { sam: { findAfterRead } });
    r.reader.start();
    await r.ready();
    r.sam.place({ identity: SAMPLE_RESIDENT });
    await advanceUntil(() => r.reads.length === 1);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(r.reads).toHaveLength(1);
    expect(r.errors).toEqual([]);
  });

  it('reads the card again after it was taken away and placed again', async () => {
    const r = rig(make, { sam: { findAfterRead: 'found' } });
    r.reader.start();
    await r.ready();
    r.sam.place({ identity: SAMPLE_RESIDENT });
    await advanceUntil(() => r.reads.length === 1);
    r.sam.remove();
    await vi.advanceTimersByTimeAsync(2000);
    r.sam.place({ identity: SAMPLE_HMT_PERMIT });
    await advanceUntil(() => r.reads.length === 2);
    expect(r.reads.map((read) => read.kind === 'id-card' && read.identity.kind)).toEqual(['resident', 'hmt-permit']);
  });

  it.each([
    ['one byte at a time', [1]],
    ['at odd places', [5, 700, 1, 63, 2]],
  ])('reads an answer split %s', async (_, chunkSizes) => {
    const r = rig(make, { wire: { chunkSizes, delayMs: 15 } });
    r.reader.start();
    await r.ready();
    r.sam.place({ identity: SAMPLE_FOREIGN_2023 });
    await advanceUntil(() => r.reads.length === 1);
    expect(r.reads[0]).toMatchObject({ identity: SAMPLE_FOREIGN_2023 });
  });

  it('reports a corrupted read answer and reads the card once it is placed again', async () => {
    const r = rig(make);
    r.reader.start();
    await r.ready();
    r.sam.corruptNextAnswer({ step: 'read' });
    r.sam.place({ identity: SAMPLE_RESIDENT });
    await advanceUntil(() => r.errors.length === 1);
    expect(r.errors[0]).toMatchObject({ code: 'bad-checksum' });
    expect(r.errors[0]!.hint).toBe('reader.hint.place-again');
    expect(r.reads).toEqual([]);
    r.sam.remove();
    await vi.advanceTimersByTimeAsync(1000);
    r.sam.place({ identity: SAMPLE_RESIDENT });
    await advanceUntil(() => r.reads.length === 1);
    expect(r.errors).toHaveLength(1);
  });

  it('reports a corrupted find answer and reads the card at the next poll', async () => {
    const r = rig(make);
    r.reader.start();
    await r.ready();
    r.sam.place({ identity: SAMPLE_RESIDENT });
    r.sam.corruptNextAnswer({ step: 'find' });
    await advanceUntil(() => r.reads.length === 1);
    expect(r.errors.map((e) => e.code)).toEqual(['bad-checksum']);
  });

  it.each([
    ['read', 0x41],
    ['read', 0x31],
    ['select', 0x81],
  ] as const)('reports a %s failure with status %i, then reads the card placed again', async (step, sw3) => {
    const r = rig(make);
    r.reader.start();
    await r.ready();
    r.sam.failNext(step, sw3);
    r.sam.place({ identity: SAMPLE_RESIDENT });
    await advanceUntil(() => r.errors.length === 1);
    expect(r.errors[0]).toMatchObject({ code: 'sam-status', sw3 });
    await vi.advanceTimersByTimeAsync(3000);
    expect(r.reads).toEqual([]);
    r.sam.remove();
    await vi.advanceTimersByTimeAsync(1000);
    r.sam.place({ identity: SAMPLE_RESIDENT });
    await advanceUntil(() => r.reads.length === 1);
  });

  it('opens the reader again after it was unplugged and plugged back in', async () => {
    const r = rig(make);
    r.reader.start();
    await r.ready();
    r.apis.unplug(r.device);
    await advanceUntil(() => r.reader.status.state === 'no-device');
    r.sam.place({ identity: SAMPLE_RESIDENT });
    await vi.advanceTimersByTimeAsync(5000);
    expect(r.reads).toEqual([]);
    r.apis.plug(r.device);
    await r.ready();
    await advanceUntil(() => r.reads.length === 1);
  });

  it('opens the reader again after an answer was lost', async () => {
    const r = rig(make);
    r.reader.start();
    await r.ready();
    r.sam.silenceNext();
    await advanceUntil(() => r.reader.status.state === 'reopening');
    expect(r.errors.map((e) => e.code)).toEqual(['timeout']);
    await r.ready();
    r.sam.place({ identity: SAMPLE_RESIDENT });
    await advanceUntil(() => r.reads.length === 1);
  });
});

describe('ID-card reader lifecycle', () => {
  const hid: MakeDevice = (sam, wire) => new SimulatedHidDevice({ sam, wire });

  it('waits without a device, then opens the one chosen in the browser’s chooser', async () => {
    const r = rig(hid, { plugged: false });
    r.apis.plug(r.device, { granted: false });
    r.reader.start();
    await advanceUntil(() => r.reader.status.state === 'no-device');
    const chosen = r.reader.requestDevice({ api: 'hid' });
    await expect(chosen).resolves.toMatchObject({ transport: 'hid-wrapped', vendorId: 0x10c4, productId: 0x0007, label: '中正 Miaxis 身份证阅读器' });
    await r.ready();
  });

  it('rejects with no-device when the chooser is cancelled', async () => {
    const r = rig(hid, { plugged: false });
    r.reader.start();
    r.apis.chooser = () => undefined;
    await expect(r.reader.requestDevice({ api: 'usb' })).rejects.toMatchObject({ code: 'no-device' });
    await expect(r.reader.requestDevice({ api: 'hid' })).rejects.toMatchObject({ code: 'no-device' });
    await expect(r.reader.requestDevice({ api: 'serial' })).rejects.toMatchObject({ code: 'no-device' });
  });

  it('opens a granted reader as soon as it is plugged in', async () => {
    const r = rig(hid, { plugged: false });
    r.reader.start();
    await advanceUntil(() => r.reader.status.state === 'no-device');
    r.apis.plug(r.device);
    await r.ready();
  });

  it('ignores a granted device it does not know, until it is tried by hand with a transport', async () => {
    const r = rig((sam) => new SimulatedUsbDevice({ sam, wiring: 'single-pipe', vendorId: 0x1234, productId: 0x5678, productName: 'Unknown reader' }));
    r.reader.start();
    await advanceUntil(() => r.reader.status.state === 'no-device');
    await vi.advanceTimersByTimeAsync(2000);
    expect(r.reader.status.state).toBe('no-device');
    await expect(r.reader.requestDevice({ tryAs: 'usb-single-pipe' })).resolves.toMatchObject({ transport: 'usb-single-pipe', label: 'Unknown reader' });
    await r.ready();
    r.sam.place({ identity: SAMPLE_RESIDENT });
    await advanceUntil(() => r.reads.length === 1);
  });

  it('reads with 30 10 when asked for the fingerprint variant', async () => {
    const r = rig(hid, { withFingerprint: true });
    r.reader.start();
    await r.ready();
    r.sam.place({ identity: SAMPLE_RESIDENT, fingerprintBytes: 1024 });
    await advanceUntil(() => r.reads.length === 1);
    expect(r.sam.received).toContainEqual({ cmd: 0x30, para: 0x10 });
    expect(r.sam.received).not.toContainEqual({ cmd: 0x30, para: 0x01 });
  });

  it('polls no faster than every 300 ms, whatever it is told', async () => {
    const sam = new SamSimulator();
    const apis = new SimulatedDeviceApis();
    apis.plug(new SimulatedHidDevice({ sam }));
    const reader = createIdCardReader({ devices: apis, onRead: () => undefined, pollIntervalMs: 10 });
    rigs.push({ reader } as Rig);
    reader.start();
    await advanceUntil(() => reader.status.state === 'ready');
    const before = sam.received.length;
    await vi.advanceTimersByTimeAsync(3000);
    const finds = sam.received.slice(before).filter((c) => c.cmd === 0x20 && c.para === 0x01).length;
    expect(finds).toBeGreaterThanOrEqual(9);
    expect(finds).toBeLessThanOrEqual(11);
  });

  it('stops: closes the device and reports stopped', async () => {
    const r = rig(make4());
    r.reader.start();
    await r.ready();
    const stopping = r.reader.stop();
    await vi.runAllTimersAsync();
    await stopping;
    expect(r.reader.status).toEqual({ state: 'stopped' });
    expect((r.device as SimulatedUsbDevice).opened).toBe(false);
  });

  it('takes the browser’s device APIs from navigator', () => {
    const apis = new SimulatedDeviceApis();
    vi.stubGlobal('navigator', apis);
    try {
      expect(browserDeviceApis()).toBe(apis);
    } finally {
      vi.unstubAllGlobals();
    }
    expect(browserDeviceApis().usb).toBeUndefined();
  });

  it('reports statuses in order: no device yet, opening, ready', async () => {
    const r = rig(hid, { plugged: false });
    r.reader.start();
    await advanceUntil(() => r.reader.status.state === 'no-device');
    r.apis.plug(r.device);
    await r.ready();
    expect(r.statuses.map((s) => s.state)).toEqual(['no-device', 'opening', 'ready']);
  });
});

function make4(): MakeDevice {
  return (sam, wire) => new SimulatedUsbDevice({ sam, wiring: 'four-pipe', wire });
}
