// Attendees from other units and provinces: a tap of someone the door did not know is kept and
// given to her once she is enrolled; an external attendee (院外人员) typed in by her ID number is
// recorded by the organiser, earns the project's credits when they are approved, and gets a
// certificate (电子学分证书) that verifies like any proof. Real server, real SQLite, over HTTP.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { publishedProofKeysSchema, type Tap, verifyProofCode } from '@opencme/core';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { DEMO_ADMIN, DEMO_PROVINCE, DEMO_STAFF_B } from '../src/seed.ts';
import { type Client, makeTaps, startServer, type TestServer } from './harness.ts';
import { printedCode } from './pdf.ts';

vi.setConfig({ testTimeout: 60_000 });

let server: TestServer;
let kiosk: Awaited<ReturnType<TestServer['demoKiosk']>>;
let sessionId: string;
let projectId: string;
let seq = 0;

/** The external attendee: a doctor from Shenzhen, with no record in this province. */
const EXTERNAL = { name: '林嘉怡', idNumber: '44030519900101123X', workplace: '深圳市人民医院' };

beforeAll(async () => {
  server = await startServer();
  kiosk = await server.demoKiosk();
  const pulled = await kiosk.client.sync.pull.query({ cursor: null });
  sessionId = pulled.sessions[0]!.id;
  projectId = pulled.sessions[0]!.projectId;
}, 180_000);
afterAll(() => server.close());

/** A tap of the demo kiosk at a moment of the session (08:00–18:00 Beijing time on 2026-11-22). */
function tap(credential: Tap['credential'], at: string, source: Tap['source'] = 'reader'): Tap {
  const [made] = makeTaps({ deviceId: kiosk.deviceId, sessionId, cards: [credential], firstSeq: ++seq, start: new Date(at) });
  return { ...made!, source };
}

const tapsOf = (personId: string) => server.db.selectFrom('taps').select(['person_id', 'status']).where('person_id', '=', personId).execute();

describe('attendees the door did not know', () => {
  it('keeps the tap of another unit’s nurse who was not enrolled, and gives it to her when she enrols', async () => {
    const nurse = await server.db.selectFrom('persons').select(['id', 'cme_number']).where('name', '=', DEMO_STAFF_B.name).executeTakeFirstOrThrow();
    const early = tap({ kind: 'card-number', value: nurse.cme_number! }, '2026-11-22T00:05:00Z');
    await kiosk.client.sync.push.mutate({ taps: [early] });
    const kept = await server.db.selectFrom('taps').select(['person_id', 'flag_reasons']).where('tap_id', '=', early.tapId).executeTakeFirstOrThrow();
    expect(kept).toEqual({ person_id: null, flag_reasons: 'unknown-credential' });

    const staffB = server.client({ cookie: await server.login(DEMO_STAFF_B) });
    await staffB.enrolment.enrolSelf.mutate({ projectId });
    expect(await staffB.enrolment.mine.query()).toEqual([projectId]);
    expect(await tapsOf(nurse.id)).toEqual([{ person_id: nurse.id, status: 'accepted' }]);
    // Her next tap is hers at once.
    await kiosk.client.sync.push.mutate({ taps: [tap({ kind: 'card-number', value: nurse.cme_number! }, '2026-11-22T09:55:00Z')] });
    expect(await tapsOf(nurse.id)).toHaveLength(2);
    const attendance = await server.db
      .selectFrom('attendance')
      .select('status')
      .where('person_id', '=', nurse.id)
      .where('session_id', '=', sessionId)
      .executeTakeFirstOrThrow();
    expect(attendance.status).toBe('complete');
  });

  it('records an external attendee by her typed ID number, credits her when the credits are approved, and certifies it', async () => {
    // At the door: her ID number typed in (the kiosk seals it like a read ID card's).
    await kiosk.client.sync.push.mutate({
      taps: [
        tap({ kind: 'id-card', value: EXTERNAL.idNumber }, '2026-11-22T00:02:00Z', 'manual'),
        tap({ kind: 'id-card', value: EXTERNAL.idNumber }, '2026-11-22T09:58:00Z', 'manual'),
      ],
    });
    let admin = await server.admin();
    const recorded = await admin.enrolment.recordExternal.mutate({ projectId, ...EXTERNAL });
    expect(recorded.registered).toBe(false);
    const external = await server.db
      .selectFrom('persons')
      .select(['id', 'id_number_enc', 'registration_status', 'workplace'])
      .where('id', '=', recorded.personId)
      .executeTakeFirstOrThrow();
    expect(external).toMatchObject({ registration_status: 'external', workplace: EXTERNAL.workplace });
    // Encrypted at rest like every ID number.
    expect(external.id_number_enc).not.toContain(EXTERNAL.idNumber);
    expect(server.vault.decrypt(external.id_number_enc)).toBe(EXTERNAL.idNumber);
    expect(await tapsOf(external.id)).toHaveLength(2);
    // Recorded twice, she is still one person.
    expect((await admin.enrolment.recordExternal.mutate({ projectId, ...EXTERNAL })).personId).toBe(external.id);

    const list = await admin.enrolment.list.query({ projectId });
    expect(list.people.find((p) => p.personId === external.id)).toMatchObject({
      name: EXTERNAL.name,
      external: true,
      workplace: EXTERNAL.workplace,
      passed: null,
    });
    // She is no one's staff: not in the hospital's staff list, not on any kiosk's roster.
    const hospital = (await server.db.selectFrom('persons').select('institution_id').where('id', '=', external.id).executeTakeFirstOrThrow()).institution_id;
    expect((await admin.registry.staff.query({ organisationId: hospital, query: EXTERNAL.name })).rows).toEqual([]);
    expect((await kiosk.client.sync.pull.query({ cursor: null })).people.map((p) => p.id)).not.toContain(external.id);

    await admin.enrolment.assessExternal.mutate({ projectId, personId: external.id, passed: true });
    // The day after: the report, the credits, the province's approval.
    server.clock.now = new Date('2026-11-23T02:00:00Z');
    admin = await server.admin();
    await admin.projects.report.mutate({ projectId, summary: '按计划举办', attachments: [] });
    await admin.projects.submitCredits.mutate({ projectId });
    const province = server.client({ cookie: await server.login(DEMO_PROVINCE) });
    await province.projects.reviewCredits.mutate({ projectId, decision: 'approve', reason: null });

    const after = await admin.enrolment.list.query({ projectId });
    const credits = after.people.find((p) => p.personId === external.id)!.credits;
    expect(credits).toEqual([expect.objectContaining({ credits: 2, creditClass: 'I' })]);

    const cookie = await server.login(DEMO_ADMIN);
    const job = await admin.proofs.printCertificate.mutate({ ledgerEntryId: credits[0]!.id });
    let url: string | null = null;
    for (let i = 0; i < 300 && !url; i++) {
      url = (await admin.proofs.job.query({ jobId: job.jobId })).downloadUrl;
      if (!url) await new Promise((r) => setTimeout(r, 100));
    }
    const pdf = Buffer.from(await (await fetch(`${server.url}${url}`, { headers: { cookie } })).arrayBuffer());
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'opencme-enrolment-'));
    const file = path.join(dir, 'certificate.pdf');
    fs.writeFileSync(file, pdf);
    const text = execFileSync('pdftotext', [file, '-'], { encoding: 'utf8' });
    fs.rmSync(dir, { recursive: true, force: true });
    expect(text).toContain('继续医学教育电子学分证书');
    expect(text).toContain(EXTERNAL.name);
    const keys = publishedProofKeysSchema.parse(await (await fetch(`${server.url}/.well-known/opencme-proof-keys.json`)).json()).keys;
    const check = await verifyProofCode(printedCode(text), keys);
    // The whole check in the assertion: a refusal shows its reason (and the code read off the page).
    expect({ code: printedCode(text), check }).toMatchObject({
      check: { ok: true, payload: { kind: 'attendance-certificate', name: EXTERNAL.name, credits: 2 } },
    });
  });
});

