import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTaps, startServer, type TestServer } from './harness.ts';

let server: TestServer;
let kiosk: Awaited<ReturnType<TestServer['demoKiosk']>>;
let sessionId: string;
let cards: { kind: 'card-number'; value: string }[];

beforeAll(async () => {
  server = await startServer();
  kiosk = await server.demoKiosk();
  const pulled = await kiosk.client.sync.pull.query({ cursor: null });
  sessionId = pulled.sessions[0]!.id;
  cards = pulled.people.slice(0, 50).map((p) => ({ kind: 'card-number' as const, value: p.cmeNumber! }));
});
afterAll(() => server.close());

/** From now on the database refuses the tap of this sequence number, as a full disk would refuse a write. */
async function failInsertOfSeq(seq: number) {
  if (server.dialect === 'sqlite') {
    await sql`create trigger fail_seq before insert on taps when new.seq = ${sql.lit(seq)} begin select raise(abort, 'disk full'); end`.execute(server.db);
  } else {
    await sql`create function fail_seq() returns trigger language plpgsql as $$ begin if new.seq = ${sql.lit(seq)} then raise exception 'disk full'; end if; return new; end $$`.execute(
      server.db,
    );
    await sql`create trigger fail_seq before insert on taps for each row execute function fail_seq()`.execute(server.db);
  }
}

async function stopFailing() {
  await sql.raw(server.dialect === 'sqlite' ? 'drop trigger if exists fail_seq' : 'drop trigger if exists fail_seq on taps').execute(server.db);
}

const countTaps = async () =>
  Number(
    (
      await server.db
        .selectFrom('taps')
        .select((eb) => eb.fn.countAll().as('n'))
        .executeTakeFirstOrThrow()
    ).n,
  );

describe('sync.push', () => {
  it('accepts a batch, then finds each tap once when the same batch is pushed again', async () => {
    const before = await countTaps();
    const taps = makeTaps({ deviceId: kiosk.deviceId, sessionId, cards: cards.slice(0, 20), firstSeq: 1 });
    const first = await kiosk.client.sync.push.mutate({ taps });
    expect(first.results.map((r) => r.status)).toEqual(Array(20).fill('stored'));
    const again = await kiosk.client.sync.push.mutate({ taps });
    expect(again.results.map((r) => r.status)).toEqual(Array(20).fill('duplicate'));
    expect(await countTaps()).toBe(before + 20);
    const ids = await server.db
      .selectFrom('taps')
      .select('tap_id')
      .where(
        'tap_id',
        'in',
        taps.map((t) => t.tapId),
      )
      .execute();
    expect(ids).toHaveLength(20);
  });

  it('answers a tap repeated inside one batch as a duplicate', async () => {
    const [tap] = makeTaps({ deviceId: kiosk.deviceId, sessionId, cards: cards.slice(0, 1), firstSeq: 100 });
    const res = await kiosk.client.sync.push.mutate({ taps: [tap!, tap!] });
    expect(res.results.map((r) => r.status)).toEqual(['stored', 'duplicate']);
  });

  it('stores what looks wrong and flags it with the reasons for the reviewer, never refusing the fact', async () => {
    const taps = makeTaps({
      deviceId: 'someone-else',
      sessionId: 'no-such-session',
      cards: [{ kind: 'ic-card', value: 'DEADBEEF' }],
      firstSeq: 1, // already used by the first test's batch
    });
    const res = await kiosk.client.sync.push.mutate({ taps });
    expect(res.results[0]).toEqual({ tapId: taps[0]!.tapId, status: 'stored' });
    const row = await server.db.selectFrom('taps').selectAll().where('tap_id', '=', taps[0]!.tapId).executeTakeFirstOrThrow();
    expect(row).toMatchObject({
      status: 'flagged',
      flag_reasons: 'device-mismatch,unknown-session,unknown-credential,seq-reused',
      device_id: kiosk.deviceId,
      claimed_device_id: 'someone-else',
    });
  });

  it('flags a card reported lost', async () => {
    const lost = cards[30]!;
    await server.db.updateTable('credentials').set({ status: 'lost' }).where('value', '=', lost.value).execute();
    const taps = makeTaps({ deviceId: kiosk.deviceId, sessionId, cards: [lost], firstSeq: 200 });
    const res = await kiosk.client.sync.push.mutate({ taps });
    expect(res.results[0]).toEqual({ tapId: taps[0]!.tapId, status: 'stored' });
    const row = await server.db.selectFrom('taps').selectAll().where('tap_id', '=', taps[0]!.tapId).executeTakeFirstOrThrow();
    expect(row).toMatchObject({ status: 'flagged', flag_reasons: 'denied-credential', person_id: expect.any(String) });
  });

  it('turns taps into sign-in and sign-out per person', async () => {
    const card = cards[40]!;
    const signIn = makeTaps({ deviceId: kiosk.deviceId, sessionId, cards: [card], firstSeq: 300, start: new Date('2026-11-22T00:58:00Z') });
    const again = makeTaps({ deviceId: kiosk.deviceId, sessionId, cards: [card], firstSeq: 301, start: new Date('2026-11-22T00:58:30Z') });
    const signOut = makeTaps({ deviceId: kiosk.deviceId, sessionId, cards: [card], firstSeq: 302, start: new Date('2026-11-22T04:00:00Z') });
    // Out of order, in two pushes, as taps from an offline kiosk may arrive.
    await kiosk.client.sync.push.mutate({ taps: [...signOut, ...again] });
    await kiosk.client.sync.push.mutate({ taps: signIn });
    const admin = await server.admin();
    const { people } = await admin.sessions.attendance.query({ sessionId });
    const person = people.find((p) => p.cmeNumber === card.value);
    expect(person).toMatchObject({ signInAt: '2026-11-22T00:58:00.000Z', signOutAt: '2026-11-22T04:00:00.000Z', tapCount: 3 });
  });

  it('writes nothing of a batch that fails mid-way', async () => {
    await failInsertOfSeq(513);
    try {
      const before = await countTaps();
      const attendanceBefore = await server.db.selectFrom('attendance').selectAll().execute();
      const taps = makeTaps({ deviceId: kiosk.deviceId, sessionId, cards: cards.slice(0, 20), firstSeq: 501 });
      await expect(kiosk.client.sync.push.mutate({ taps })).rejects.toThrow();
      expect(await countTaps()).toBe(before);
      expect(await server.db.selectFrom('attendance').selectAll().execute()).toEqual(attendanceBefore);
      await stopFailing();
      const retry = await kiosk.client.sync.push.mutate({ taps });
      expect(retry.results.every((r) => r.status === 'stored')).toBe(true);
    } finally {
      await stopFailing();
    }
  });

  it('refuses a malformed batch with the fields named, and stores nothing of it', async () => {
    const before = await countTaps();
    const [good] = makeTaps({ deviceId: kiosk.deviceId, sessionId, cards: cards.slice(0, 1), firstSeq: 900 });
    const bad = { ...good!, tapId: 'not-a-uuid' };
    await expect(kiosk.client.sync.push.mutate({ taps: [good!, bad] })).rejects.toThrow(/taps\.1\.tapId/);
    expect(await countTaps()).toBe(before);
  });
});

