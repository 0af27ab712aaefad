import 'fake-indexeddb/auto';
import type { CardRead } from '@opencme/reader-webhid';
import { SamSimulator, SimulatedDeviceApis, SimulatedKeyboard, SimulatedUsbDevice } from '@opencme/reader-webhid/simulators';
import { afterEach, describe, expect, it } from 'vitest';
import { type KioskDb, openKioskDb } from '../kiosk/db.ts';
import { KioskReaders } from './kiosk-readers.svelte.ts';
import { readerMessage } from './reader-message.ts';
import { loadReaderSettings, saveReaderSetting } from './settings.ts';

let counter = 0;
const cleanup: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

function freshDb(): KioskDb {
  const db = openKioskDb(`kiosk-readers-${++counter}`);
  cleanup.push(() => db.delete());
  return db;
}

/** A kiosk's readers over the given "browser" devices, with every read collected. */
function readersOn(db: KioskDb, devices = new SimulatedDeviceApis(), keys = new SimulatedKeyboard()) {
  const readers = new KioskReaders({ db, devices, keys });
  const reads: CardRead[] = [];
  readers.listen((read) => reads.push(read));
  cleanup.push(() => readers.stop());
  return { readers, reads, keys };
}

async function until(condition: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

const hook = () => globalThis.__opencmeDemoReader!;

describe('KioskReaders in demo mode', () => {
  it('reads an ID card placed through the test hook once per placement, over the simulated USB reader', async () => {
    const db = freshDb();
    await saveReaderSetting(db, 'demo', true);
    const { readers, reads } = readersOn(db);
    await readers.start();
    await until(() => readers.status.state === 'ready');
    expect(readers.status).toMatchObject({ state: 'ready', device: { transport: 'usb-four-pipe' } });

    hook().placeIdCard({ name: '王伟', idNumber: '340102198001010017' });
    await until(() => reads.length === 1);
    expect(reads[0]).toMatchObject({
      kind: 'id-card',
      identity: { kind: 'resident', name: '王伟', idNumber: '340102198001010017', birthDate: '1980-01-01', genderCode: '1' },
    });
    expect(readers.lastRead).toBe(reads[0]);

    // Left on the reader, the card is not read again; placed again, it is.
    await new Promise((resolve) => setTimeout(resolve, 1200));
    expect(reads).toHaveLength(1);
    await hook().removeCard();
    hook().placeIdCard({ name: '王伟', idNumber: '340102198001010017' });
    await until(() => reads.length === 2);
  });

  it('swipes an IC card in the configured encoding, and a new encoding takes effect at once', async () => {
    const db = freshDb();
    await saveReaderSetting(db, 'demo', true);
    const { readers, reads } = readersOn(db);
    await readers.start();
    hook().swipeIcCard('26defae7');
    expect(reads.at(-1)).toMatchObject({ kind: 'ic-card', uid: '26DEFAE7' });
    expect(readers.demo!.keyboard.events.map((e) => e.code).join(' ')).toBe('Digit0 Digit6 Digit5 Digit2 Digit1 Digit4 Digit7 Digit4 Digit3 Digit1 Enter');

    // A card swiped while the new setting is still being saved is read with the new one.
    const saved = readers.setEncoding('hex-reversed');
    hook().swipeIcCard('26DEFAE7');
    expect(reads.at(-1)).toMatchObject({ kind: 'ic-card', uid: '26DEFAE7' });
    expect(reads).toHaveLength(2);
    expect(readers.error).toBeNull();
    await saved;
    expect((await loadReaderSettings(db)).icEncoding).toBe('hex-reversed');
  });

  it('says the reader was unplugged, and a damaged read is reported without a read', async () => {
    const db = freshDb();
    await saveReaderSetting(db, 'demo', true);
    await saveReaderSetting(db, 'demoTransport', 'hid-wrapped');
    const { readers, reads } = readersOn(db);
    await readers.start();
    await until(() => readers.status.state === 'ready');

    hook().unplugReader();
    await until(() => readers.status.state === 'no-device');
    expect(readers.error).toMatchObject({ code: 'disconnected', messageKey: 'reader.unplugged' });
    hook().plugReader();
    await until(() => readers.status.state === 'ready');
    expect(readers.error).toBeNull();

    hook().corruptNextRead();
    hook().placeIdCard({ name: '王伟', idNumber: '340102198001010017' });
    await until(() => readers.error !== null);
    expect(readers.error!.code).toBe('bad-checksum');
    expect(readerMessage(readers.error)).toMatch(/请拿开证件后重新放置/);
    expect(reads).toHaveLength(0);
  });

  it('leaves demo mode: the hook goes, and the browser devices are used again', async () => {
    const db = freshDb();
    await saveReaderSetting(db, 'demo', true);
    const { readers } = readersOn(db);
    await readers.start();
    expect(globalThis.__opencmeDemoReader).toBeDefined();
    await readers.setDemo(false);
    expect(globalThis.__opencmeDemoReader).toBeUndefined();
    expect(readers.demo).toBeNull();
    await until(() => readers.status.state === 'no-device');
    expect((await loadReaderSettings(db)).demo).toBe(false);
  });
});

describe('KioskReaders over the browser devices', () => {
  it('opens a reader granted earlier without a click, and keeps key bursts and typing apart', async () => {
    const db = freshDb();
    const devices = new SimulatedDeviceApis();
    const sam = new SamSimulator();
    devices.plug(new SimulatedUsbDevice({ sam, wiring: 'four-pipe' }));
    const { readers, reads, keys } = readersOn(db, devices);
    await readers.start();
    await until(() => readers.status.state === 'ready');
    expect(globalThis.__opencmeDemoReader).toBeUndefined();

    keys.type('0652147431');
    expect(reads).toHaveLength(0);
    keys.presentCard('26DEFAE7', { encoding: 'dec-be' });
    expect(reads).toMatchObject([{ kind: 'ic-card', uid: '26DEFAE7' }]);
  });

  it('connects an unknown reader by hand with a chosen transport, and finds it at the next start', async () => {
    const db = freshDb();
    const devices = new SimulatedDeviceApis();
    devices.plug(new SimulatedUsbDevice({ sam: new SamSimulator(), wiring: 'single-pipe', vendorId: 0x1234, productId: 0x5678 }), { granted: false });
    const first = readersOn(db, devices);
    await first.readers.start();
    await until(() => first.readers.status.state === 'no-device');
    const device = await first.readers.connect({ tryAs: 'usb-single-pipe' });
    expect(device).toMatchObject({ transport: 'usb-single-pipe', vendorId: 0x1234, productId: 0x5678 });
    await until(() => first.readers.status.state === 'ready');
    await first.readers.stop();

    const again = readersOn(db, devices);
    await again.readers.start();
    await until(() => again.readers.status.state === 'ready');
  });

  it('shows a cancelled chooser as an error', async () => {
    const db = freshDb();
    const devices = new SimulatedDeviceApis();
    const { readers } = readersOn(db, devices);
    await readers.start();
    await expect(readers.connect({ api: 'usb' })).rejects.toMatchObject({ code: 'no-device' });
    expect(readers.error).toMatchObject({ code: 'no-device' });
    expect(readerMessage(readers.error)).toBe('未选择读卡器');
  });
});
