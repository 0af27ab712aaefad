// Files travel as files (issue 10): the roster, the compliance list, a claim's evidence and the
// unit's seal come from GET /api/files/…, beside tRPC. Each download must keep the guards of the
// procedure it replaced: a signed-in account (never a kiosk's token), the role and the scope of the
// access table, the personal-data audit, and headers that keep personal data out of caches and
// the Chinese file name intact. Over HTTP, on the real app and SQLite file.
import { newId } from '@opencme/core';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { submitClaim } from '../../src/services/claims.ts';
import { createUser } from '../../src/repositories/users.ts';
import { DEMO_ADMIN, DEMO_CITY, DEMO_STAFF } from '../../src/seed.ts';
import { startServer, type TestServer } from '../harness.ts';
import { sheetRows } from '../pdf.ts';

// Seeding the demo and hashing passwords is slow when other work shares the two cores.
vi.setConfig({ hookTimeout: 180_000, testTimeout: 60_000 });

const EVIDENCE_NAME = '病例报告（第一页）.png';

let server: TestServer;
let adminCookie: string;
let cityCookie: string;
/** The admin of another hospital in the same city: same role, another unit. */
let otherUnitCookie: string;
/** A claim of the other hospital's own staff: within its admin's scope. */
let otherUnitClaim: string;
let kioskToken: string;
let hospitalId: string;
let sessionId: string;
let attendees: string[];
let evidence: { claimId: string; hash: string; bytes: Buffer };
let routes: Record<'roster' | 'evidence' | 'compliance' | 'seal' | 'print' | 'photo', string>;
/** A person of the hospital with a portrait. */
let pictured: string;

beforeAll(async () => {
  server = await startServer();
  const db = server.db;
  const now = server.clock.now;
  adminCookie = await server.login(DEMO_ADMIN);
  cityCookie = await server.login(DEMO_CITY);
  const hospital = await db.selectFrom('organisations').select(['id', 'parent_id']).where('kind', '=', 'institution').executeTakeFirstOrThrow();
  hospitalId = hospital.id;

  const otherHospital = newId();
  await db
    .insertInto('organisations')
    .values({
      id: otherHospital,
      kind: 'institution',
      name: '合肥市另一家医院',
      parent_id: hospital.parent_id,
      credit_code: null,
      region_code: null,
      created_at: now.toISOString(),
    })
    .execute();
  await createUser(db, {
    login: 'other-unit-admin',
    displayName: '另一家医院医教科',
    password: 'pw-other-unit',
    role: 'unit-admin',
    organisationId: otherHospital,
    now,
  });
  otherUnitCookie = await server.login({ login: 'other-unit-admin', password: 'pw-other-unit' });
  const otherPerson = newId();
  await db
    .insertInto('persons')
    .values({
      id: otherPerson,
      name: '另院职工',
      gender: 'female',
      ...server.vault.seal('340104199001010028'),
      phone: null,
      institution_id: otherHospital,
      department_id: null,
      title: null,
      category: 'nurse',
      cme_number: null,
      photo_hash: null,
      version: 0,
      created_at: now.toISOString(),
      updated_at: now.toISOString(),
    })
    .execute();
  const png = await sharp({ create: { width: 8, height: 8, channels: 3, background: '#3c3' } })
    .png()
    .toBuffer();
  const anyone = (await db.selectFrom('users').select('id').executeTakeFirstOrThrow()).id;
  otherUnitClaim = await submitClaim(db, {
    userId: anyone,
    personId: otherPerson,
    draft: { activity: 'paper', occurredOn: '2026-03-15', credits: 1, months: 0, description: '另院论文' },
    evidence: [{ fileName: 'x.png', bytes: png }],
    replacesId: null,
    at: now,
  });
  kioskToken = (await server.demoKiosk()).token;

  // Two of the hospital's staff came to one of its sessions.
  sessionId = (await db.selectFrom('sessions').select('id').executeTakeFirstOrThrow()).id;
  attendees = (
    await db.selectFrom('persons').select('id').where('institution_id', '=', hospitalId).where('registration_status', '=', 'approved').limit(2).execute()
  ).map((p) => p.id);
  await db
    .insertInto('attendance')
    .values(
      attendees.map((personId) => ({
        session_id: sessionId,
        person_id: personId,
        sign_in_at: '2026-11-22T00:55:00.000Z',
        sign_out_at: null,
        tap_count: 1,
        updated_at: now.toISOString(),
      })),
    )
    .execute();

  // A staff member's claim with one evidence file, named in Chinese.
  const staffCookie = await server.login(DEMO_STAFF);
  const bytes = await sharp({ create: { width: 20, height: 20, channels: 3, background: '#c33' } })
    .png()
    .toBuffer();
  const [upload] = await server.upload('evidence', [{ name: EVIDENCE_NAME, bytes, type: 'image/png' }], staffCookie);
  const { id: claimId } = await server
    .client({ cookie: staffCookie })
    .claims.submit.mutate({ activity: 'paper', occurredOn: '2026-03-15', credits: 3, months: 0, description: '论文：下载测试', evidence: [upload!] });
  const hash = (await db.selectFrom('claim_evidence').select('evidence_hash').where('claim_id', '=', claimId).executeTakeFirstOrThrow()).evidence_hash;
  evidence = { claimId, hash, bytes };

  const [seal] = await server.upload(
    'seal',
    [
      {
        name: '公章.png',
        bytes: await sharp({ create: { width: 30, height: 30, channels: 4, background: '#d00' } })
          .png()
          .toBuffer(),
        type: 'image/png',
      },
    ],
    adminCookie,
  );
  await server.client({ cookie: adminCookie }).proofs.setSeal.mutate({ fileId: seal! });

  pictured = (
    await db.selectFrom('persons').select('id').where('institution_id', '=', hospitalId).where('photo_hash', 'is not', null).executeTakeFirstOrThrow()
  ).id;
  routes = {
    roster: `/api/files/sessions/${sessionId}/roster`,
    evidence: `/api/files/claims/${claimId}/evidence/${hash}`,
    compliance: `/api/files/organisations/${hospitalId}/compliance/2026`,
    seal: '/api/files/unit-seal',
    print: '/api/files/print/some-job',
    photo: `/api/files/persons/${pictured}/photo`,
  };
});
afterAll(() => server.close());