describe('device tokens', () => {
  it('refuses sync without a token, with a forged token, and after the device is revoked', async () => {
    await expect(server.client().sync.pull.query({ cursor: null })).rejects.toThrow('access.device-not-paired');
    await expect(server.client({ authorization: 'Bearer forged' }).sync.pull.query({ cursor: null })).rejects.toThrow(
      'access.unknown-device-token-pair-device',
    );

    const admin = await server.admin();
    const created = await admin.devices.create.mutate({ name: '二号门' });
    const paired = await server.client().devices.pair.mutate({ code: created.pairingCode.toLowerCase().replace('-', ' ') });
    const second = server.client({ authorization: `Bearer ${paired.token}` });
    await expect(second.sync.pull.query({ cursor: null })).resolves.toMatchObject({ sessions: [] });

    await admin.devices.revoke.mutate({ deviceId: paired.deviceId });
    await expect(second.sync.pull.query({ cursor: null })).rejects.toThrow('access.device-revoked-ask-administrator');
  });

  it('exchanges a pairing code only once', async () => {
    const admin = await server.admin();
    const created = await admin.devices.create.mutate({ name: '三号门' });
    await server.client().devices.pair.mutate({ code: created.pairingCode });
    await expect(server.client().devices.pair.mutate({ code: created.pairingCode })).rejects.toThrow('devices.pairing-code-wrong-already-used');
  });

  it('refuses an expired pairing code', async () => {
    const admin = await server.admin();
    const created = await admin.devices.create.mutate({ name: '四号门' });
    const saved = server.clock.now;
    server.clock.now = new Date(saved.getTime() + 25 * 3_600_000);
    try {
      await expect(server.client().devices.pair.mutate({ code: created.pairingCode })).rejects.toThrow('devices.pairing-code-wrong-already-used');
    } finally {
      server.clock.now = saved;
    }
  });
});

describe('sync.pull', () => {
  it('brings the assigned session and the whole roster first, then only what changed', async () => {
    const first = await kiosk.client.sync.pull.query({ cursor: null });
    expect(first.sessions).toHaveLength(1);
    expect(first.sessions[0]).toMatchObject({ projectName: '急危重症诊疗新进展学习班' });
    expect(first.people).toHaveLength(200);
    const person = first.people[0]!;
    expect(person.photo).toMatch(/^data:image\/jpeg;base64,/);
    expect(person.credentials.map((c) => c.kind)).toEqual(expect.arrayContaining(['id-card', 'card-number']));
    // The kiosk gets no ID number in clear: not in the credentials, not anywhere in the roster.
    const sealed = await server.db.selectFrom('persons').select('id_number_enc').where('id', '=', person.id).executeTakeFirstOrThrow();
    const idNumber = server.vault.decrypt(sealed.id_number_enc);
    expect(JSON.stringify(first.people)).not.toContain(idNumber);

    const none = await kiosk.client.sync.pull.query({ cursor: first.cursor });
    expect(none.people).toEqual([]);

    const version = Number(first.cursor) + 1;
    await server.db.updateTable('counters').set({ value: version }).where('name', '=', 'change').execute();
    await server.db.updateTable('persons').set({ name: '改名测试', version }).where('id', '=', person.id).execute();
    const delta = await kiosk.client.sync.pull.query({ cursor: first.cursor });
    expect(delta.people.map((p) => p.name)).toEqual(['改名测试']);
  });
});

describe('GET /api/health', () => {
  it('answers 200 with the version and the database kind', async () => {
    const res = await fetch(`${server.url}/api/health`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ok', demo: false, version: '0.1.0', database: server.dialect });
  });
});
