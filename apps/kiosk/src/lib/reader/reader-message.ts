import type { ReaderDeviceInfo } from '@opencme/reader-webhid';
import { errorMessage, t } from '../i18n.svelte.ts';

/** A reader's failure in the user's language: its catalogue key, with its hint of what to do next. */
export function readerMessage(error: unknown): string {
  return errorMessage(error);
}

/** A reader's name: its product name, or what kind of reader it is when it gives none. */
export function deviceName(device: Pick<ReaderDeviceInfo, 'label' | 'transport'>): string {
  return device.label || t(device.transport === 'serial' ? 'reader.connectApi.serial' : 'reader.idReader');
}
