// The subset of WebUSB, WebHID and Web Serial this package uses, as structural types. TypeScript's
// DOM library does not describe these APIs, and the simulators implement the same shapes, so a
// real `navigator.usb` and a simulated one are interchangeable. Only what is called is declared.

export interface DeviceEvent<Device> {
  readonly device: Device;
}

export interface DeviceEvents<Event> {
  addEventListener(type: 'connect' | 'disconnect', listener: (event: Event) => void): void;
  removeEventListener(type: 'connect' | 'disconnect', listener: (event: Event) => void): void;
}

// WebUSB

export interface UsbEndpointLike {
  readonly endpointNumber: number;
  readonly direction: 'in' | 'out';
  readonly type: 'bulk' | 'interrupt' | 'isochronous';
  readonly packetSize: number;
}

export interface UsbInterfaceLike {
  readonly interfaceNumber: number;
  readonly alternate: { readonly interfaceClass: number; readonly endpoints: readonly UsbEndpointLike[] };
}

export interface UsbConfigurationLike {
  readonly configurationValue: number;
  readonly interfaces: readonly UsbInterfaceLike[];
}

export interface UsbInTransferResultLike {
  readonly data?: DataView | undefined;
  readonly status: 'ok' | 'stall' | 'babble';
}

export interface UsbOutTransferResultLike {
  readonly bytesWritten: number;
  readonly status: 'ok' | 'stall';
}

export interface UsbDeviceLike {
  readonly vendorId: number;
  readonly productId: number;
  readonly productName?: string | undefined;
  readonly opened: boolean;
  readonly configuration?: UsbConfigurationLike | null | undefined;
  open(): Promise<void>;
  close(): Promise<void>;
  selectConfiguration(configurationValue: number): Promise<void>;
  claimInterface(interfaceNumber: number): Promise<void>;
  transferIn(endpointNumber: number, length: number): Promise<UsbInTransferResultLike>;
  transferOut(endpointNumber: number, data: Uint8Array): Promise<UsbOutTransferResultLike>;
}

export interface UsbDeviceFilter {
  vendorId?: number;
  productId?: number;
}

export interface UsbLike extends DeviceEvents<DeviceEvent<UsbDeviceLike>> {
  getDevices(): Promise<UsbDeviceLike[]>;
  requestDevice(options: { filters: UsbDeviceFilter[] }): Promise<UsbDeviceLike>;
}

// WebHID

export interface HidInputReportEventLike {
  readonly device: HidDeviceLike;
  readonly reportId: number;
  readonly data: DataView;
}

export interface HidDeviceLike {
  readonly vendorId: number;
  readonly productId: number;
  readonly productName: string;
  readonly opened: boolean;
  open(): Promise<void>;
  close(): Promise<void>;
  sendReport(reportId: number, data: Uint8Array): Promise<void>;
  addEventListener(type: 'inputreport', listener: (event: HidInputReportEventLike) => void): void;
  removeEventListener(type: 'inputreport', listener: (event: HidInputReportEventLike) => void): void;
}

export type HidDeviceFilter = UsbDeviceFilter;

export interface HidLike extends DeviceEvents<DeviceEvent<HidDeviceLike>> {
  getDevices(): Promise<HidDeviceLike[]>;
  /** Resolves with the chosen devices; empty when the person cancelled the chooser. */
  requestDevice(options: { filters: HidDeviceFilter[] }): Promise<HidDeviceLike[]>;
}

// Web Serial

export interface ByteReaderLike {
  read(): Promise<{ done: boolean; value?: Uint8Array | undefined }>;
  cancel(): Promise<void>;
  releaseLock(): void;
}

export interface ByteWriterLike {
  write(chunk: Uint8Array): Promise<void>;
  releaseLock(): void;
}

export interface SerialOptionsLike {
  baudRate: number;
  dataBits?: 7 | 8;
  stopBits?: 1 | 2;
  parity?: 'none' | 'even' | 'odd';
  flowControl?: 'none' | 'hardware';
}

export interface SerialPortLike {
  readonly readable: { getReader(): ByteReaderLike } | null;
  readonly writable: { getWriter(): ByteWriterLike } | null;
  open(options: SerialOptionsLike): Promise<void>;
  close(): Promise<void>;
  getInfo(): { usbVendorId?: number | undefined; usbProductId?: number | undefined };
}

/** Web Serial's connect/disconnect events name the port as their target. */
export interface SerialConnectionEvent {
  readonly target: unknown;
}

export interface SerialLike extends DeviceEvents<SerialConnectionEvent> {
  getPorts(): Promise<SerialPortLike[]>;
  requestPort(options?: { filters?: { usbVendorId?: number; usbProductId?: number }[] }): Promise<SerialPortLike>;
}

/** `navigator`, or the part of it with device APIs; any of them may be missing. */
export interface WebDeviceApis {
  readonly usb?: UsbLike | undefined;
  readonly hid?: HidLike | undefined;
  readonly serial?: SerialLike | undefined;
}

/** The browser's own `navigator.usb` / `.hid` / `.serial`, typed by the interfaces above. */
export function browserDeviceApis(): WebDeviceApis {
  return (globalThis as unknown as { navigator?: WebDeviceApis }).navigator ?? {};
}
