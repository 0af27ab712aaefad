// Files that are small on the wire and huge once unpacked: a 1 KB JPEG that claims 16383×16383
// pixels (0.9 GB to decode) and a zip-bomb .xlsx. Both are refused from their headers, fast,
// before the server decodes or unpacks them.
import zlib from 'node:zlib';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkPortrait } from '../../src/portrait.ts';
import { readGrid } from '../../src/exchange/files.ts';
import { DEMO_ADMIN } from '../../src/seed.ts';
import { preview } from '../exchange/files.ts';
import { startServer, type TestServer } from '../harness.ts';
import { peakGrowthMb } from './http.ts';

let server: TestServer;
let hospitalId: string;
let departmentId: string;

beforeAll(async () => {
  server = await startServer();
  hospitalId = (await server.db.selectFrom('organisations').select('id').where('kind', '=', 'institution').executeTakeFirstOrThrow()).id;
  departmentId = (await server.db.selectFrom('organisations').select('id').where('parent_id', '=', hospitalId).executeTakeFirstOrThrow()).id;
}, 60_000);
afterAll(() => server.close());

/** A real 16×16 JPEG whose frame header (SOF0) is rewritten to claim 16383×16383 pixels. */
async function pixelBomb(): Promise<Buffer> {
  const jpeg = Buffer.from(
    await sharp({ create: { width: 16, height: 16, channels: 3, background: '#888' } })
      .jpeg({ quality: 50 })
      .toBuffer(),
  );
  const sof = jpeg.indexOf(Buffer.from([0xff, 0xc0]));
  jpeg.writeUInt16BE(16383, sof + 5);
  jpeg.writeUInt16BE(16383, sof + 7);
  return jpeg;
}

describe('the pixel bomb', () => {
  it('is refused by the portrait check from its header alone, in a blink', async () => {
    const bomb = await pixelBomb();
    const started = performance.now();
    const { result, growthMb } = await peakGrowthMb(() => checkPortrait(bomb));
    // Decoding it took 6 s and 0.9 GB; a header read is milliseconds even on a loaded machine.
    expect(performance.now() - started).toBeLessThan(2000);
    expect(growthMb).toBeLessThan(50);
    expect(result).toMatchObject({ ok: false, key: 'portrait.wrong-size', params: { gotWidth: 16383, gotHeight: 16383 } });
  });

  it('is refused by its header as a registration photo: fast, without decoding it', async () => {
    const bomb = await pixelBomb();
    expect(bomb.length).toBeLessThan(2048);
    expect((await sharp(bomb).metadata()).width).toBe(16383);
    const [photoUpload] = await server.upload('photo', [{ name: 'photo.jpg', bytes: bomb, type: 'image/jpeg' }]);
    const form = {
      institutionId: hospitalId,
      departmentId,
      name: '林晓',
      idNumber: '110105199003070017',
      phone: '13955500001',
      title: '护师',
      category: 'nurse' as const,
      degree: 'bachelor' as const,
      photoUpload: photoUpload!,
    };
    const started = performance.now();
    const { result, growthMb } = await peakGrowthMb(() =>
      server
        .client()
        .registration.submit.mutate(form)
        .then(
          () => null,
          (e: unknown) => e,
        ),
    );
    expect(performance.now() - started).toBeLessThan(3000);
    expect(growthMb).toBeLessThan(50);
    expect(result).toMatchObject({ data: { messageKey: 'portrait.wrong-size', params: { gotWidth: 16383, gotHeight: 16383 }, field: 'photoUpload' } });
  });
});

/** A one-entry zip whose entry unpacks to `megabytes` MB of zeros; `claim` lies about that size. */
function zipBomb(megabytes: number, claim?: number): Buffer {
  const whole = Buffer.alloc(megabytes * 1024 * 1024);
  const crc = zlib.crc32(whole);
  const data = zlib.deflateRawSync(whole, { level: 9 });
  const size = claim ?? whole.length;
  const name = Buffer.from('xl/worksheets/sheet1.xml');
  const local = Buffer.alloc(30);
  local.writeUInt32LE(0x04034b50, 0);
  local.writeUInt16LE(20, 4);
  local.writeUInt16LE(8, 8);
  local.writeUInt32LE(crc, 14);
  local.writeUInt32LE(data.length, 18);
  local.writeUInt32LE(size, 22);
  local.writeUInt16LE(name.length, 26);
  const central = Buffer.alloc(46);
  central.writeUInt32LE(0x02014b50, 0);
  central.writeUInt16LE(20, 4);
  central.writeUInt16LE(20, 6);
  central.writeUInt16LE(8, 10);
  central.writeUInt32LE(crc, 16);
  central.writeUInt32LE(data.length, 20);
  central.writeUInt32LE(size, 24);
  central.writeUInt16LE(name.length, 28);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(1, 8);
  end.writeUInt16LE(1, 10);
  end.writeUInt32LE(central.length + name.length, 12);
  end.writeUInt32LE(local.length + name.length + data.length, 16);
  return Buffer.concat([local, name, data, central, name, end]);
}

describe('the zip bomb', () => {
  let cookie: string;
  let projectId: string;
  beforeAll(async () => {
    cookie = await server.login(DEMO_ADMIN);
    projectId = (await server.db.selectFrom('projects').select('id').executeTakeFirstOrThrow()).id;
  });

  // As a project's assessment results (考核成绩) are imported: through the exchange, about the project.
  const importFile = async (bytes: Buffer) => {
    const started = performance.now();
    const { status, body } = await preview(server, cookie, { name: '成绩.xlsx', bytes }, { kind: 'assessments', project: projectId });
    return { status, body, ms: performance.now() - started };
  };

  it('is refused by the spreadsheet reader before it unpacks anything', async () => {
    const bomb = zipBomb(128);
    const started = performance.now();
    await expect(readGrid('成绩.xlsx', bomb)).rejects.toMatchObject({ key: 'exchange.unpacks-too-large', params: { megabytes: 100 } });
    expect(performance.now() - started).toBeLessThan(2000);
  });

  it('is refused when the zip says how much it unpacks to', async () => {
    const bomb = zipBomb(128);
    expect(bomb.length).toBeLessThan(1024 * 1024);
    const { status, body, ms } = await importFile(bomb);
    expect(status).toBe(413);
    expect(body).toMatchObject({ messageKey: 'exchange.unpacks-too-large', params: { megabytes: 100 } });
    expect(ms).toBeLessThan(3000);
  });

  it('is refused when the zip lies about it, at the first byte past the claim', async () => {
    const { body, ms } = await importFile(zipBomb(64, 1000));
    expect(body).toMatchObject({ messageKey: 'exchange.xlsx-unreadable' });
    expect(ms).toBeLessThan(3000);
  });
});
