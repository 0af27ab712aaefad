// The province's side of verification (issue 13), end to end over HTTP: the unit submits, the city
// forwards, the province returns it with a reason or accepts it (备案); the accepted results are
// frozen in a snapshot the proofs and the HR hand-off read; the hand-off downloads as signed JSON
// and xlsx and an HR system pulls the same rows and signature with a token; credits never move
// between CME years.
import { type HrHandoff, publishedProofKeysSchema, verifyHrHandoff } from '@opencme/core';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_CITY, DEMO_PROVINCE, DEMO_REVIEWER } from '../src/seed.ts';
import { issueCreditProofs } from '../src/repositories/proofs.ts';
import { submitClaim } from '../src/services/claims.ts';
import { credit } from './fixtures.ts';
import { type Client, startServer, type TestServer } from './harness.ts';

let server: TestServer;
let unit: Client;
let city: Client;
let province: Client;
let provinceCookie: string;
let hospital: string;
let cityId: string;
let runId: string;

beforeAll(async () => {
  server = await startServer();
  unit = await server.admin();
  city = server.client({ cookie: await server.login(DEMO_CITY) });
  provinceCookie = await server.login(DEMO_PROVINCE);
  province = server.client({ cookie: provinceCookie });
  hospital = (await server.db.selectFrom('organisations').select('id').where('kind', '=', 'institution').executeTakeFirstOrThrow()).id;
  cityId = (await server.db.selectFrom('users').select('organisation_id').where('login', '=', DEMO_CITY.login).executeTakeFirstOrThrow()).organisation_id;
});
afterAll(() => server.close());

const stateOf = async (who: Client, organisationId: string) =>
  (await who.verification.runs.query({ organisationId, cmeYear: 2025 })).find((r) => r.id === runId)!;

async function pull(query: string, token: string | null) {
  const res = await fetch(`${server.url}/api/hr/v1/results?${query}`, { headers: token ? { authorization: `Bearer ${token}` } : {} });
  return { status: res.status, body: (await res.json()) as HrHandoff & { messageKey?: string } };
}

describe('unit → city → province', () => {
  it('returns a forwarded verification with its reason, which the unit and the city read; the unit re-runs and submits again', async () => {
    runId = (await unit.verification.run.mutate({ organisationId: hospital, cmeYear: 2025, round: 'year-end' })).run.id;
    await unit.verification.submit.mutate({ runId });
    // Nothing to decide before the city has forwarded it.
    await expect(province.verification.accept.mutate({ runId })).rejects.toMatchObject({ message: 'verification.decide-only-forwarded' });
    await city.verification.forward.mutate({ runIds: [runId] });
    await province.verification.return.mutate({ runId, reason: '护理部人数与花名册不符，请核对后重报' });

    for (const [who, org] of [
      [unit, hospital],
      [city, cityId],
    ] as const) {
      expect(await stateOf(who, org)).toMatchObject({ status: 'returned', return_reason: '护理部人数与花名册不符，请核对后重报' });
    }
    // A returned verification is decided once: it must come up again first.
    await expect(province.verification.accept.mutate({ runId })).rejects.toMatchObject({ data: { code: 'CONFLICT' } });
    const log = await server.db.selectFrom('audit_log').select(['action', 'organisation_id', 'after']).where('entity_id', '=', runId).execute();
    expect(log).toContainEqual(expect.objectContaining({ action: 'verification.return', organisation_id: hospital }));

    // Returned: the unit may re-run (the ledger moved meanwhile) and submit again.
    const again = await unit.verification.run.mutate({ organisationId: hospital, cmeYear: 2025, round: 'year-end' });
    expect(again.run.id).toBe(runId);
    expect(again.run.status).toBe('draft');
    await unit.verification.submit.mutate({ runId });
    await city.verification.forward.mutate({ runIds: [runId] });
  });

  it('accepts (备案) and freezes the results: a later ledger change alters neither the snapshot nor the proofs of that year', async () => {
    const before = (await unit.verification.results.query({ runId })).results;
    await province.verification.accept.mutate({ runId });
    expect(await stateOf(unit, hospital)).toMatchObject({ status: 'accepted', accepted_at: server.clock.now.toISOString() });
    await expect(province.verification.return.mutate({ runId, reason: '再退回' })).rejects.toMatchObject({ data: { code: 'CONFLICT' } });
    await expect(unit.verification.run.mutate({ organisationId: hospital, cmeYear: 2025, round: 'year-end' })).rejects.toMatchObject({
      message: 'verification.verification-submitted-results-frozen',
    });

    const short = before.find((r) => !r.compliant)!;
    await credit(server, short.person_id, 2025, [{ credits: 40 }]);
    const snapshot = await server.db.selectFrom('verification_accepted').selectAll().where('run_id', '=', runId).execute();
    expect(snapshot).toHaveLength(before.length);
    expect(snapshot.find((s) => s.person_id === short.person_id)).toMatchObject({ compliant: 0, total: short.total });

    // The proof of 2025 states the accepted year, not the ledger's new total.
    const by = (await server.db.selectFrom('users').select('id').where('login', '=', 'admin').executeTakeFirstOrThrow()).id;
    const [proof] = await issueCreditProofs(server.db, server.proofSigner, {
      personIds: [short.person_id],
      fromYear: 2025,
      toYear: 2025,
      by,
      at: server.clock.now,
    });
    expect(proof!.payload).toMatchObject({ total: short.total, compliant: false });
  });
});

