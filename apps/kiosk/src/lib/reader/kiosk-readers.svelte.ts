// The kiosk's card readers (读卡器) for as long as a kiosk page is open: the ID-card reader and the
// keyboard-wedge IC readers, over the browser's device APIs or, in demo mode, over simulated ones.
// Pages watch its state and take its reads; they never learn which devices are behind it.
import {
  type CardRead,
  createIdCardReader,
  createWedgeReader,
  type DeviceChoice,
  type IdCardReader,
  type IdentityCard,
  type KeyEventSource,
  KNOWN_ID_READERS,
  type KnownReader,
  type ReaderDeviceInfo,
  ReaderError,
  type ReaderStatus,
  type TransportKind,
  type UidEncoding,
  type WebDeviceApis,
  type WedgeReader,
} from '@opencme/reader-webhid';
import { createContext } from 'svelte';
import type { KioskDb } from '../kiosk/db.ts';
import type { DemoIdentity, DemoReader } from './demo.ts';
import { DEFAULT_DEMO_TRANSPORT, DEFAULT_UID_ENCODING, loadReaderSettings, rememberReader, saveReaderSetting } from './settings.ts';

/**
 * What end-to-end tests (and a curious operator's console) may do to the demo's readers:
 * `window.__opencmeDemoReader`, present only in demo mode. Documented in apps/kiosk/README.md.
 */
export interface DemoReaderHook {
  /** Puts an ID card of this identity on the simulated reader; it stays until removed. */
  placeIdCard(identity: DemoIdentity | IdentityCard): void;
  /** Resolves once the reader has seen the empty field: a card placed next is a new placement. */
  removeCard(): Promise<void>;
  /** A wedge reader types this UID (canonical hex) in the kiosk's IC encoding, then Enter. */
  swipeIcCard(uidHex: string): void;
  unplugReader(): void;
  plugReader(): void;
  /** The next ID-card read arrives with a flipped byte. */
  corruptNextRead(): void;
}

declare global {
  var __opencmeDemoReader: DemoReaderHook | undefined;
}

export interface KioskReadersOptions {
  db: KioskDb;
  /** The device APIs outside demo mode: `navigator`. */
  devices: WebDeviceApis;
  /** Where wedge readers type: `window`. */
  keys: KeyEventSource;
}

const UNPLUGGED = new ReaderError({
  code: 'disconnected',
  messageKey: 'reader.unplugged',
});

export class KioskReaders {
  status = $state.raw<ReaderStatus>({ state: 'stopped' });
  encoding = $state<UidEncoding>(DEFAULT_UID_ENCODING);
  demoMode = $state(false);
  demoTransport = $state<TransportKind>(DEFAULT_DEMO_TRANSPORT);
  /** The simulated devices while in demo mode (loaded on demand). */
  demo = $state.raw<DemoReader | null>(null);
  lastRead = $state.raw<CardRead | null>(null);
  /** The latest failure, until a card reads or the reader is ready again. */
  error = $state.raw<ReaderError | null>(null);

  readonly #options: KioskReadersOptions;
  #learned: KnownReader[] = [];
  #idReader: IdCardReader | null = null;
  #wedges: WedgeReader[] = [];
  #listener: ((read: CardRead) => void) | null = null;
  // Start, stop and mode changes run one at a time, so that two readers never hold one device.
  #queue: Promise<void> = Promise.resolve();

  constructor(options: KioskReadersOptions) {
    this.#options = options;
  }

