import { createHash } from 'node:crypto';
import { importSealingKey, maskIdNumber, sealIdNumber } from '@opencme/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTaps, startServer, type TestServer } from './harness.ts';

let server: TestServer;
let idNumbers: string[];
/** Staff a kiosk knows: the seed also leaves registrations under review, which it does not. */
let approvedIdNumbers: string[];
/** The demo kiosk pairs once: every test of this file shares it. */
let paired: Awaited<ReturnType<TestServer['demoKiosk']>> | undefined;
const demoKiosk = async () => (paired ??= await server.demoKiosk());
beforeAll(async () => {
  server = await startServer();
  const rows = await server.db.selectFrom('persons').select(['id', 'id_number_enc', 'registration_status']).orderBy('id').execute();
  idNumbers = rows.map((r) => server.vault.decrypt(r.id_number_enc));
  approvedIdNumbers = rows.filter((r) => r.registration_status === 'approved').map((r) => server.vault.decrypt(r.id_number_enc));
});
afterAll(() => server.close());

describe('ID numbers at rest', () => {
  it('resolves an ID-card tap by blind index, and keeps no ID number in clear anywhere in the database file', async () => {
    const kiosk = await demoKiosk();
    const pulled = await kiosk.client.sync.pull.query({ cursor: null });
    const sessionId = pulled.sessions[0]!.id;
    const idNumber = approvedIdNumbers[7]!;
    const taps = makeTaps({ deviceId: kiosk.deviceId, sessionId, cards: [{ kind: 'id-card', value: idNumber.toLowerCase() }] });
    const res = await kiosk.client.sync.push.mutate({ taps });
    expect(res.results[0]!.status).toBe('stored');
    const stored = await server.db.selectFrom('taps').select(['person_id', 'credential_value']).where('tap_id', '=', taps[0]!.tapId).executeTakeFirstOrThrow();
    expect(stored.person_id).not.toBeNull();
    expect(stored.credential_value).toBe(server.vault.index(idNumber));

    const bytes = await server.contents();
    expect(idNumbers.length).toBeGreaterThan(approvedIdNumbers.length);
    // The first hospital's 200 staff and the second hospital's nurse.
    expect(approvedIdNumbers).toHaveLength(201);
    for (const id of idNumbers) expect(bytes.includes(id)).toBe(false);
    // The masked form is there, for lists: the first three and the last four characters only.
    expect(bytes.includes(maskIdNumber(idNumber))).toBe(true);
    expect(bytes.includes(`${idNumber.slice(0, 6)}********${idNumber.slice(-4)}`)).toBe(false);
  });

  it('opens a kiosk’s sealed ID-card tap to the holder’s blind index, a visitor’s and a stranger’s too', async () => {
    const kiosk = await demoKiosk();
    const pulled = await kiosk.client.sync.pull.query({ cursor: null });
    const sessionId = pulled.sessions[0]!.id;
    const sealingKey = await importSealingKey(pulled.sealingKey);
    const known = approvedIdNumbers[9]!;
    const stranger = '110105194912310021';
    const cards = await Promise.all([known.toLowerCase(), stranger].map(async (n) => ({ kind: 'id-card' as const, value: await sealIdNumber(sealingKey, n) })));
    const taps = makeTaps({ deviceId: kiosk.deviceId, sessionId, cards, firstSeq: 100 });
    const res = await kiosk.client.sync.push.mutate({ taps });
    expect(res.results.map((r) => r.status)).toEqual(['stored', 'stored']);
    const stored = await server.db
      .selectFrom('taps')
      .select(['tap_id', 'person_id', 'credential_value'])
      .where(
        'tap_id',
        'in',
        taps.map((t) => t.tapId),
      )
      .execute();
    const byId = new Map(stored.map((r) => [r.tap_id, r]));
    expect(byId.get(taps[0]!.tapId)).toMatchObject({ credential_value: server.vault.index(known), person_id: expect.any(String) });
    // A card nobody holds is kept by its blind index too: nothing to sweep in the database.
    expect(byId.get(taps[1]!.tapId)).toMatchObject({ credential_value: server.vault.index(stranger), person_id: null });
  });

  it('takes an older outbox’s unkeyed digest for the number of the person the kiosk saw, and keeps no unkeyed digest', async () => {
    const kiosk = await demoKiosk();
    const pulled = await kiosk.client.sync.pull.query({ cursor: null });
    const sessionId = pulled.sessions[0]!.id;
    const holder = await server.db.selectFrom('persons').select(['id', 'id_number_enc']).where('id', '=', pulled.people[3]!.id).executeTakeFirstOrThrow();
    const known = server.vault.decrypt(holder.id_number_enc);
    const oldDigest = (n: string) => `id-card#${createHash('sha256').update(`opencme-id-card:${n}`).digest('hex')}`;
    const cards = [known, '110105194912310021'].map((n) => ({ kind: 'id-card' as const, value: oldDigest(n) }));
    const taps = makeTaps({ deviceId: kiosk.deviceId, sessionId, cards, firstSeq: 200 }).map((t, i) => ({ ...t, personId: i === 0 ? holder.id : null }));
    const res = await kiosk.client.sync.push.mutate({ taps });
    // The reply says only that both were stored; the review flag stays on the server.
    expect(res.results.map((r) => r.status)).toEqual(['stored', 'stored']);
    const stored = await server.db
      .selectFrom('taps')
      .select(['tap_id', 'person_id', 'credential_value', 'status'])
      .where(
        'tap_id',
        'in',
        taps.map((t) => t.tapId),
      )
      .execute();
    const byId = new Map(stored.map((r) => [r.tap_id, r]));
    expect(byId.get(taps[0]!.tapId)).toMatchObject({ credential_value: server.vault.index(known), person_id: holder.id });
    expect(byId.get(taps[0]!.tapId)!.status).toBe('accepted');
    expect(byId.get(taps[1]!.tapId)).toMatchObject({ person_id: null, status: 'flagged' });
    expect(byId.get(taps[1]!.tapId)!.credential_value).not.toContain(cards[1]!.value.slice('id-card#'.length));
  });

  it('shows the full number to an admin of the unit and writes the view to the audit log', async () => {
    const admin = await server.admin();
    const person = await server.db.selectFrom('persons').select(['id', 'id_number_enc']).executeTakeFirstOrThrow();
    const { idNumber } = await admin.persons.revealIdNumber.mutate({ personId: person.id });
    expect(idNumber).toBe(server.vault.decrypt(person.id_number_enc));
    const log = await server.db.selectFrom('audit_log').selectAll().where('entity_id', '=', person.id).execute();
    expect(log).toMatchObject([{ action: 'person.reveal-id-number', entity: 'person' }]);
    expect(log[0]!.actor_user_id).not.toBeNull();
  });

  it('refuses the full number without a sign-in', async () => {
    const person = await server.db.selectFrom('persons').select('id').executeTakeFirstOrThrow();
    await expect(server.client().persons.revealIdNumber.mutate({ personId: person.id })).rejects.toThrow('access.sign-in-first');
  });
});
