// @opencme/reader-webhid/simulators: devices that speak the real bytes, for tests and the kiosk's
// demo mode. Plug them into a `SimulatedDeviceApis` and hand that to a reader instead of
// `navigator`; nothing above the transport can tell.
export { type SamState, SamSimulator, type SamSimulatorOptions, type SamStep, type SimulatedIdCard, placeholderPhoto } from './sam.ts';
export { Wire, type WireOptions } from './wire.ts';
export { SimulatedUsbDevice, type SimulatedUsbDeviceOptions } from './usb.ts';
export { SimulatedHidDevice, type SimulatedHidDeviceOptions } from './hid.ts';
export { SimulatedSerialPort, type SimulatedSerialPortOptions } from './serial.ts';
export { type Chooser, SimulatedDeviceApis, type SimulatedDevice } from './device-apis.ts';
export { HID_USAGE, SimulatedKeyboard, type SimulatedKeyEvent, keyCodeOfUsage, usagesOfText } from './keyboard.ts';
export { SAMPLE_FOREIGN_2023, SAMPLE_FOREIGN_OLD, SAMPLE_HMT_PERMIT, SAMPLE_RESIDENT } from './sample-cards.ts';