const rosterExports = () =>
  server.db.selectFrom('audit_log').select(['entity_id', 'organisation_id', 'actor_organisation_id']).where('action', '=', 'session.export-roster').execute();
const evidenceViews = () => server.db.selectFrom('audit_log').select('entity_id').where('action', '=', 'claim.view-evidence').execute();

describe('who may download', () => {
  it('nobody signed in gets 401 and not a byte of the file, for every download', async () => {
    for (const route of Object.values(routes)) {
      const { res, bytes } = await server.download(route);
      expect(res.status, route).toBe(401);
      expect(res.headers.get('content-type'), route).toMatch(/^application\/json/);
      expect(res.headers.get('content-disposition'), route).toBeNull();
      expect(JSON.parse(bytes.toString('utf8'))).toMatchObject({ messageKey: 'access.sign-in-first' });
    }
    // A session cookie that is not (or no longer) a session opens nothing either.
    expect((await server.download(routes.roster, 'opencme_session=forged')).res.status).toBe(401);
  });

  it('a kiosk’s token cannot download: the kiosk syncs and nothing else', async () => {
    for (const route of Object.values(routes)) {
      const res = await fetch(`${server.url}${route}`, { headers: { authorization: `Bearer ${kioskToken}` } });
      expect(res.status, route).toBe(401);
      expect(res.headers.get('content-disposition'), route).toBeNull();
    }
  });

  it('another unit’s admin is refused this unit’s roster, evidence and compliance list, and nothing is audited as seen', async () => {
    const before = { exports: (await rosterExports()).length, views: (await evidenceViews()).length };
    for (const route of [routes.roster, routes.evidence, routes.compliance, routes.photo, `${routes.photo}?size=thumb`]) {
      const { res, bytes } = await server.download(route, otherUnitCookie);
      expect([403, 404], route).toContain(res.status);
      expect(res.headers.get('content-disposition'), route).toBeNull();
      expect(bytes.includes(evidence.bytes), route).toBe(false);
    }
    // Naming its own claim beside ours in the address does not widen the scope check.
    const smuggled = await server.download(`${routes.evidence}?claimIds=${otherUnitClaim}&claimIds=${otherUnitClaim}`, otherUnitCookie);
    expect([403, 404]).toContain(smuggled.res.status);
    expect(smuggled.bytes.includes(evidence.bytes)).toBe(false);
    // The seal route only ever answers with the caller's own unit's seal: the other unit has none.
    expect((await server.download(routes.seal, otherUnitCookie)).res.status).toBe(404);
    expect({ exports: (await rosterExports()).length, views: (await evidenceViews()).length }).toEqual(before);
  });

  it('a role the access table leaves out is refused even within scope', async () => {
    // The city is above the hospital, but the roster is the organising unit's alone.
    expect((await server.download(routes.roster, cityCookie)).res.status).toBe(403);
    // A staff member may not read a reviewer's evidence, even their own unit's.
    expect((await server.download(routes.evidence, await server.login(DEMO_STAFF))).res.status).toBe(403);
  });

  it('an account that has not yet changed its initial password downloads nothing', async () => {
    const db = server.db;
    const userId = await createUser(db, {
      login: 'fresh-admin',
      displayName: '新管理员',
      password: 'pw-fresh-admin',
      role: 'unit-admin',
      organisationId: hospitalId,
      now: server.clock.now,
    });
    await db.updateTable('users').set({ must_change_password: 1 }).where('id', '=', userId).execute();
    const { res } = await server.download(routes.roster, await server.login({ login: 'fresh-admin', password: 'pw-fresh-admin' }));
    expect(res.status).toBe(403);
  });
});

