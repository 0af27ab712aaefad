// The HR hand-off and the province's decision as an attacker tries them: an HR token reads its own
// organisation's units only; no token, a forged one, a kiosk's or a revoked one gets 401; the pull
// API is rate-limited; only the province office of the run's province accepts or returns it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUser } from '../../src/repositories/users.ts';
import { DEMO_ADMIN_B, DEMO_CITY, DEMO_HOSPITAL_B, DEMO_PROVINCE } from '../../src/seed.ts';
import { createHrToken } from '../../src/services/hr-handoff.ts';
import { advanceRuns, decideVerification, runVerification } from '../../src/services/verification.ts';
import { addOrganisation } from '../fixtures.ts';
import { type Client, startServer, type TestServer } from '../harness.ts';

let server: TestServer;
let hospitalA: string;
let hospitalB: string;
let forwardedA: string;
let tokenB: string;
let tokenA: { id: string; token: string };
let otherProvinceToken: string;
let unitA: Client;
let unitB: Client;

async function pull(unit: string, headers: Record<string, string>) {
  const res = await fetch(`${server.url}/api/hr/v1/results?unit=${unit}&year=2025`, { headers });
  await res.arrayBuffer();
  return res.status;
}
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

beforeAll(async () => {
  server = await startServer();
  const { db } = server;
  const now = server.clock.now;
  hospitalA = (await db.selectFrom('organisations').select('id').where('kind', '=', 'institution').executeTakeFirstOrThrow()).id;
  hospitalB = (await db.selectFrom('organisations').select('id').where('name', '=', DEMO_HOSPITAL_B).executeTakeFirstOrThrow()).id;
  const admin = await db.selectFrom('users').select(['id', 'organisation_id']).where('login', '=', 'admin').executeTakeFirstOrThrow();
  const by = { id: admin.id, organisationId: admin.organisation_id };
  // Both hospitals' 2025 verifications accepted; A's mid-year one forwarded and waiting for the province.
  for (const unit of [hospitalA, hospitalB]) {
    const run = await runVerification(db, { organisationId: unit, cmeYear: 2025, round: 'year-end', by: admin.id, at: now });
    await advanceRuns(db, { runIds: [run], from: 'draft', by, at: now });
    await advanceRuns(db, { runIds: [run], from: 'submitted', by, at: now });
    await decideVerification(db, { runId: run, decision: 'accept', by, at: now });
  }
  forwardedA = await runVerification(db, { organisationId: hospitalA, cmeYear: 2025, round: 'mid-year', by: admin.id, at: now });
  await advanceRuns(db, { runIds: [forwardedA], from: 'draft', by, at: now });
  await advanceRuns(db, { runIds: [forwardedA], from: 'submitted', by, at: now });

  unitA = await server.admin();
  unitB = server.client({ cookie: await server.login(DEMO_ADMIN_B) });
  tokenA = await unitA.hr.createToken.mutate({ organisationId: hospitalA, label: '本院人事系统' });
  tokenB = (await unitB.hr.createToken.mutate({ organisationId: hospitalB, label: '二院人事系统' })).token;
  const elsewhere = await addOrganisation(server, 'province', '四川省', null, '51');
  otherProvinceToken = (await createHrToken(db, { organisationId: elsewhere, label: '四川人社', by, at: now })).token;
  await createUser(db, {
    login: 'province-sc',
    displayName: '四川省继教办',
    password: 'pw-province-sc',
    role: 'province-admin',
    organisationId: elsewhere,
    now,
  });
});
afterAll(() => server.close());

describe('the pull API', () => {
  it('reads the units of the token’s own organisation and no other', async () => {
    expect(await pull(hospitalA, bearer(tokenA.token))).toBe(200);
    expect(await pull(hospitalB, bearer(tokenB))).toBe(200);
    expect(await pull(hospitalA, bearer(tokenB))).toBe(403);
    expect(await pull(hospitalB, bearer(tokenA.token))).toBe(403);
    expect(await pull(hospitalA, bearer(otherProvinceToken))).toBe(403);
  });

  it('answers 401 to no token, a forged one, a kiosk’s, a session cookie and a revoked one', async () => {
    expect(await pull(hospitalA, {})).toBe(401);
    expect(await pull(hospitalA, bearer(`${tokenA.token.slice(0, -2)}xx`))).toBe(401);
    expect(await pull(hospitalA, bearer('ochr_'))).toBe(401);
    const kiosk = await server.demoKiosk();
    expect(await pull(hospitalA, bearer(kiosk.token))).toBe(401);
    expect(await pull(hospitalA, { cookie: await server.login(DEMO_PROVINCE) })).toBe(401);
    // Another unit's office cannot revoke (or list) A's tokens; A's own can, and the token is dead at once.
    await expect(unitB.hr.revokeToken.mutate({ tokenId: tokenA.id })).rejects.toMatchObject({ data: { code: 'FORBIDDEN' } });
    await expect(unitB.hr.tokens.query({ organisationId: hospitalA })).rejects.toMatchObject({ data: { code: 'FORBIDDEN' } });
    await unitA.hr.revokeToken.mutate({ tokenId: tokenA.id });
    expect(await pull(hospitalA, bearer(tokenA.token))).toBe(401);
    const log = await server.db.selectFrom('audit_log').select('action').where('entity_id', '=', tokenA.id).execute();
    expect(log.map((l) => l.action).sort()).toEqual(['hr.token-create', 'hr.token-revoke']);
  });

  it('is rate-limited per address', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 70; i++) statuses.push(await pull(hospitalA, bearer('ochr_guess')));
    expect(statuses).toContain(429);
  });
});

describe('the province’s decision', () => {
  it('is refused to a unit admin, to the city (its own forwarded run), and to another province', async () => {
    const city = server.client({ cookie: await server.login(DEMO_CITY) });
    const otherProvince = server.client({ cookie: await server.login({ login: 'province-sc', password: 'pw-province-sc' }) });
    for (const who of [unitA, city, otherProvince]) {
      await expect(who.verification.accept.mutate({ runId: forwardedA })).rejects.toMatchObject({ data: { code: 'FORBIDDEN' } });
      await expect(who.verification.return.mutate({ runId: forwardedA, reason: '冒充省级退回' })).rejects.toMatchObject({ data: { code: 'FORBIDDEN' } });
    }
    const run = await server.db.selectFrom('verification_runs').select('status').where('id', '=', forwardedA).executeTakeFirstOrThrow();
    expect(run.status).toBe('forwarded');
    // A download of another unit's hand-off is refused like the procedure would be.
    const other = await server.download(`/api/files/organisations/${hospitalA}/hr-handoff/2025`, await server.login(DEMO_ADMIN_B));
    expect(other.res.status).toBe(403);
  });
});
