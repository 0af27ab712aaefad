// Online learning end to end: a platform registered by the organiser's admin sends signed watch
// events over HTTP (duplicates, retries, overlaps, shuffled batches); the watch time adds up per
// person and China day; core's online-hours rule decides attendance, which the organiser reads like
// door attendance and which reaches the credits the organiser submits.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import ExcelJS from 'exceljs';
import { signRequest } from '../src/online-signature.ts';
import { DEMO_ADMIN } from '../src/seed.ts';
import { commit, idNumberFor, preview } from './exchange/files.ts';
import { type Client, startServer, type TestServer } from './harness.ts';
import { addOnlineSession, shuffled, sign, simulatedPlatform, type SimulatedEvent, watchEvents } from './online-platform.ts';

let server: TestServer;
let admin: Client;
let session: Awaited<ReturnType<typeof addOnlineSession>>;
let platform: ReturnType<typeof simulatedPlatform>;
/** Two approved staff of the organiser: one named by ID number, one by CME card number. */
let six: { personId: string; ref: SimulatedEvent['person'] };
let short: { personId: string; ref: SimulatedEvent['person'] };
const DAY = '2026-11-23';

beforeAll(async () => {
  server = await startServer();
  // The evening of the course day, China time: the platform reports the day's watching.
  server.clock.now = new Date(`${DAY}T19:00:00+08:00`);
  admin = await server.admin();
  const unit = await server.db.selectFrom('organisations').select('id').where('kind', '=', 'institution').orderBy('created_at').executeTakeFirstOrThrow();
  session = await addOnlineSession(server, unit.id, DAY);
  const staff = await server.db
    .selectFrom('persons')
    .select(['id', 'id_number_enc', 'cme_number'])
    .where('institution_id', '=', unit.id)
    .where('registration_status', '=', 'approved')
    .where('cme_number', 'is not', null)
    .orderBy('cme_number')
    .limit(2)
    .execute();
  six = { personId: staff[0]!.id, ref: { idNumber: server.vault.decrypt(staff[0]!.id_number_enc) } };
  short = { personId: staff[1]!.id, ref: { cardNumber: staff[1]!.cme_number! } };
  const registered = await admin.online.registerPlatform.mutate({ name: '好医生继续教育平台' });
  platform = simulatedPlatform({ url: server.url, platformId: registered.id, secret: registered.secret, now: () => server.clock.now });
});
afterAll(() => server?.close());

describe('watch events from a simulated platform', () => {
  it('adds up 6 h in a day to complete and 5 h 50 min to not yet, through duplicates and out-of-order events', async () => {
    // 6 h in the morning and afternoon, in 25-minute chunks overlapping their neighbour by a minute.
    const sixHours = [
      ...watchEvents({ prefix: 'a-am', sessionId: session.sessionId, person: six.ref, day: DAY, from: '08:00', minutes: 180, chunk: 25, overlap: true }),
      ...watchEvents({ prefix: 'a-pm', sessionId: session.sessionId, person: six.ref, day: DAY, from: '13:00', minutes: 180, chunk: 25, overlap: true }),
    ];
    // The same player reporting one stretch twice under another event id: counted once.
    const rewatched = { ...sixHours[3]!, eventId: 'a-again' };
    const fiveFifty = [
      ...watchEvents({ prefix: 'b-am', sessionId: session.sessionId, person: short.ref, day: DAY, from: '08:00', minutes: 180, chunk: 30 }),
      ...watchEvents({ prefix: 'b-pm', sessionId: session.sessionId, person: short.ref, day: DAY, from: '13:00', minutes: 170, chunk: 30 }),
    ];
    const stranger: SimulatedEvent = {
      eventId: 'x-1',
      sessionId: session.sessionId,
      person: { idNumber: '110101199003077777' },
      start: `${DAY}T08:00:00+08:00`,
      seconds: 3600,
    };
    const all = shuffled([...sixHours, rewatched, ...fiveFifty, stranger]);

    const first = await platform.send(all.slice(0, 15));
    expect(first.status).toBe(200);
    expect(first.body.results).toHaveLength(15);
    // A retry of the first batch (a lost reply), re-signed a moment later as a new request, then
    // the rest with a part of the first batch again, in another order.
    server.clock.now = new Date(server.clock.now.getTime() + 2000);
    const retry = await platform.send(all.slice(0, 15));
    expect(retry.body).toMatchObject({ stored: 0, duplicates: 15 - first.body.unknownPersons! });
    const rest = await platform.send(shuffled([...all.slice(15), ...all.slice(5, 10)], 11));
    expect(rest.status).toBe(200);
    expect(rest.body.duplicates).toBe(5);

    const results = [...first.body.results!, ...rest.body.results!];
    expect(results.find((r) => r.eventId === 'x-1')).toEqual({ eventId: 'x-1', status: 'unknown-person' });
    expect(results.filter((r) => r.status === 'stored')).toHaveLength(all.length - 1);

    const { people, online } = await admin.sessions.attendance.query({ sessionId: session.sessionId });
    expect(online).toMatchObject({ sessionDays: 1, requiredMinutes: 360 });
    const of = (personId: string) => people.find((p) => p.personId === personId);
    expect(of(six.personId)).toMatchObject({ status: 'complete', presenceMinutes: 360 });
    expect(of(short.personId)).toMatchObject({ status: 'incomplete', presenceMinutes: 350, shortfalls: ['too-short'] });
    expect(online!.people.find((p) => p.personId === six.personId)!.perDay).toEqual([{ date: DAY, minutes: 360 }]);
    // One row per event id: the retries and repeats were acknowledged, not stored again.
    const rows = await server.db.selectFrom('online_watch_events').select('event_id').where('session_id', '=', session.sessionId).execute();
    expect(rows).toHaveLength(all.length - 1);
  });

  it('carries the complete attendance, not the short one, into the credits the organiser submits', async () => {
    for (const personId of [six.personId, short.personId]) {
      await server.db
        .insertInto('assessment_results')
        .values({
          project_id: session.projectId,
          person_id: personId,
          passed: 1,
          score: null,
          recorded_by: 'test',
          recorded_at: server.clock.now.toISOString(),
        })
        .execute();
    }
    await server.db
      .updateTable('projects')
      .set({ status: 'reported', report_submitted_at: server.clock.now.toISOString() })
      .where('id', '=', session.projectId)
      .execute();
    await admin.projects.submitCredits.mutate({ projectId: session.projectId });
    const awards = await server.db.selectFrom('credit_awards').select('person_id').where('project_id', '=', session.projectId).execute();
    expect(awards.map((a) => a.person_id)).toEqual([six.personId]);
  });
});