describe('what a download gives', () => {
  it('the roster, audited per person under the person’s unit before it leaves, with full ID numbers for the unit’s own admin', async () => {
    const before = (await rosterExports()).length;
    const { res, bytes } = await server.download(routes.roster, adminCookie);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
    const rows = await sheetRows(bytes);
    expect(rows).toHaveLength(attendees.length + 1);
    for (const row of rows.slice(1)) expect(row[1]).toMatch(/^\d{17}[\dX]$/);
    const lines = (await rosterExports()).slice(before);
    expect(lines.map((l) => l.entity_id).sort()).toEqual([...attendees].sort());
    expect(lines.every((l) => l.organisation_id === hospitalId && l.actor_organisation_id === hospitalId)).toBe(true);
  });

  it('the evidence as its reviewers saw it, byte for byte, each view audited under the claimant’s unit', async () => {
    const before = (await evidenceViews()).length;
    const { res, bytes } = await server.download(routes.evidence, cityCookie);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('image/png');
    expect(bytes.equals(evidence.bytes)).toBe(true);
    const claimant = await server.db.selectFrom('claims').select('person_id').where('id', '=', evidence.claimId).executeTakeFirstOrThrow();
    expect((await evidenceViews()).slice(before).map((l) => l.entity_id)).toEqual([claimant.person_id]);
  });

  it('the compliance list, filtered as asked, on the unit’s log', async () => {
    const { res, bytes } = await server.download(`${routes.compliance}?compliant=true`, adminCookie);
    expect(res.status).toBe(200);
    const rows = await sheetRows(bytes);
    expect(rows[0]).toEqual(['姓名', '科室', '职称', 'Ⅰ类学分', 'Ⅱ类学分', '合计', '是否达标', '计入达标率']);
    expect(rows.slice(1).every((r) => r[6] === '达标')).toBe(true);
    const logged = await server.db.selectFrom('audit_log').select('organisation_id').where('action', '=', 'verification.export').execute();
    expect(logged).toEqual([{ organisation_id: hospitalId }]);
  });

  it('a Chinese file name arrives intact (RFC 5987), with headers that keep personal data out of caches and the type unguessed', async () => {
    const named = async (route: string) => {
      const { res } = await server.download(route, adminCookie);
      const disposition = res.headers.get('content-disposition') ?? '';
      expect(disposition, route).toMatch(/^attachment;/);
      return { res, name: decodeURIComponent(disposition.match(/filename\*=UTF-8''([^;]+)/)?.[1] ?? '') };
    };
    const evidenceFile = await named(routes.evidence);
    expect(evidenceFile.name).toBe(EVIDENCE_NAME);
    expect((await named(routes.roster)).name).toBe(`签到名单-${sessionId}.xlsx`);
    expect((await named(routes.compliance)).name).toBe('达标情况-2026.xlsx');
    for (const route of [routes.roster, routes.evidence, routes.compliance]) {
      const { res } = await named(route);
      expect(res.headers.get('cache-control'), route).toBe('no-store');
      expect(res.headers.get('x-content-type-options'), route).toBe('nosniff');
    }
  });

  it('a spreadsheet is streamed as it is written, not held whole and sent with a length', async () => {
    const { res } = await server.download(routes.compliance, adminCookie);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-length')).toBeNull();
    expect(res.headers.get('transfer-encoding')).toBe('chunked');
  });

  it('a portrait, shown in the page: full size audited per view under the person’s unit, the review queue’s thumbnail not', async () => {
    const photoViews = () => server.db.selectFrom('audit_log').select(['entity_id', 'organisation_id']).where('action', '=', 'person.view-photo').execute();
    const before = (await photoViews()).length;
    const full = await server.download(routes.photo, cityCookie);
    expect(full.res.status).toBe(200);
    expect(full.res.headers.get('content-type')).toBe('image/jpeg');
    expect(full.res.headers.get('content-disposition')).toMatch(/^inline;/);
    expect(full.res.headers.get('cache-control')).toBe('no-store');
    expect(await sharp(full.bytes).metadata()).toMatchObject({ width: 358, height: 441 });
    expect((await photoViews()).slice(before)).toEqual([{ entity_id: pictured, organisation_id: hospitalId }]);
    const thumb = await server.download(`${routes.photo}?size=thumb`, cityCookie);
    expect(await sharp(thumb.bytes).metadata()).toMatchObject({ width: 120, height: 148 });
    expect((await photoViews()).length).toBe(before + 1);
    // The detail names the download, and carries no image of its own.
    const detail = await server.client({ cookie: adminCookie }).registry.person.query({ personId: pictured });
    expect(detail.photo).toBe(routes.photo);
  });

  it('the unit’s own seal, to its admin', async () => {
    const { res, bytes } = await server.download(routes.seal, adminCookie);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('image/png');
    expect((await sharp(bytes).metadata()).width).toBe(30);
  });
});
