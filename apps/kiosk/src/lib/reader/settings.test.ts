import 'fake-indexeddb/auto';
import { afterEach, describe, expect, it } from 'vitest';
import { type KioskDb, openKioskDb, setMeta } from '../kiosk/db.ts';
import { DEFAULT_UID_ENCODING, loadReaderSettings, rememberReader, saveReaderSetting } from './settings.ts';

let db: KioskDb;
let counter = 0;
const fresh = () => (db = openKioskDb(`reader-settings-${++counter}`));
afterEach(() => db.delete());

describe('reader settings', () => {
  it('start from the defaults and keep what is saved', async () => {
    fresh();
    expect(await loadReaderSettings(db)).toEqual({ icEncoding: DEFAULT_UID_ENCODING, learnedReaders: [], demo: false, demoTransport: 'usb-four-pipe' });
    await saveReaderSetting(db, 'icEncoding', 'hex-reversed');
    await saveReaderSetting(db, 'demo', true);
    await saveReaderSetting(db, 'demoTransport', 'serial');
    expect(await loadReaderSettings(openKioskDb(db.name))).toMatchObject({ icEncoding: 'hex-reversed', demo: true, demoTransport: 'serial' });
  });

  it('fall back to the default for a stored value they do not understand', async () => {
    fresh();
    await setMeta(db, 'icEncoding', 'wiegand-26');
    await setMeta(db, 'demoReader', 'yes');
    await setMeta(db, 'learnedReaders', [{ vendorId: 0x1234 }]);
    expect(await loadReaderSettings(db)).toMatchObject({ icEncoding: DEFAULT_UID_ENCODING, demo: false, learnedReaders: [] });
  });

  it('remember a reader connected by hand, once, but not one the built-in table knows', async () => {
    fresh();
    const unknown = { transport: 'hid-wrapped' as const, label: '某品牌阅读器', vendorId: 0x1234, productId: 0x5678 };
    expect(await rememberReader(db, unknown)).toEqual([{ vendorId: 0x1234, productId: 0x5678, transport: 'hid-wrapped', label: '某品牌阅读器' }]);
    await rememberReader(db, { ...unknown, transport: 'usb-single-pipe' });
    expect((await loadReaderSettings(db)).learnedReaders).toEqual([
      { vendorId: 0x1234, productId: 0x5678, transport: 'usb-single-pipe', label: '某品牌阅读器' },
    ]);
    await rememberReader(db, { transport: 'usb-four-pipe', label: 'SAM_V', vendorId: 0x0400, productId: 0xc35a });
    await rememberReader(db, { transport: 'serial', label: '串口读卡器', vendorId: 0x1a86, productId: 0x7523 });
    expect((await loadReaderSettings(db)).learnedReaders).toHaveLength(1);
  });
});
