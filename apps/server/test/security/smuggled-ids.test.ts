// A procedure that reads one id (`runId`, `claimId`) is scope-checked on that id, not on a list
// (`runIds`, `claimIds`) sent beside it naming the caller's own records: the check once read the
// list first and let another unit's admin read and submit this unit's verification. Over HTTP.
import { newId } from '@opencme/core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createUser } from '../../src/repositories/users.ts';
import { runVerification } from '../../src/services/verification.ts';
import { type Client, startServer, type TestServer } from '../harness.ts';

vi.setConfig({ hookTimeout: 60_000, testTimeout: 60_000 });

let server: TestServer;
let otherUnitAdmin: Client;
let theirRun: string;
let ownRun: string;

beforeAll(async () => {
  server = await startServer();
  const { db } = server;
  const now = server.clock.now;
  const hospital = await db.selectFrom('organisations').select(['id', 'parent_id']).where('kind', '=', 'institution').executeTakeFirstOrThrow();
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
  const by = await createUser(db, {
    login: 'other-unit-admin',
    displayName: '另一家医院医教科',
    password: 'pw-other-unit',
    role: 'unit-admin',
    organisationId: otherHospital,
    now,
  });
  otherUnitAdmin = server.client({ cookie: await server.login({ login: 'other-unit-admin', password: 'pw-other-unit' }) });
  theirRun = await runVerification(db, { organisationId: hospital.id, cmeYear: 2025, round: 'year-end', by, at: now });
  ownRun = await runVerification(db, { organisationId: otherHospital, cmeYear: 2025, round: 'year-end', by, at: now });
});
afterAll(() => server.close());

/** The call's outcome as a tRPC code. */
const outcome = (call: Promise<unknown>) =>
  call.then(
    () => 'OK',
    (e: { data?: { code?: string } }) => e.data?.code ?? 'ERROR',
  );
/** An input the typed client would not send: the run read, and a list of the caller's own beside it. */
const smuggled = () => ({ runId: theirRun, runIds: [ownRun] }) as { runId: string };

describe('an id list sent beside the id a procedure reads', () => {
  it('does not stand in for it: another unit’s verification stays unread and unsubmitted', async () => {
    expect(await outcome(otherUnitAdmin.verification.results.query({ runId: ownRun }))).toBe('OK');
    expect(await outcome(otherUnitAdmin.verification.results.query(smuggled()))).toBe('FORBIDDEN');
    expect(await outcome(otherUnitAdmin.verification.submit.mutate(smuggled()))).toBe('FORBIDDEN');
    const run = await server.db.selectFrom('verification_runs').select('status').where('id', '=', theirRun).executeTakeFirstOrThrow();
    expect(run.status).toBe('draft');
  });
});
