// A simulated `navigator.usb` / `navigator.hid` / `navigator.serial`: devices are plugged in and
// pulled out, permission is granted once (by the chooser, or up front as a kiosk policy would),
// and the page's listeners get the same connect/disconnect events as in a browser.
import type {
  DeviceEvent,
  HidDeviceFilter,
  HidDeviceLike,
  HidLike,
  SerialConnectionEvent,
  SerialLike,
  SerialPortLike,
  UsbDeviceFilter,
  UsbDeviceLike,
  UsbLike,
  WebDeviceApis,
} from '../web-devices.ts';
import { SimulatedHidDevice } from './hid.ts';
import { Listeners, domError } from './listeners.ts';
import { SimulatedSerialPort } from './serial.ts';
import { SimulatedUsbDevice } from './usb.ts';

export type SimulatedDevice = SimulatedUsbDevice | SimulatedHidDevice | SimulatedSerialPort;

/** Picks a device in the browser's chooser; `undefined` is the person pressing Cancel. */
export type Chooser = <D>(candidates: readonly D[]) => D | undefined;

function matches(device: { vendorId: number; productId: number }, filters: readonly UsbDeviceFilter[]): boolean {
  return (
    filters.length === 0 ||
    filters.some((f) => (f.vendorId === undefined || f.vendorId === device.vendorId) && (f.productId === undefined || f.productId === device.productId))
  );
}

export class SimulatedDeviceApis implements WebDeviceApis {
  readonly usb: UsbLike;
  readonly hid: HidLike;
  readonly serial: SerialLike;
  /** The chooser's choice; by default the first candidate. */
  chooser: Chooser = (candidates) => candidates[0];
  readonly #plugged = new Set<SimulatedDevice>();
  readonly #granted = new Set<SimulatedDevice>();
  readonly #usbEvents = new Listeners<DeviceEvent<UsbDeviceLike>>();
  readonly #hidEvents = new Listeners<DeviceEvent<HidDeviceLike>>();
  readonly #serialEvents = new Listeners<SerialConnectionEvent>();

  constructor() {
    const usbDevices = () => [...this.#plugged].filter((d) => d instanceof SimulatedUsbDevice);
    const hidDevices = () => [...this.#plugged].filter((d) => d instanceof SimulatedHidDevice);
    const serialPorts = () => [...this.#plugged].filter((d) => d instanceof SimulatedSerialPort);
    const granted = <D extends SimulatedDevice>(devices: D[]) => devices.filter((d) => this.#granted.has(d));

    this.usb = {
      getDevices: async () => granted(usbDevices()),
      requestDevice: async ({ filters }: { filters: UsbDeviceFilter[] }) => {
        const device = this.chooser(usbDevices().filter((d) => matches(d, filters)));
        if (!device) throw domError('NotFoundError', 'No device selected.');
        this.#granted.add(device);
        return device;
      },
      addEventListener: (type, listener) => this.#usbEvents.add(type, listener),
      removeEventListener: (type, listener) => this.#usbEvents.remove(type, listener),
    };
    this.hid = {
      getDevices: async () => granted(hidDevices()),
      requestDevice: async ({ filters }: { filters: HidDeviceFilter[] }) => {
        const device = this.chooser(hidDevices().filter((d) => matches(d, filters)));
        if (!device) return [];
        this.#granted.add(device);
        return [device];
      },
      addEventListener: (type, listener) => this.#hidEvents.add(type, listener),
      removeEventListener: (type, listener) => this.#hidEvents.remove(type, listener),
    };
    this.serial = {
      getPorts: async (): Promise<SerialPortLike[]> => granted(serialPorts()),
      requestPort: async () => {
        const port = this.chooser(serialPorts());
        if (!port) throw domError('NotFoundError', 'No port selected by the user.');
        this.#granted.add(port);
        return port;
      },
      addEventListener: (type, listener) => this.#serialEvents.add(type, listener),
      removeEventListener: (type, listener) => this.#serialEvents.remove(type, listener),
    };
  }

  /** Plugs a device in; `granted` (default true) is permission given earlier or by policy. */
  plug(device: SimulatedDevice, options: { granted?: boolean } = {}): void {
    if (options.granted ?? true) this.#granted.add(device);
    device.simulatePlug();
    this.#plugged.add(device);
    this.#emit('connect', device);
  }

  /** Pulls a device out: its transfers and streams fail, then `disconnect` fires. */
  unplug(device: SimulatedDevice): void {
    if (!this.#plugged.delete(device)) return;
    device.simulateUnplug();
    this.#emit('disconnect', device);
  }

  /** Browsers tell a page only about devices it may use. */
  #emit(type: 'connect' | 'disconnect', device: SimulatedDevice): void {
    if (!this.#granted.has(device)) return;
    if (device instanceof SimulatedUsbDevice) this.#usbEvents.emit(type, { device });
    else if (device instanceof SimulatedHidDevice) this.#hidEvents.emit(type, { device });
    else this.#serialEvents.emit(type, { target: device });
  }
}
