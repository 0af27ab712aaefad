// Security issue 9: "a copy of the database without the keys reveals no ID number". The attack is
// run as an attacker would: the database file alone, the number format (GB 11643), the digest
// the old kiosks used, and a brute force over one region's birth dates and order numbers.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { idNumberCheckChar, importRosterKey, maskIdNumber, rosterKey } from '@opencme/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTaps, startServer, type TestServer } from '../harness.ts';

/** One region of the demo seed (seed.ts REGIONS); the attacker sweeps this one. */
const REGION = '340102';
/** The demo staff are born 1965–1999: the span the attacker fills in where a row gives no date. */
const SPAN = { from: Date.UTC(1965, 0, 1), to: Date.UTC(1999, 11, 31) };
/** With no row to start from, the blind sweep of digests: three years × every order number. */
const BLIND = { from: Date.UTC(1990, 0, 1), to: Date.UTC(1992, 11, 31) };
const DAY = 86_400_000;

const withCheck = (first17: string) => first17 + idNumberCheckChar(first17);
/** The kiosk digest of before issue 9 (`rosterKey`): SHA-256 with no key. */
const unkeyedDigest = (idNumber: string) => createHash('sha256').update(`opencme-id-card:${idNumber}`).digest('hex');

function* days(range: { from: number; to: number }): Generator<string> {
  for (let t = range.from; t <= range.to; t += DAY) yield new Date(t).toISOString().slice(0, 10).replaceAll('-', '');
}

interface Loot {
  /** ID numbers that an oracle in the file confirmed. */
  recovered: Set<string>;
  tried: number;
  /** The watched numbers the sweep tried: the attack proves something only if it reached real numbers. */
  reached: Set<string>;
}

/** The attacker's side: a database file and its bytes, no keys, no server. */
function bruteForce(file: string, watched: ReadonlySet<string>): Loot {
  const bytes = [file, `${file}-wal`]
    .filter((f) => fs.existsSync(f))
    .map((f) => fs.readFileSync(f).toString('latin1'))
    .join('\n');
  const plaintext = new Set(bytes.match(/\d{17}[\dX]/g) ?? []);
  const hexes = new Set(bytes.match(/[0-9a-f]{64}/g) ?? []);
  const recovered = new Set<string>();
  const reached = new Set<string>();
  let tried = 0;
  const test = (candidate: string) => {
    tried += 1;
    if (watched.has(candidate)) reached.add(candidate);
    if (plaintext.has(candidate) || hexes.has(unkeyedDigest(candidate))) recovered.add(candidate);
  };

  const span = [...days(SPAN)];
  const orderNumbers = Array.from({ length: 1000 }, (_, i) => String(i).padStart(3, '0'));
  // Every row that holds something shaped like a masked ID number, with any date beside it.
  const db = new Database(file, { readonly: true, fileMustExist: true });
  const tables = db.prepare(`select name from sqlite_master where type = 'table'`).pluck().all() as string[];
  for (const table of tables) {
    for (const row of db.prepare(`select * from "${table}"`).all() as Record<string, unknown>[]) {
      const texts = Object.values(row).filter((v): v is string => typeof v === 'string');
      const dates = texts.flatMap((v) => /^(\d{4})-(\d{2})-(\d{2})$/.exec(v)?.slice(1).join('') ?? []);
      for (const mask of texts.filter((v) => /^[\dX]*\*+[\dX]*$/.test(v) && v.length === 18)) {
        const known = (from: number, to: number) => !mask.slice(from, to).includes('*');
        const region = known(0, 6) ? mask.slice(0, 6) : REGION;
        if (![...region].every((c, i) => mask[i] === '*' || mask[i] === c)) continue;
        const births = known(6, 14) ? [mask.slice(6, 14)] : dates.length > 0 ? dates : span;
        const orders = known(14, 17) ? [mask.slice(14, 17)] : orderNumbers;
        const candidates: string[] = [];
        for (const birth of births) {
          for (const order of orders) {
            const candidate = withCheck(region + birth + order);
            if (mask[17] === '*' || mask[17] === candidate[17]) candidates.push(candidate);
          }
        }
        for (const candidate of candidates) test(candidate);
        // The stored fields leave one number only: that is the number.
        if (candidates.length === 1) recovered.add(candidates[0]!);
      }
    }
  }
  db.close();

  // Digests that no row gives a start for (a tap of a card nobody holds): the blind sweep.
  for (const birth of days(BLIND)) {
    for (const order of orderNumbers) test(withCheck(REGION + birth + order));
  }
  return { recovered, tried, reached };
}

let server: TestServer;
let copy: string;
let truth: string[];

