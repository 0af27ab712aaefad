// The kiosk's photos by content hash (POST /api/sync/photos, issue 15). A hash travels in every
// roster and can be learnt; the face behind it must still go only to a kiosk whose roster holds
// that person: not to nobody, not to a signed-in account, not to a kiosk of another unit, not
// after its token was revoked. Real server, real SQLite, over HTTP.
import { decodePhotoBundle, MAX_PHOTOS_PER_REQUEST } from '@opencme/core';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { storePhoto } from '../../src/photos.ts';
import { DEMO_ADMIN, DEMO_ADMIN_B } from '../../src/seed.ts';
import { type Client, startServer, type TestServer } from '../harness.ts';

let server: TestServer;
let kioskA: Awaited<ReturnType<TestServer['demoKiosk']>>;
let kioskB: { token: string; client: Client };
/** A photo only one person of hospital A has. */
let hashA: string;
let thumbA: Uint8Array;

function photos(hashes: string[], headers: Record<string, string>) {
  return fetch(`${server.url}/api/sync/photos`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ hashes }),
  });
}
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

beforeAll(async () => {
  server = await startServer();
  kioskA = await server.demoKiosk();
  const adminB = server.client({ cookie: await server.login(DEMO_ADMIN_B) });
  const created = await adminB.devices.create.mutate({ name: '芜湖二院门口' });
  const paired = await server.client().devices.pair.mutate({ code: created.pairingCode });
  kioskB = { token: paired.token, client: server.client(bearer(paired.token)) };
  // A face of its own (a red square), so that no one of hospital B shares its hash.
  const jpeg = await sharp({ create: { width: 358, height: 441, channels: 3, background: '#c03030' } })
    .jpeg()
    .toBuffer();
  hashA = await storePhoto(server.db, jpeg, server.clock.now);
  const device = await server.db.selectFrom('devices').select('institution_id').where('id', '=', kioskA.deviceId).executeTakeFirstOrThrow();
  const person = await server.db
    .selectFrom('persons')
    .select('id')
    .where('institution_id', '=', device.institution_id)
    .where('registration_status', '=', 'approved')
    .where('left_on', 'is', null)
    .orderBy('id')
    .executeTakeFirstOrThrow();
  await server.db.updateTable('persons').set({ photo_hash: hashA }).where('id', '=', person.id).execute();
  thumbA = (await server.db.selectFrom('photos').select('thumb_jpeg').where('hash', '=', hashA).executeTakeFirstOrThrow()).thumb_jpeg;
});
afterAll(() => server.close());

describe('a roster with photos by hash', () => {
  it('names each photo by hash instead of carrying it, and the kiosk fetches the thumbnails as bytes', async () => {
    const page = await kioskA.client.sync.pull.query({ cursor: null, photos: 'hash' });
    const withPhoto = page.people.filter((p) => p.photoHash);
    expect(withPhoto.length).toBeGreaterThan(0);
    expect(page.people.every((p) => p.photo === null)).toBe(true);
    expect(withPhoto.map((p) => p.photoHash)).toContain(hashA);
    // A kiosk of before issue 15 asks for nothing new and still gets the photos inline.
    const old = await kioskA.client.sync.pull.query({ cursor: null });
    expect(old.people.some((p) => p.photo?.startsWith('data:image/jpeg;base64,'))).toBe(true);
    expect(JSON.stringify(page).length * 3).toBeLessThan(JSON.stringify(old).length);

    const hashes = [...new Set(withPhoto.map((p) => p.photoHash!))].slice(0, MAX_PHOTOS_PER_REQUEST);
    const res = await photos(hashes, bearer(kioskA.token));
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/octet-stream');
    expect(res.headers.get('cache-control')).toBe('no-store');
    const got = decodePhotoBundle(new Uint8Array(await res.arrayBuffer()));
    expect(got.map((p) => p.hash).sort()).toEqual([...hashes].sort());
    const mine = got.find((p) => p.hash === hashA)!;
    expect(Buffer.from(mine.bytes).equals(Buffer.from(thumbA))).toBe(true);
    expect([mine.bytes[0], mine.bytes[1]]).toEqual([0xff, 0xd8]);
  });

  it('gives a face to no one but a kiosk whose roster holds the person', async () => {
    // Nobody, and a signed-in account (even the unit's own admin): not a kiosk.
    expect((await photos([hashA], {})).status).toBe(401);
    expect((await photos([hashA], { cookie: await server.login(DEMO_ADMIN) })).status).toBe(401);
    expect((await photos([hashA], bearer('not-a-token'))).status).toBe(401);
    // A kiosk of another unit that learnt the hash gets nothing for it, as for a hash that names no photo.
    const other = await photos([hashA, 'f'.repeat(64)], bearer(kioskB.token));
    expect(other.status).toBe(200);
    expect(decodePhotoBundle(new Uint8Array(await other.arrayBuffer()))).toEqual([]);
    // Once the person has left the unit, her own unit's kiosk no longer gets her face either.
    await server.db.updateTable('persons').set({ left_on: '2026-11-01' }).where('photo_hash', '=', hashA).execute();
    expect(decodePhotoBundle(new Uint8Array(await (await photos([hashA], bearer(kioskA.token))).arrayBuffer()))).toEqual([]);
    await server.db.updateTable('persons').set({ left_on: null }).where('photo_hash', '=', hashA).execute();
    // Not too many at once, and only hashes.
    expect(
      (
        await photos(
          Array.from({ length: MAX_PHOTOS_PER_REQUEST + 1 }, () => hashA),
          bearer(kioskA.token),
        )
      ).status,
    ).toBe(400);
    expect((await photos(['../../etc/passwd'], bearer(kioskA.token))).status).toBe(400);
  });

  it('refuses a revoked kiosk', async () => {
    const admin = await server.admin();
    await admin.devices.revoke.mutate({ deviceId: kioskA.deviceId });
    expect((await photos([hashA], bearer(kioskA.token))).status).toBe(401);
  });
});
