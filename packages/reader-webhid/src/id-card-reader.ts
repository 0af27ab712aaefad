// An ID-card reader (身份证阅读器) for the kiosk's lifetime: opens a granted reader at start without
// a click, reads cards, and opens the reader again after a failure or when it is plugged back in.
// The browser shows its device chooser only on a user gesture, so choosing a new reader is a
// separate call (`requestDevice`) that the UI makes from a button.
import type { CardReadListener } from './card-read.ts';
import { type KnownReader, KNOWN_ID_READERS, type ReaderTarget, type TransportKind, findKnownReader, openLink } from './devices.ts';
import { ReaderError } from './errors.ts';
import { DEFAULT_POLL_INTERVAL_MS, DEFAULT_TIMEOUTS, MIN_POLL_INTERVAL_MS, type SamTimeouts, runSamSession } from './sam-session.ts';
import type { DeviceEvent, HidDeviceLike, SerialConnectionEvent, UsbDeviceLike, WebDeviceApis } from './web-devices.ts';

export interface ReaderDeviceInfo {
  transport: TransportKind;
  /** The product's name; '' when neither the table of known readers nor the device gives one (the app names it). */
  label: string;
  vendorId?: number | undefined;
  productId?: number | undefined;
}

export type ReaderStatus =
  | { state: 'stopped' }
  /** Nothing granted is plugged in: the UI offers its "connect a reader" button. */
  | { state: 'no-device' }
  | { state: 'opening'; device: ReaderDeviceInfo }
  | { state: 'ready'; device: ReaderDeviceInfo; samId: string }
  /** The link failed; it is opened again after `reopenDelayMs`. */
  | { state: 'reopening'; device: ReaderDeviceInfo; error: ReaderError };

export type DeviceChoice =
  /** The known readers of one API (for Web Serial: any port). */
  | { api: 'usb' | 'hid' | 'serial' }
  /** Any device of the transport's API, driven as that transport: for readers not in the table. */
  | { tryAs: TransportKind };

export interface IdCardReaderOptions {
  /** `navigator`, or a simulated one. */
  devices: WebDeviceApis;
  onRead: CardReadListener;
  onError?: (error: ReaderError) => void;
  onStatus?: (status: ReaderStatus) => void;
  /** Defaults to `KNOWN_ID_READERS`; add readers the kiosk learned by hand. */
  knownReaders?: readonly KnownReader[];
  /** At least `MIN_POLL_INTERVAL_MS`; default 500. */
  pollIntervalMs?: number;
  timeouts?: Partial<SamTimeouts>;
  withFingerprint?: boolean;
  /** Pause before opening a device again after it failed; default 1000 ms. */
  reopenDelayMs?: number;
}

export interface IdCardReader {
  readonly status: ReaderStatus;
  /** Starts watching for readers and opens a granted one, if any. */
  start(): void;
  /** Closes the reader; resolves when it is closed. */
  stop(): Promise<void>;
  /** Shows the browser's chooser. Call it from a click handler; rejects with `no-device` if cancelled. */
  requestDevice(choice: DeviceChoice): Promise<ReaderDeviceInfo>;
}

function asReaderError(error: unknown): ReaderError {
  if (error instanceof ReaderError) return error;
  const detail = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return new ReaderError({ code: 'io', messageKey: 'reader.failure', params: { detail }, cause: error });
}

function noDeviceError(cause?: unknown): ReaderError {
  return new ReaderError({ code: 'no-device', messageKey: 'reader.none-chosen', cause });
}

const API_OF: Record<TransportKind, 'usb' | 'hid' | 'serial'> = {
  'usb-four-pipe': 'usb',
  'usb-single-pipe': 'usb',
  'hid-wrapped': 'hid',
  serial: 'serial',
};