describe('the hand-off to HR', () => {
  let token: string;
  let exported: HrHandoff;

  it('downloads as signed JSON that checks against the published proof keys, and as xlsx with the same rows and signature', async () => {
    const json = await server.download(`/api/files/organisations/${hospital}/hr-handoff/2025?format=json`, provinceCookie);
    expect(json.res.status).toBe(200);
    exported = JSON.parse(json.bytes.toString('utf8')) as HrHandoff;
    const accepted = (await unit.verification.results.query({ runId })).results;
    expect(exported.document).toMatchObject({ format: 'opencme-hr-handoff/1', cmeYear: 2025, verification: { id: runId, round: 'year-end' } });
    expect(exported.document.people).toHaveLength(accepted.length);
    // Full ID numbers: what HR matches people by.
    expect(exported.document.people.every((p) => /^\d{17}[\dX]$/.test(p.idNumber))).toBe(true);

    const keys = publishedProofKeysSchema.parse(await (await fetch(`${server.url}/.well-known/opencme-proof-keys.json`)).json()).keys;
    expect(await verifyHrHandoff(exported, keys)).toMatchObject({ ok: true });
    // One changed credit and the signature no longer holds.
    const forged = structuredClone(exported);
    forged.document.people[0]!.total += 10;
    expect(await verifyHrHandoff(forged, keys)).toEqual({ ok: false, reason: 'bad-signature' });

    const xlsx = await server.download(`/api/files/organisations/${hospital}/hr-handoff/2025?format=xlsx`, provinceCookie);
    expect(xlsx.res.status).toBe(200);
    const book = new ExcelJS.Workbook();
    await book.xlsx.load(xlsx.bytes as unknown as ArrayBuffer);
    const [results, signature] = book.worksheets;
    const rows = results!.getSheetValues().slice(2) as unknown[][];
    expect(rows.map((r) => [r[1], r[2], r[7]])).toEqual(exported.document.people.map((p) => [p.name, p.idNumber, p.total]));
    const info = new Map((signature!.getSheetValues().slice(2) as unknown[][]).map((r) => [r[1], r[2]]));
    expect(info.get('签名')).toBe(exported.signature.value);
    expect(info.get('签名密钥')).toBe(exported.signature.keyId);

    // Every copy carries full ID numbers: one line per person on the unit's log.
    const lines = await server.db.selectFrom('audit_log').select('entity_id').where('action', '=', 'hr.export').execute();
    expect(lines.length).toBe(2 * accepted.length);
  });

  it('the pull API returns the same rows and the same signature for a token the province made, shown once and stored as a digest', async () => {
    const provinceId = (await server.db.selectFrom('users').select('organisation_id').where('login', '=', DEMO_PROVINCE.login).executeTakeFirstOrThrow())
      .organisation_id;
    const created = await province.hr.createToken.mutate({ organisationId: provinceId, label: '省人社厅职称系统' });
    token = created.token;
    const stored = await server.db.selectFrom('hr_tokens').selectAll().where('id', '=', created.id).executeTakeFirstOrThrow();
    expect(JSON.stringify(stored)).not.toContain(token);
    expect(await province.hr.tokens.query({ organisationId: provinceId })).toEqual([
      expect.objectContaining({ id: created.id, label: '省人社厅职称系统', revoked_at: null }),
    ]);

    const pulled = await pull(`unit=${hospital}&year=2025`, token);
    expect(pulled.status).toBe(200);
    expect(pulled.body).toEqual(exported);
    const pulls = await server.db.selectFrom('audit_log').select(['actor_user_id', 'after']).where('action', '=', 'hr.pull').execute();
    expect(pulls.length).toBe(exported.document.people.length);
    expect(pulls[0]!.actor_user_id).toBeNull();
    expect(JSON.parse(pulls[0]!.after!)).toMatchObject({ hrTokenId: created.id });
  });

  it('has nothing for a year the province has not accepted', async () => {
    const res = await pull(`unit=${hospital}&year=2026`, token);
    expect(res).toMatchObject({ status: 404, body: { messageKey: 'hr.no-accepted-verification' } });
  });
});

describe('不得跨年度', () => {
  it('refuses to approve credits into a CME year other than the one of the day they were earned', async () => {
    const staff = await server.db
      .selectFrom('staff_accounts')
      .innerJoin('persons', 'persons.id', 'staff_accounts.person_id')
      .select(['staff_accounts.user_id', 'persons.id'])
      .executeTakeFirstOrThrow();
    const png = Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex');
    const claimId = await submitClaim(server.db, {
      userId: staff.user_id,
      personId: staff.id,
      draft: { activity: 'paper', occurredOn: '2026-03-15', credits: 3, months: 0, description: '论文：跨年度测试' },
      evidence: [{ fileName: 'paper.png', bytes: Buffer.concat([png, Buffer.from('cross-year')]) }],
      replacesId: null,
      at: server.clock.now,
    });
    // A claim of 2026 whose year was set to 2025 (whose verification is accepted already).
    await server.db.updateTable('claims').set({ cme_year: 2025 }).where('id', '=', claimId).execute();
    const reviewer = server.client({ cookie: await server.login(DEMO_REVIEWER) });
    await reviewer.claims.review.mutate({ claimIds: [claimId], decision: 'approved' });
    await expect(unit.claims.review.mutate({ claimIds: [claimId], decision: 'approved' })).rejects.toMatchObject({
      message: 'verification.cross-year',
      data: { params: { actual: 2026, claimed: 2025 } },
    });
    expect(await server.db.selectFrom('ledger_entries').select('id').where('source_id', '=', claimId).execute()).toEqual([]);
  });
});
