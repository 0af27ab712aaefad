// The demo's card readers (演示读卡器): a simulated ID-card reader plugged into simulated device
// APIs, and a simulated wedge keyboard. The kiosk hands these to the same reader code it hands
// `navigator`, so everything above the transport runs as with hardware. Loaded only in demo mode,
// so a kiosk at a real door never downloads the simulators.
import { validateIdNumber } from '@opencme/core';
import { encodeIdentityText, type IdentityCard, type ResidentIdentity, type TransportKind, type UidEncoding } from '@opencme/reader-webhid';
import {
  SamSimulator,
  type SimulatedDevice,
  SimulatedDeviceApis,
  SimulatedHidDevice,
  SimulatedKeyboard,
  SimulatedSerialPort,
  SimulatedUsbDevice,
} from '@opencme/reader-webhid/simulators';

/** A resident ID card by its holder's name and number; the other fields default to plausible values. */
export type DemoIdentity = { name: string; idNumber: string } & Partial<Omit<ResidentIdentity, 'kind' | 'name' | 'idNumber'>>;

/** A simulated ID-card reader of the given wiring around `sam`, with the ids of a known model. */
export function simulatedReader(transport: TransportKind, sam: SamSimulator): SimulatedDevice {
  switch (transport) {
    case 'usb-four-pipe':
      return new SimulatedUsbDevice({ sam, wiring: 'four-pipe' });
    case 'usb-single-pipe':
      return new SimulatedUsbDevice({ sam, wiring: 'single-pipe' });
    case 'hid-wrapped':
      return new SimulatedHidDevice({ sam });
    case 'serial':
      return new SimulatedSerialPort({ sam });
  }
}

/** The card of a demo identity; a full `IdentityCard` (any kind) is taken as it is. */
export function demoCard(identity: DemoIdentity | IdentityCard): IdentityCard {
  if ('kind' in identity && identity.kind !== 'resident') return identity;
  const check = validateIdNumber(identity.idNumber);
  // The gender and birth date follow from a valid number (GB 11643); a broken number still makes
  // a card, so that the kiosk's own check can be shown.
  return {
    genderCode: check.valid ? (check.gender === 'male' ? '1' : '2') : '1',
    nationCode: '01',
    birthDate: check.valid ? check.birthDate : '1980-01-01',
    address: '安徽省合肥市演示路1号',
    authority: '合肥市公安局',
    validFrom: '2020-01-01',
    validTo: null,
    ...identity,
    kind: 'resident',
  };
}

const REMOVAL_WAIT_MS = 5000;

export class DemoReader {
  readonly devices = new SimulatedDeviceApis();
  /** The wedge reader's keys, on their own simulated clock. */
  readonly keyboard = new SimulatedKeyboard();
  readonly transport: TransportKind;
  readonly #sam = new SamSimulator();
  readonly #device: SimulatedDevice;

  constructor(transport: TransportKind) {
    this.transport = transport;
    this.#device = simulatedReader(transport, this.#sam);
    // Granted up front, as the kiosk policy (WebUsbAllowDevicesForUrls …) grants a real one.
    this.devices.plug(this.#device);
  }

  /** Puts the card on the reader (replacing any card there); throws if a field does not fit the card. */
  placeIdCard(identity: DemoIdentity | IdentityCard): void {
    const card = demoCard(identity);
    // The simulated SAM encodes the card only when it is read, and would then fall silent.
    encodeIdentityText(card);
    this.#sam.place({ identity: card });
  }

  /**
   * Takes the card away. Resolves once the reader has polled the empty field, so that the card
   * placed next is a new placement (the reader reads a card once per placement); or after
   * `REMOVAL_WAIT_MS` if no reader polls, since a reader that opens later starts afresh anyway.
   */
  async removeCard(): Promise<void> {
    this.#sam.remove();
    const seen = this.#sam.received.length;
    const deadline = performance.now() + REMOVAL_WAIT_MS;
    while (this.#sam.received.length === seen && performance.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
  }

  /** A wedge reader typing the card's number as a reader with `encoding` does, then Enter. */
  swipeIcCard(uid: string, encoding: UidEncoding): void {
    this.keyboard.presentCard(uid, { encoding });
  }

  unplug(): void {
    this.devices.unplug(this.#device);
  }

  plug(): void {
    this.devices.plug(this.#device);
  }

  /** The next card read arrives damaged (a flipped byte): the kiosk must say so and record nothing. */
  corruptNextRead(): void {
    this.#sam.corruptNextAnswer({ step: 'read' });
  }
}