describe('an external attendee who later joins a unit of the province', () => {
  it('registers on the same record, and her credits stay with her', async () => {
    const external = await server.db.selectFrom('persons').select(['id', 'registration_status']).where('name', '=', EXTERNAL.name).executeTakeFirstOrThrow();
    expect(external.registration_status).toBe('external');
    const hospital = (await server.db.selectFrom('organisations').select('id').where('kind', '=', 'institution').orderBy('id').executeTakeFirstOrThrow()).id;
    const department = (await server.db.selectFrom('organisations').select('id').where('parent_id', '=', hospital).orderBy('id').executeTakeFirstOrThrow()).id;
    const portrait = await sharp({ create: { width: 358, height: 441, channels: 3, background: '#c8d8e8' } })
      .jpeg({ quality: 80 })
      .toBuffer();
    const [photoUpload] = await server.upload('photo', [{ name: 'photo.jpg', bytes: portrait, type: 'image/jpeg' }]);
    const { statusToken } = await server.client().registration.submit.mutate({
      institutionId: hospital,
      departmentId: department,
      name: EXTERNAL.name,
      idNumber: EXTERNAL.idNumber,
      phone: '13955500077',
      title: '主治医师',
      category: 'doctor',
      specialty: '急诊医学',
      degree: 'master',
      photoUpload: photoUpload!,
      password: 'Lin-jiayi-2026',
    });
    // Not taken for a second registration of someone already registered: her record now awaits review.
    expect(await server.client().registration.status.query({ token: statusToken })).toMatchObject({ status: 'pending', name: EXTERNAL.name });
    const after = await server.db
      .selectFrom('persons')
      .select(['id', 'registration_status', 'department_id'])
      .where('id', '=', external.id)
      .executeTakeFirstOrThrow();
    expect(after).toEqual({ id: external.id, registration_status: 'pending', department_id: department });
    expect(await server.db.selectFrom('persons').select('id').where('name', '=', EXTERNAL.name).execute()).toHaveLength(1);
    const credits = await server.db.selectFrom('ledger_entries').select('credits').where('person_id', '=', external.id).execute();
    expect(credits).toEqual([{ credits: 2 }]);
  });
});

describe('enrolment is refused', () => {
  it('in a finished project', async () => {
    const staffB: Client = server.client({ cookie: await server.login(DEMO_STAFF_B) });
    const catalogue = await server.client().enrolment.catalogue.query();
    expect(catalogue.map((p) => p.id)).not.toContain(projectId);
    await expect(staffB.enrolment.enrolSelf.mutate({ projectId })).rejects.toMatchObject({ message: 'enrolment.finished' });
  });
});
