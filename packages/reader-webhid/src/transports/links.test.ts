// Each transport against its simulator, one exchange at a time, with real timers.
import { describe, expect, it } from 'vitest';
import { decodeBaseInfo } from '../base-info.ts';
import { commandFrame } from '../commands.ts';
import { decodeFrame } from '../frame.ts';
import type { SamLink } from '../sam-link.ts';
import { SimulatedHidDevice } from '../simulators/hid.ts';
import { SamSimulator, placeholderPhoto } from '../simulators/sam.ts';
import { SAMPLE_RESIDENT } from '../simulators/sample-cards.ts';
import { SimulatedSerialPort } from '../simulators/serial.ts';
import { SimulatedUsbDevice } from '../simulators/usb.ts';
import type { WireOptions } from '../simulators/wire.ts';
import { openHidLink } from './hid.ts';
import { openSerialLink } from './serial.ts';
import { openUsbLink } from './usb.ts';

const LINKS: [string, (sam: SamSimulator, wire: WireOptions) => Promise<SamLink>][] = [
  ['WebUSB four-pipe', (sam, wire) => openUsbLink(new SimulatedUsbDevice({ sam, wiring: 'four-pipe', wire }), { wiring: 'four-pipe' })],
  ['WebUSB single-pipe', (sam, wire) => openUsbLink(new SimulatedUsbDevice({ sam, wiring: 'single-pipe', wire }), { wiring: 'single-pipe' })],
  ['WebHID', (sam, wire) => openHidLink(new SimulatedHidDevice({ sam, wire }))],
  ['Web Serial', (sam, wire) => openSerialLink(new SimulatedSerialPort({ sam, wire }))],
];

const exchange = (link: SamLink, name: Parameters<typeof commandFrame>[0]) => link.exchange(commandFrame(name), { timeoutMs: 1000 });

describe.each(LINKS)('%s link', (_, open) => {
  it.each([
    ['whole answers', {}],
    ['answers one byte at a time', { chunkSizes: [1] }],
    ['answers cut at odd places', { chunkSizes: [7, 300, 1, 64, 2] }],
  ])('runs the reading cycle with %s', async (_, wire) => {
    const sam = new SamSimulator();
    const link = await open(sam, wire);
    expect(decodeFrame(await exchange(link, 'findCard')).sw3).toBe(0x80);
    sam.place({ identity: SAMPLE_RESIDENT });
    expect(decodeFrame(await exchange(link, 'findCard')).sw3).toBe(0x9f);
    expect(decodeFrame(await exchange(link, 'selectCard')).sw3).toBe(0x90);
    const answer = await exchange(link, 'readBaseInfo');
    expect(answer).toHaveLength(1295);
    expect(decodeBaseInfo(answer)).toEqual({ identity: SAMPLE_RESIDENT, photo: placeholderPhoto() });
    await link.close();
  });

  it('times out when the answer is lost, and the reopened device answers again', async () => {
    const sam = new SamSimulator();
    const link = await open(sam, {});
    sam.silenceNext();
    await expect(link.exchange(commandFrame('findCard'), { timeoutMs: 50 })).rejects.toMatchObject({ code: 'timeout' });
    await link.close();
    const again = await open(sam, {});
    expect(decodeFrame(await exchange(again, 'readSamId')).sw3).toBe(0x90);
    await again.close();
  });

  it('rejects an exchange at once when its signal is aborted', async () => {
    const link = await open(new SamSimulator(), {});
    const controller = new AbortController();
    const pending = link.exchange(commandFrame('findCard'), { timeoutMs: 1000, signal: controller.signal });
    controller.abort();
    await expect(pending).rejects.toMatchObject({ code: 'disconnected' });
    await link.close();
  });
});

describe('transport details', () => {
  it('four-pipe sends preamble and length on endpoint 2 and the rest on endpoint 6', async () => {
    const sam = new SamSimulator();
    const device = new SimulatedUsbDevice({ sam, wiring: 'four-pipe' });
    // The simulator stalls anything else, so a wrongly split command gets no answer.
    const link = await openUsbLink(device, { wiring: 'four-pipe' });
    await exchange(link, 'status');
    expect(sam.received).toEqual([{ cmd: 0x11, para: 0xff }]);
    await link.close();
    expect(device.opened).toBe(false);
  });

  it('a four-pipe device driven as single-pipe does not answer: the wiring matters', async () => {
    const device = new SimulatedUsbDevice({ sam: new SamSimulator(), wiring: 'four-pipe' });
    await expect(openUsbLink(device, { wiring: 'single-pipe' }).then((link) => link.exchange(commandFrame('status'), { timeoutMs: 50 }))).rejects.toMatchObject(
      {
        code: 'io',
      },
    );
  });

  it('says to try WebHID when Chrome protects the interface class', async () => {
    const device = new SimulatedUsbDevice({ sam: new SamSimulator(), wiring: 'single-pipe', interfaceClass: 0x03 });
    const opening = openUsbLink(device, { wiring: 'single-pipe' });
    await expect(opening).rejects.toMatchObject({ code: 'open-failed', messageKey: 'reader.open-failed-protected' });
    await expect(opening).rejects.toMatchObject({ message: expect.stringContaining('SecurityError') });
    expect(device.opened).toBe(false);
  });

  it('Web Serial opens 115200 8N1; a SAM spoken to at another rate stays silent', async () => {
    const sam = new SamSimulator();
    const slow = await openSerialLink(new SimulatedSerialPort({ sam }), { baudRate: 9600 });
    await expect(slow.exchange(commandFrame('status'), { timeoutMs: 50 })).rejects.toMatchObject({ code: 'timeout' });
    await slow.close();
  });

  it('the serial link releases its streams so that the port closes', async () => {
    const port = new SimulatedSerialPort({ sam: new SamSimulator() });
    const link = await openSerialLink(port);
    await link.close();
    expect(port.readable).toBeNull();
    await expect(openSerialLink(port).then((l) => l.close())).resolves.toBeUndefined();
  });

  it('a SAM answers a command with a broken checksum with SW3 10', async () => {
    const link = await openSerialLink(new SimulatedSerialPort({ sam: new SamSimulator() }));
    const bad = commandFrame('findCard');
    bad[9]! ^= 0x03;
    expect(decodeFrame(await link.exchange(bad, { timeoutMs: 1000 })).sw3).toBe(0x10);
    await link.close();
  });
});
