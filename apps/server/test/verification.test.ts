// Annual verification against the demo hospital's ledger: rounds admit the right people, each
// result carries its reason, a submitted run is frozen however the ledger moves, the city
// forwards it, and compliance per department counts intermediate titles and above.
import { titleLevelOf } from '@opencme/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_CITY } from '../src/seed.ts';
import { credit } from './fixtures.ts';
import { type Client, startServer, type TestServer } from './harness.ts';

let server: TestServer;
let unit: Client;
let city: Client;
let hospital: string;
let persons: { id: string; title: string | null; employed_title: string | null; department_id: string | null }[];

beforeAll(async () => {
  server = await startServer();
  unit = await server.admin();
  city = server.client({ cookie: await server.login(DEMO_CITY) });
  hospital = (await server.db.selectFrom('organisations').select('id').where('kind', '=', 'institution').executeTakeFirstOrThrow()).id;
  // The unit's staff: registrants still under review are not verified.
  persons = await server.db
    .selectFrom('persons')
    .select(['id', 'title', 'employed_title', 'department_id'])
    .where('institution_id', '=', hospital)
    .where('registration_status', '=', 'approved')
    .execute();
});
afterAll(() => server.close());

const senior = (title: string | null) => !['junior', null].includes(titleLevelOf(title));

describe('verification rounds', () => {
  it('admits everyone to the year-end round and intermediate titles and above to the mid-year one', async () => {
    const yearEnd = await unit.verification.run.mutate({ organisationId: hospital, cmeYear: 2025, round: 'year-end' });
    expect(yearEnd.results).toHaveLength(persons.length);
    const midYear = await unit.verification.run.mutate({ organisationId: hospital, cmeYear: 2025, round: 'mid-year' });
    expect(midYear.results).toHaveLength(persons.filter((p) => senior(p.title)).length);
    for (const r of yearEnd.results) expect(r.explanation).toMatch(r.compliant ? /^(已达标|进修)/ : /^未达标：还需/);
  });

  it('freezes results once submitted, and the city forwards them to the province', async () => {
    const { run, results } = await unit.verification.run.mutate({ organisationId: hospital, cmeYear: 2025, round: 'year-end' });
    const short = results.find((r) => !r.compliant)!;
    await unit.verification.submit.mutate({ runId: run.id });
    // The ledger moves after submission; the submitted result does not.
    await credit(server, short.person_id, 2025, [{ credits: 25 }]);
    await expect(unit.verification.run.mutate({ organisationId: hospital, cmeYear: 2025, round: 'year-end' })).rejects.toMatchObject({
      message: 'verification.verification-submitted-results-frozen',
    });
    const again = await unit.verification.results.query({ runId: run.id });
    expect(again.results.find((r) => r.person_id === short.person_id)).toMatchObject({ compliant: false, total: short.total });
    expect(again.results).toEqual(results);

    await expect(unit.verification.submit.mutate({ runId: run.id })).rejects.toMatchObject({ data: { code: 'CONFLICT' } });
    const cityId = (await server.db.selectFrom('users').select('organisation_id').where('login', '=', DEMO_CITY.login).executeTakeFirstOrThrow())
      .organisation_id;
    const listed = await city.verification.runs.query({ organisationId: cityId, cmeYear: 2025 });
    expect(listed.find((r) => r.id === run.id)).toMatchObject({
      status: 'submitted',
      people: results.length,
      compliant: results.filter((r) => r.compliant).length,
    });
    await city.verification.forward.mutate({ runIds: [run.id] });
    expect((await city.verification.results.query({ runId: run.id })).run.status).toBe('forwarded');
  });
});

describe('compliance and forecast', () => {
  it('counts per department the staff employed at intermediate and above, from the frozen year-end results', async () => {
    const rows = await unit.verification.compliance.query({ organisationId: hospital, cmeYear: 2025 });
    const frozen = await server.db
      .selectFrom('verification_results')
      .innerJoin('verification_runs', 'verification_runs.id', 'verification_results.run_id')
      .select(['person_id', 'compliant'])
      .where('round', '=', 'year-end')
      .execute();
    const compliantById = new Map(frozen.map((f) => [f.person_id, f.compliant === 1]));
    for (const row of rows) {
      const counted = persons.filter((p) => p.department_id === row.departmentId && senior(p.employed_title));
      expect(row.counted, row.name).toBe(counted.length);
      expect(row.compliant, row.name).toBe(counted.filter((p) => compliantById.get(p.id)).length);
      expect(row.source).toBe('verification');
      expect(row.rate).toBe(Math.round((row.compliant / row.counted) * 1000) / 10);
    }
    expect(rows.reduce((s, r) => s + r.counted, 0)).toBe(persons.filter((p) => senior(p.employed_title)).length);
    // The demo holds people whose employed title is below the one they hold: they are not counted.
    expect(persons.filter((p) => senior(p.title) && !senior(p.employed_title)).length).toBeGreaterThan(0);
  });

  it('is provisional from the live ledger before the year-end verification', async () => {
    const rows = await unit.verification.compliance.query({ organisationId: hospital, cmeYear: 2026 });
    expect(rows.every((r) => r.source === 'live')).toBe(true);
  });

  it('lists who is at risk this year, most missing first, with what each needs', async () => {
    const atRisk = await unit.verification.forecast.query({ organisationId: hospital, cmeYear: 2026 });
    expect(atRisk.length).toBeGreaterThan(0);
    expect(atRisk.every((p) => !p.standing.compliant && p.reasons.length > 0 && p.reasons.every((r) => r.key.startsWith('standing.short-')))).toBe(true);
    expect(atRisk.map((p) => p.missing)).toEqual([...atRisk.map((p) => p.missing)].sort((a, b) => b - a));
  });
});
