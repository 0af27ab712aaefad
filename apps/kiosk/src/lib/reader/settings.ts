// The kiosk's reader settings, kept in Dexie's meta table so that they survive reloads and
// offline starts. Stored values are parsed on the way out: a value from an older version or a
// hand-edited database falls back to the default instead of breaking the door.
import { UID_ENCODINGS, type UidEncoding } from '@opencme/core';
import { KNOWN_ID_READERS, type KnownReader, type ReaderDeviceInfo, type TransportKind } from '@opencme/reader-webhid';
import { z } from 'zod';
import { getMeta, type KioskDb, setMeta } from '../kiosk/db.ts';

/** Many wedge readers sold for 继教IC卡 type 10 decimal digits; a kiosk with another model sets its own. */
export const DEFAULT_UID_ENCODING: UidEncoding = 'dec-be';
export const DEFAULT_DEMO_TRANSPORT: TransportKind = 'usb-four-pipe';
/** The card of readers.md TV-21, which shows each encoding and which the self-test swipes. */
export const SAMPLE_UID = '26DEFAE7';
export const TRANSPORT_KINDS: readonly TransportKind[] = ['usb-four-pipe', 'usb-single-pipe', 'hid-wrapped', 'serial'];

const UidEncodingSchema = z.enum(UID_ENCODINGS);
const TransportSchema = z.enum(TRANSPORT_KINDS as [TransportKind, ...TransportKind[]]);
const LearnedReaderSchema = z.object({
  vendorId: z.number().int().min(0).max(0xffff),
  productId: z.number().int().min(0).max(0xffff),
  transport: z.enum(['usb-four-pipe', 'usb-single-pipe', 'hid-wrapped']),
  label: z.string(),
});

export interface ReaderSettings {
  icEncoding: UidEncoding;
  /** Readers missing from `KNOWN_ID_READERS` that were connected by hand with a chosen transport. */
  learnedReaders: KnownReader[];
  /** Demo mode (演示模式): simulated devices stand in for `navigator.usb` / `hid` / `serial`. */
  demo: boolean;
  /** Which wiring the demo's simulated ID-card reader speaks. */
  demoTransport: TransportKind;
}

const KEYS = { icEncoding: 'icEncoding', learnedReaders: 'learnedReaders', demo: 'demoReader', demoTransport: 'demoTransport' } as const;

async function stored<T>(db: KioskDb, key: string, schema: z.ZodType<T>, fallback: T): Promise<T> {
  const parsed = schema.safeParse(await getMeta(db, key));
  return parsed.success ? parsed.data : fallback;
}

export async function loadReaderSettings(db: KioskDb): Promise<ReaderSettings> {
  return {
    icEncoding: await stored(db, KEYS.icEncoding, UidEncodingSchema, DEFAULT_UID_ENCODING),
    learnedReaders: await stored(db, KEYS.learnedReaders, z.array(LearnedReaderSchema), []),
    demo: await stored(db, KEYS.demo, z.boolean(), false),
    demoTransport: await stored(db, KEYS.demoTransport, TransportSchema, DEFAULT_DEMO_TRANSPORT),
  };
}

export async function saveReaderSetting<K extends Exclude<keyof ReaderSettings, 'learnedReaders'>>(
  db: KioskDb,
  key: K,
  value: ReaderSettings[K],
): Promise<void> {
  await setMeta(db, KEYS[key], value);
}

/**
 * Remembers a reader connected by hand so that the next start finds it among the granted devices
 * without a click; a reader of the built-in table needs no entry. Returns the readers to use.
 */
export async function rememberReader(db: KioskDb, device: ReaderDeviceInfo): Promise<KnownReader[]> {
  const learned = (await loadReaderSettings(db)).learnedReaders;
  const { transport, vendorId, productId, label } = device;
  if (transport === 'serial' || vendorId === undefined || productId === undefined) return learned;
  const same = (r: { vendorId: number; productId: number }) => r.vendorId === vendorId && r.productId === productId;
  if (KNOWN_ID_READERS.some((r) => same(r) && r.transport === transport)) return learned;
  const next = [{ vendorId, productId, transport, label }, ...learned.filter((r) => !same(r))];
  await setMeta(db, KEYS.learnedReaders, next);
  return next;
}
