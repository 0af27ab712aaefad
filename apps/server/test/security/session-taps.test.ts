// Two doors of one session agree while online (sync.sessionTaps): each reads the taps the others
// recorded. A kiosk's token is the weakest credential in the system (a tablet at a door), so what
// it reads is kept to what the door decides with: taps of a session it is assigned to, of people
// of its own unit, that counted, each as the person's roster id and an instant. No card, no ID
// number, no other door's name, nothing of another session. Real server, real SQLite, over HTTP.
import { newId, type Tap } from '@opencme/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cardTap, type Client, startServer, type TestServer } from '../harness.ts';

let server: TestServer;
let admin: Client;
let sessionId: string;
let cards: string[];

async function door(name: string, assigned: boolean) {
  const created = await admin.devices.create.mutate({ name });
  const paired = await server.client().devices.pair.mutate({ code: created.pairingCode });
  if (assigned) await admin.devices.assignSession.mutate({ deviceId: paired.deviceId, sessionId });
  const client = server.client({ authorization: `Bearer ${paired.token}` });
  const bootId = newId();
  let seq = 0;
  return {
    deviceId: paired.deviceId,
    client,
    tap: (card: string, wallTime: string): Tap => cardTap({ deviceId: paired.deviceId, sessionId, card, seq: ++seq, wallTime, monoTime: seq * 1000, bootId }),
  };
}

beforeAll(async () => {
  server = await startServer();
  admin = await server.admin();
  // The demo session: 08:00–18:00 Beijing time (00:00–10:00Z) on 2026-11-22.
  sessionId = (await admin.sessions.list.query())[0]!.id;
  cards = (await server.db.selectFrom('persons').select('cme_number').where('cme_number', 'is not', null).orderBy('cme_number').limit(3).execute()).map(
    (p) => p.cme_number!,
  );
});
afterAll(() => server.close());

describe('sync.sessionTaps', () => {
  it('gives a door the other doors’ counted taps of its session, as a person id and an instant, and nothing else', async () => {
    const east = await door('东门', true);
    const west = await door('西门', true);
    const [p1, p2] = cards;
    const person1 = await server.db.selectFrom('persons').select(['id', 'id_number_enc']).where('cme_number', '=', p1!).executeTakeFirstOrThrow();
    await east.client.sync.push.mutate({ taps: [east.tap(p1!, '2026-11-22T00:05:00Z'), east.tap('3426999999X', '2026-11-22T00:06:00Z')] });
    await west.client.sync.push.mutate({ taps: [west.tap(p2!, '2026-11-22T00:07:00Z')] });

    const seen = await west.client.sync.sessionTaps.query({ sessionId, cursor: null });
    // The unknown card is not there (it counted for nothing), nor the west door's own tap.
    expect(seen.taps).toEqual([{ tapId: expect.any(String), personId: person1.id, at: '2026-11-22T00:05:00.000Z' }]);
    expect(seen.hasMore).toBe(false);
    const reply = JSON.stringify(seen);
    for (const secret of [p1!, server.vault.decrypt(person1.id_number_enc), '3426999999X', east.deviceId, '东门']) expect(reply).not.toContain(secret);

    // From its cursor on, only what is new.
    expect((await west.client.sync.sessionTaps.query({ sessionId, cursor: seen.cursor })).taps).toEqual([]);
    await east.client.sync.push.mutate({ taps: [east.tap(p2!, '2026-11-22T09:55:00Z')] });
    const next = await west.client.sync.sessionTaps.query({ sessionId, cursor: seen.cursor });
    expect(next.taps.map((t) => t.at)).toEqual(['2026-11-22T09:55:00.000Z']);
  });

  it('refuses a kiosk the taps of a session it is not assigned to, and a made-up session alike', async () => {
    const stranger = await door('仓库里的平板', false);
    for (const asked of [sessionId, newId()]) {
      await expect(stranger.client.sync.sessionTaps.query({ sessionId: asked, cursor: null })).rejects.toMatchObject({ data: { code: 'FORBIDDEN' } });
    }
    // A signed-in user is not a kiosk: the procedure is for device tokens only.
    await expect(admin.sync.sessionTaps.query({ sessionId, cursor: null })).rejects.toMatchObject({ data: { code: 'UNAUTHORIZED' } });
  });
});
