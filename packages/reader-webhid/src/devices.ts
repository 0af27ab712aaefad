// Which wiring a reader speaks, by USB vendor and product id (readers.md §1.8). A reader missing
// here can still be tried by hand with a chosen transport (`requestDevice({ tryAs })`).
import type { SamLink } from './sam-link.ts';
import { openHidLink } from './transports/hid.ts';
import { openSerialLink } from './transports/serial.ts';
import { openUsbLink } from './transports/usb.ts';
import type { HidDeviceLike, SerialPortLike, UsbDeviceLike } from './web-devices.ts';

export type TransportKind = 'usb-four-pipe' | 'usb-single-pipe' | 'hid-wrapped' | 'serial';

export interface KnownReader {
  vendorId: number;
  productId: number;
  transport: Exclude<TransportKind, 'serial'>;
  label: string;
}

export const KNOWN_ID_READERS: readonly KnownReader[] = [
  // The SAM_V module's own ids; 精伦 iDR200 and other "standard" readers (神思 among them) use them.
  { vendorId: 0x0400, productId: 0xc35a, transport: 'usb-four-pipe', label: 'SAM_V 标准身份证阅读器' },
  { vendorId: 0x10c4, productId: 0x0007, transport: 'hid-wrapped', label: '中正 Miaxis 身份证阅读器' },
  // Modules in Telpo terminals. 0483:5750 is STMicro's custom-HID example id: if the device is
  // HID-class, Chrome will not let WebUSB claim it.
  { vendorId: 0x0483, productId: 0x5750, transport: 'usb-single-pipe', label: 'Telpo 身份证模块 (STM32)' },
  { vendorId: 0x28e9, productId: 0x028a, transport: 'usb-single-pipe', label: 'Telpo 身份证模块 (GD32)' },
];

export type ReaderTarget =
  | { transport: 'usb-four-pipe' | 'usb-single-pipe'; device: UsbDeviceLike }
  | { transport: 'hid-wrapped'; device: HidDeviceLike }
  | { transport: 'serial'; device: SerialPortLike };

export function findKnownReader(known: readonly KnownReader[], device: { vendorId: number; productId: number }): KnownReader | undefined {
  return known.find((k) => k.vendorId === device.vendorId && k.productId === device.productId);
}

export function openLink(target: ReaderTarget): Promise<SamLink> {
  switch (target.transport) {
    case 'usb-four-pipe':
      return openUsbLink(target.device, { wiring: 'four-pipe' });
    case 'usb-single-pipe':
      return openUsbLink(target.device, { wiring: 'single-pipe' });
    case 'hid-wrapped':
      return openHidLink(target.device);
    case 'serial':
      return openSerialLink(target.device);
  }
}
