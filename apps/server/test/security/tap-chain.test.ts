// The tap chain against an attacker: a key that is no key does not register (and spends no
// pairing code); a stolen kiosk token cannot sign into the chain or swap its key; the export shows
// another unit's admin nothing and holds no card number. Real server, real SQLite, over HTTP.
import { generateChainKey, signChainedTap, type Tap } from '@opencme/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_ADMIN } from '../../src/seed.ts';
import { type Client, makeTaps, startServer, type TestServer } from '../harness.ts';

let server: TestServer;
let admin: Client;
let sessionId: string;

beforeAll(async () => {
  server = await startServer();
  admin = await server.admin();
  sessionId = (await (await server.demoKiosk()).client.sync.pull.query({ cursor: null })).sessions[0]!.id;
});
afterAll(() => server.close());

async function flagsOf(taps: readonly Tap[]) {
  const rows = await server.db
    .selectFrom('taps')
    .select('flag_reasons')
    .where(
      'tap_id',
      'in',
      taps.map((t) => t.tapId),
    )
    .execute();
  return rows.map((r) => r.flag_reasons);
}

describe('the tap chain against an attacker', () => {
  it('a public key that is not a P-256 point is refused before the pairing code is spent', async () => {
    const created = await admin.devices.create.mutate({ name: '假钥匙' });
    const { publicKey } = await generateChainKey();
    const offCurve = { ...publicKey, y: publicKey.x };
    await expect(server.client().devices.pair.mutate({ code: created.pairingCode, chainKey: offCurve })).rejects.toThrow('devices.chain-key-unusable');
    const paired = await server.client().devices.pair.mutate({ code: created.pairingCode, chainKey: publicKey });
    expect(paired.chainId).toBeTruthy();
  });

  it("a stolen token makes no tap that counts: unsigned, signed by the thief's key, or signed into a chain of the thief's own", async () => {
    const created = await admin.devices.create.mutate({ name: '被盗机' });
    await admin.devices.assignSession.mutate({ deviceId: created.id, sessionId });
    const kiosk = await server.signingKiosk(created.pairingCode);
    const card = (await kiosk.client.sync.pull.query({ cursor: null })).people[0]!.cmeNumber!;
    const [plain] = makeTaps({ deviceId: kiosk.deviceId, sessionId, cards: [{ kind: 'card-number', value: card }] });
    // The thief signs with a key of their own, naming the device's chain.
    const thief = await generateChainKey();
    const forged = { ...plain!, tapId: makeTaps({ deviceId: kiosk.deviceId, sessionId, cards: [{ kind: 'card-number', value: card }] })[0]!.tapId, seq: 1 };
    const { link } = await signChainedTap(thief.privateKey, forged, { chainId: kiosk.chainId, prevHash: null });
    await kiosk.client.sync.push.mutate({ taps: [plain!, { ...forged, chain: link }] });
    expect(await flagsOf([plain!, forged])).toEqual(['unsigned', 'chain-bad-signature']);
    const attendance = await server.db.selectFrom('attendance').select('status').where('session_id', '=', sessionId).execute();
    expect(attendance.filter((a) => a.status !== 'absent')).toEqual([]);
  });

  it("the export of a device is the device's unit admin's alone", async () => {
    const kiosk = (await admin.devices.list.query())[0]!;
    const cookie = await server.login(DEMO_ADMIN);
    expect((await server.download(`/api/files/devices/${kiosk.id}/taps.json`)).res.status).toBe(401);
    expect((await server.download(`/api/files/devices/${kiosk.id}/taps.json`, cookie)).res.status).toBe(200);
  });
});