export function createIdCardReader(options: IdCardReaderOptions): IdCardReader {
  const apis = options.devices;
  const known: KnownReader[] = [...(options.knownReaders ?? KNOWN_ID_READERS)];
  const pollIntervalMs = Math.max(MIN_POLL_INTERVAL_MS, options.pollIntervalMs ?? DEFAULT_POLL_INTERVAL_MS);
  const timeouts: SamTimeouts = { ...DEFAULT_TIMEOUTS, ...options.timeouts };
  const reopenDelayMs = options.reopenDelayMs ?? 1000;

  let status: ReaderStatus = { state: 'stopped' };
  let running = false;
  let loop: Promise<void> = Promise.resolve();
  let active: { device: object; session: AbortController } | null = null;
  let wake: (() => void) | null = null;
  // Set by every nudge, so a device that connects while the loop is busy is not missed.
  let changed = false;

  function setStatus(next: ReaderStatus): void {
    status = next;
    options.onStatus?.(next);
  }

  /** Waits until something may have changed (a device connected or was chosen), or `ms` passed. */
  function waitForChange(ms?: number): Promise<void> {
    if (changed) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = ms === undefined ? undefined : setTimeout(() => done(), ms);
      const done = () => {
        clearTimeout(timer);
        if (wake === done) wake = null;
        resolve();
      };
      wake = done;
    });
  }

  const nudge = () => {
    changed = true;
    wake?.();
  };

  function describe(target: ReaderTarget): ReaderDeviceInfo {
    if (target.transport === 'serial') {
      const info = target.device.getInfo();
      return { transport: 'serial', label: '', vendorId: info.usbVendorId, productId: info.usbProductId };
    }
    const entry = findKnownReader(known, target.device);
    return {
      transport: target.transport,
      label: entry?.label ?? target.device.productName ?? '',
      vendorId: target.device.vendorId,
      productId: target.device.productId,
    };
  }

  function usbTarget(device: UsbDeviceLike): ReaderTarget | undefined {
    const entry = findKnownReader(known, device);
    return entry?.transport === 'usb-four-pipe' || entry?.transport === 'usb-single-pipe' ? { transport: entry.transport, device } : undefined;
  }

  function hidTarget(device: HidDeviceLike): ReaderTarget | undefined {
    return findKnownReader(known, device)?.transport === 'hid-wrapped' ? { transport: 'hid-wrapped', device } : undefined;
  }

  /** The first granted, plugged-in reader: USB, then HID, then any granted serial port. */
  async function findTarget(): Promise<ReaderTarget | undefined> {
    for (const device of (await apis.usb?.getDevices()) ?? []) {
      const target = usbTarget(device);
      if (target) return target;
    }
    for (const device of (await apis.hid?.getDevices()) ?? []) {
      const target = hidTarget(device);
      if (target) return target;
    }
    const [port] = (await apis.serial?.getPorts()) ?? [];
    return port ? { transport: 'serial', device: port } : undefined;
  }

  async function supervise(): Promise<void> {
    while (running) {
      let target: ReaderTarget | undefined;
      changed = false;
      try {
        target = await findTarget();
      } catch (error) {
        options.onError?.(asReaderError(error));
      }
      if (!running) break;
      if (!target) {
        setStatus({ state: 'no-device' });
        await waitForChange();
        continue;
      }
      const device = describe(target);
      const session = new AbortController();
      active = { device: target.device, session };
      setStatus({ state: 'opening', device });
      try {
        const link = await openLink(target);
        try {
          await runSamSession({
            link,
            signal: session.signal,
            pollIntervalMs,
            timeouts,
            withFingerprint: options.withFingerprint ?? false,
            onReady: (samId) => setStatus({ state: 'ready', device, samId: samId.text }),
            onRead: options.onRead,
            onError: (error) => options.onError?.(error),
          });
        } finally {
          await link.close();
        }
      } catch (caught) {
        if (!session.signal.aborted && running) {
          const error = asReaderError(caught);
          options.onError?.(error);
          setStatus({ state: 'reopening', device, error });
          active = null;
          await waitForChange(reopenDelayMs);
        }
      }
      active = null;
    }
    setStatus({ state: 'stopped' });
  }

  function onDisconnect(device: unknown): void {
    if (active && active.device === device) active.session.abort();
  }
  const onUsbOrHidDisconnect = (event: DeviceEvent<object>) => onDisconnect(event.device);
  const onSerialDisconnect = (event: SerialConnectionEvent) => onDisconnect(event.target);

  function listen(add: boolean): void {
    const method = add ? 'addEventListener' : 'removeEventListener';
    for (const api of [apis.usb, apis.hid]) {
      api?.[method]('connect', nudge);
      api?.[method]('disconnect', onUsbOrHidDisconnect);
    }
    apis.serial?.[method]('connect', nudge);
    apis.serial?.[method]('disconnect', onSerialDisconnect);
  }

  async function choose(choice: DeviceChoice): Promise<ReaderTarget> {
    const transport = 'tryAs' in choice ? choice.tryAs : undefined;
    const api = 'api' in choice ? choice.api : API_OF[choice.tryAs];
    // Any device when trying by hand; otherwise only the known readers of this API.
    const filters = transport !== undefined ? [] : known.filter((k) => API_OF[k.transport] === api).map(({ vendorId, productId }) => ({ vendorId, productId }));
    if (api === 'usb') {
      if (!apis.usb) throw noDeviceError();
      const device = await apis.usb.requestDevice({ filters }).catch((error: unknown) => {
        throw noDeviceError(error);
      });
      if (transport === 'usb-four-pipe' || transport === 'usb-single-pipe') {
        learn({ vendorId: device.vendorId, productId: device.productId, transport, label: device.productName ?? '' });
      }
      const target = usbTarget(device);
      if (!target) throw noDeviceError();
      return target;
    }
    if (api === 'hid') {
      if (!apis.hid) throw noDeviceError();
      const [device] = await apis.hid.requestDevice({ filters }).catch((error: unknown) => {
        throw noDeviceError(error);
      });
      if (!device) throw noDeviceError();
      if (transport === 'hid-wrapped') learn({ vendorId: device.vendorId, productId: device.productId, transport, label: device.productName });
      const target = hidTarget(device);
      if (!target) throw noDeviceError();
      return target;
    }
    if (!apis.serial) throw noDeviceError();
    const port = await apis.serial.requestPort().catch((error: unknown) => {
      throw noDeviceError(error);
    });
    return { transport: 'serial', device: port };
  }

  function learn(entry: KnownReader): void {
    const i = known.findIndex((k) => k.vendorId === entry.vendorId && k.productId === entry.productId);
    if (i >= 0) known.splice(i, 1);
    known.unshift(entry);
  }

  return {
    get status() {
      return status;
    },
    start() {
      if (running) return;
      running = true;
      listen(true);
      loop = supervise();
    },
    async stop() {
      if (!running) return;
      running = false;
      listen(false);
      active?.session.abort();
      nudge();
      await loop;
    },
    async requestDevice(choice) {
      const target = await choose(choice);
      nudge();
      return describe(target);
    },
  };
}