beforeAll(async () => {
  server = await startServer();
  const kiosk = await server.demoKiosk();
  const pulled = await kiosk.client.sync.pull.query({ cursor: null });
  const sessionId = pulled.sessions[0]!.id;
  const persons = await server.db.selectFrom('persons').select(['id', 'id_number_enc', 'registration_status']).execute();
  const numbers = new Map(persons.map((p) => [p.id, server.vault.decrypt(p.id_number_enc)]));
  const [holder] = pulled.people;
  // Taps as kiosks of every age send them: a number in clear, and the old unkeyed digest of a
  // holder and of a card nobody holds, both in the attacker's sweep.
  const strangers = [withCheck('34010219900505001'), withCheck('34010219910707002')];
  const cards = [
    { kind: 'id-card' as const, value: numbers.get(holder!.id)! },
    { kind: 'id-card' as const, value: strangers[0]! },
    { kind: 'id-card' as const, value: `id-card#${unkeyedDigest(strangers[1]!)}` },
  ];
  await kiosk.client.sync.push.mutate({ taps: makeTaps({ deviceId: kiosk.deviceId, sessionId, cards }) });
  truth = [...numbers.values(), ...strangers];

  server.sqlite.pragma('wal_checkpoint(TRUNCATE)');
  copy = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'opencme-stolen-')), 'opencme.sqlite');
  fs.copyFileSync(server.file, copy);
}, 60_000);
afterAll(async () => {
  await server.close();
  fs.rmSync(path.dirname(copy), { recursive: true, force: true });
});

describe('a masked ID number', () => {
  it('hides the county and the birth date, and no birth date goes out beside it', async () => {
    const admin = await server.admin();
    const [row] = (
      await admin.registry.staff.query({
        organisationId: (await server.db.selectFrom('organisations').select('id').where('kind', '=', 'institution').executeTakeFirstOrThrow()).id,
        pageSize: 1,
      })
    ).rows;
    const person = await server.db.selectFrom('persons').select(['id', 'id_number_enc']).where('id', '=', row!.id).executeTakeFirstOrThrow();
    const idNumber = server.vault.decrypt(person.id_number_enc);
    const birth = idNumber.slice(6, 14);
    const dated = `${birth.slice(0, 4)}-${birth.slice(4, 6)}-${birth.slice(6)}`;
    expect(row!.maskedIdNumber).toBe(`${idNumber.slice(0, 3)}${'*'.repeat(11)}${idNumber.slice(-4)}`);
    // Neither the detail (for admins of the city and the province too) nor the card sheet for the
    // card maker: the mask and the birth date together are the number.
    for (const answer of [await admin.registry.person.query({ personId: person.id }), await admin.registry.cardSheet.query({ personIds: [person.id] })]) {
      const text = JSON.stringify(answer);
      expect(text).toContain(maskIdNumber(idNumber));
      expect(text).not.toContain(dated);
      expect(text).not.toContain(birth);
    }
  });
});

describe('a kiosk’s roster', () => {
  it('names ID cards only under the kiosk’s own key, holds no number, mask or unkeyed digest, and re-pairing replaces the key', async () => {
    const admin = await server.admin();
    const created = await admin.devices.create.mutate({ name: '安全测试签到机' });
    const pair = async (code: string) => {
      const paired = await server.client().devices.pair.mutate({ code });
      return server.client({ authorization: `Bearer ${paired.token}` });
    };
    const kiosk = await pair(created.pairingCode);
    const first = await kiosk.sync.pull.query({ cursor: null });
    expect(first.deviceKey).toBeDefined();
    const numbers = await Promise.all(
      first.people.map(async (p) =>
        server.vault.decrypt((await server.db.selectFrom('persons').select('id_number_enc').where('id', '=', p.id).executeTakeFirstOrThrow()).id_number_enc),
      ),
    );
    const text = JSON.stringify(first.people);
    for (const n of numbers) {
      expect(text).not.toContain(n);
      expect(text).not.toContain(unkeyedDigest(n));
    }
    // Not even masked, in any style.
    expect(text).not.toMatch(/\d\*{4,}/);
    // The kiosk at the door computes the same digest with the key it was given.
    const key = await importRosterKey(Buffer.from(first.deviceKey!.key, 'base64url'));
    const idCard = (p: (typeof first.people)[number]) => p.credentials.find((c) => c.kind === 'id-card')!.key;
    expect(idCard(first.people[0]!)).toBe(await rosterKey({ kind: 'id-card', value: numbers[0]! }, key));

    // Once the kiosk pulled with the key's id, the key is not sent again, whoever holds the token.
    await kiosk.sync.pull.query({ cursor: first.cursor, deviceKeyId: first.deviceKey!.id });
    expect((await kiosk.sync.pull.query({ cursor: null })).deviceKey).toBeUndefined();

    // Re-pairing (a replaced or stolen tablet): the old token is refused, the new kiosk's digests are under a new key.
    const { pairingCode } = await admin.devices.repair.mutate({ deviceId: created.id });
    await expect(kiosk.sync.pull.query({ cursor: null })).rejects.toThrow();
    const replaced = await (await pair(pairingCode)).sync.pull.query({ cursor: null });
    expect(replaced.deviceKey!.key).not.toBe(first.deviceKey!.key);
    expect(idCard(replaced.people[0]!)).not.toBe(idCard(first.people[0]!));
  }, 30_000);
});

// Last: the sweep holds the event loop for seconds, which the server's open connections would not survive.
describe('a copy of the database without the keys', () => {
  it('yields no ID number to a brute force over one region’s birth dates and order numbers', () => {
    const started = performance.now();
    const { recovered, tried, reached } = bruteForce(copy, new Set(truth));
    console.log(`[at-rest] ${tried.toLocaleString('en-US')} candidates tried in ${Math.round(performance.now() - started)} ms`);
    // The sweep did reach real numbers: staff of the region, and the cards nobody holds.
    expect(reached.size).toBeGreaterThan(10);
    expect(truth.filter((n) => recovered.has(n))).toEqual([]);
    // About 10 s on one idle core; a machine shared with other work takes longer.
  }, 180_000);
});