  #enqueue(work: () => Promise<void>): Promise<void> {
    const next = this.#queue.then(work);
    this.#queue = next.catch((error: unknown) => console.error('[opencme] reader setup failed', error));
    return next;
  }

  start(): Promise<void> {
    return this.#enqueue(async () => {
      const settings = await loadReaderSettings(this.#options.db);
      this.encoding = settings.icEncoding;
      this.demoMode = settings.demo;
      this.demoTransport = settings.demoTransport;
      this.#learned = settings.learnedReaders;
      await this.#build();
    });
  }

  stop(): Promise<void> {
    return this.#enqueue(() => this.#teardown());
  }

  /** Takes every card read until the returned function is called; one taker at a time. */
  listen(taker: (read: CardRead) => void): () => void {
    this.#listener = taker;
    return () => {
      if (this.#listener === taker) this.#listener = null;
    };
  }

  /** A read the page could not use (e.g. an ID number failing its check) is shown like a reader's failure. */
  report(error: ReaderError): void {
    this.error = error;
  }

  setDemo(on: boolean): Promise<void> {
    this.demoMode = on;
    return this.#enqueue(async () => {
      await saveReaderSetting(this.#options.db, 'demo', on);
      await this.#rebuild();
    });
  }

  setDemoTransport(transport: TransportKind): Promise<void> {
    this.demoTransport = transport;
    return this.#enqueue(async () => {
      await saveReaderSetting(this.#options.db, 'demoTransport', transport);
      if (this.demoMode) await this.#rebuild();
    });
  }

  setEncoding(encoding: UidEncoding): Promise<void> {
    this.encoding = encoding;
    // Wedge readers keep the encoding they were made with: new ones at once, so that no card
    // is read with the old encoding while the setting is being saved.
    if (this.#idReader) this.#startWedges();
    return this.#enqueue(() => saveReaderSetting(this.#options.db, 'icEncoding', encoding));
  }

  /**
   * Shows the browser's device chooser: call it straight from a click, since the browser allows
   * the chooser only during the click's user activation. A reader chosen with `tryAs` is
   * remembered, so that it opens without a click from then on.
   */
  async connect(choice: DeviceChoice): Promise<ReaderDeviceInfo> {
    if (!this.#idReader)
      throw new ReaderError({
        code: 'no-device',
        messageKey: 'reader.not-started',
      });
    try {
      const device = await this.#idReader.requestDevice(choice);
      this.#learned = await rememberReader(this.#options.db, device);
      return device;
    } catch (error) {
      if (error instanceof ReaderError) this.error = error;
      throw error;
    }
  }

  async #build(): Promise<void> {
    const demo = this.demoMode ? new (await import('./demo.ts')).DemoReader(this.demoTransport) : null;
    this.demo = demo;
    this.#idReader = createIdCardReader({
      devices: demo?.devices ?? this.#options.devices,
      knownReaders: [...this.#learned, ...KNOWN_ID_READERS],
      onRead: this.#onRead,
      onError: this.#onError,
      onStatus: this.#onStatus,
    });
    this.#idReader.start();
    this.#startWedges();
    if (demo) globalThis.__opencmeDemoReader = this.#hook(demo);
  }

  async #rebuild(): Promise<void> {
    await this.#teardown();
    await this.#build();
  }

  async #teardown(): Promise<void> {
    const idReader = this.#idReader;
    // Cleared first: an encoding change while the reader closes must not start new wedges.
    this.#idReader = null;
    for (const wedge of this.#wedges) wedge.stop();
    this.#wedges = [];
    await idReader?.stop();
    this.demo = null;
    this.error = null;
    delete globalThis.__opencmeDemoReader;
  }

  /** Wedge readers on the page's keys and, in demo mode, on the simulated keyboard (its own clock). */
  #startWedges(): void {
    for (const wedge of this.#wedges) wedge.stop();
    const sources = this.demo ? [this.#options.keys, this.demo.keyboard] : [this.#options.keys];
    this.#wedges = sources.map((source) => createWedgeReader({ source, encoding: this.encoding, onRead: this.#onRead, onError: this.#onError }));
    for (const wedge of this.#wedges) wedge.start();
  }

  #hook(demo: DemoReader): DemoReaderHook {
    return {
      placeIdCard: (identity) => demo.placeIdCard(identity),
      removeCard: () => demo.removeCard(),
      swipeIcCard: (uidHex) => demo.swipeIcCard(uidHex, this.encoding),
      unplugReader: () => demo.unplug(),
      plugReader: () => demo.plug(),
      corruptNextRead: () => demo.corruptNextRead(),
    };
  }

  #onRead = (read: CardRead): void => {
    this.lastRead = read;
    this.error = null;
    this.#listener?.(read);
  };

  #onError = (error: ReaderError): void => {
    this.error = error;
  };

  #onStatus = (status: ReaderStatus): void => {
    // The reader itself goes quietly back to waiting for a device: the door must say why.
    if (this.status.state === 'ready' && status.state === 'no-device') this.error = UNPLUGGED;
    if (status.state === 'ready') this.error = null;
    this.status = status;
  };
}

export const [getKioskReaders, setKioskReaders] = createContext<KioskReaders>();