it('signs the worked example of docs/online-learning.md as the page says, in the server and in the simulated platform', () => {
  const page = fs.readFileSync(path.resolve(import.meta.dirname, '../../../docs/online-learning.md'), 'utf8');
  const body = /body \(one line,\nno trailing newline\):\n\n```\n(.+)\n```/.exec(page)![1]!;
  const expected = /X-OpenCME-Signature: (v1=[0-9a-f]{64})`/.exec(page)![1]!;
  const request = { method: 'POST', path: '/api/online/v1/watch-events', timestamp: '1795392000', body };
  expect(signRequest('test-secret-do-not-use', request)).toBe(expected);
  expect(sign('test-secret-do-not-use', 'POST', request.path, request.timestamp, body)).toBe(expected);
});

describe('watch time uploaded as a file (a platform that can only send files)', () => {
  it('previews, commits, is imported again without change, and is undone', async () => {
    const unit = await server.db.selectFrom('organisations').select('id').where('kind', '=', 'institution').orderBy('created_at').executeTakeFirstOrThrow();
    const day = '2026-11-24';
    const fileSession = await addOnlineSession(server, unit.id, day);
    const cookie = await server.login(DEMO_ADMIN);
    const book = new ExcelJS.Workbook();
    const sheet = book.addWorksheet('观看记录');
    sheet.addRow(['身份证号码', '继教卡号', '开始时间', '结束时间', '观看时长（分钟）']);
    const idNumber = (six.ref as { idNumber: string }).idNumber;
    const card = (short.ref as { cardNumber: string }).cardNumber;
    // A date-time cell as Excel keeps it (the wall time shown, read as UTC), and text as platforms export it.
    sheet.addRow([idNumber, null, new Date(`${day}T08:00:00Z`), new Date(`${day}T11:00:00Z`), null]);
    sheet.addRow([idNumber, null, `${day} 13:00`, null, 180]);
    sheet.addRow([null, card, `${day} 08:00`, `${day} 11:00`, null]);
    sheet.addRow([null, card, `${day} 13:00`, `${day} 15:50`, null]);
    const bytes = Buffer.from(await book.xlsx.writeBuffer());
    const send = () => preview(server, cookie, { name: '观看时长.xlsx', bytes }, { kind: 'watch-time', project: fileSession.projectId });

    const first = await send();
    expect(first.body.errors).toEqual([]);
    expect(first.body.summary).toEqual({ create: 4, update: 0, unchanged: 0, rejected: 0 });
    const committed = await commit(server, cookie, first.body.previewId!);
    expect(committed.status).toBe(200);
    const statusOf = async () => {
      const { people } = await admin.sessions.attendance.query({ sessionId: fileSession.sessionId });
      return Object.fromEntries(people.map((p) => [p.personId, [p.status, p.presenceMinutes]]));
    };
    expect(await statusOf()).toEqual({ [six.personId]: ['complete', 360], [short.personId]: ['incomplete', 350] });

    expect((await send()).body.summary).toEqual({ create: 0, update: 0, unchanged: 4, rejected: 0 });

    await admin.exchange.undo.mutate({ batchId: committed.body.batchId! });
    expect(await statusOf()).toEqual({ [six.personId]: ['absent', 0], [short.personId]: ['absent', 0] });
  });

  it('names the row of a day without a session and of a person the project does not admit', async () => {
    const cookie = await server.login(DEMO_ADMIN);
    const csv = `身份证号,开始时间,观看时长（分钟）\n${(six.ref as { idNumber: string }).idNumber},2026-12-01 08:00,60\n${idNumberFor(4242, '110101')},${DAY} 08:00,60\n`;
    const reply = await preview(
      server,
      cookie,
      { name: '观看时长.csv', bytes: new TextEncoder().encode(csv) },
      { kind: 'watch-time', project: session.projectId },
    );
    expect(reply.body.errors).toMatchObject([
      { row: 2, messageKey: 'exchange.watch-time.no-session-that-day' },
      { row: 3, messageKey: 'exchange.watch-time.unknown-person' },
    ]);
  });
});
