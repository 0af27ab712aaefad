// Annual verification (学分审验) and compliance (达标率). A run copies each person's standing out
// of the ledger into results; submitting the run to the city freezes them, so what the city and
// the province receive never moves when the ledger later does.
import { explainStanding, newId, takesPartInRound, titleLevelOf, type VerificationRound } from '@opencme/core';
import { sql } from 'kysely';
import type { DB } from '../db/connect.ts';
import { UserFacingError } from '../errors.ts';
import { type PersonStanding, standingsOf } from './standing.ts';

const FROZEN: ('submitted' | 'forwarded')[] = ['submitted', 'forwarded'];

export async function runVerification(db: DB, input: { organisationId: string; cmeYear: number; round: VerificationRound; by: string; at: Date }): Promise<string> {
  const unit = await db.selectFrom('organisations').select('kind').where('id', '=', input.organisationId).executeTakeFirst();
  if (unit?.kind !== 'institution') throw new UserFacingError('BAD_REQUEST', '审验按医疗机构进行', 'Verification is run for an institution');
  const existing = await db.selectFrom('verification_runs').selectAll().where('organisation_id', '=', input.organisationId).where('cme_year', '=', input.cmeYear).where('round', '=', input.round).executeTakeFirst();
  if (existing && existing.status !== 'draft') {
    throw new UserFacingError('CONFLICT', '本次审验已上报，结果已冻结', 'This verification was submitted: its results are frozen');
  }
  const standings = (await standingsOf(db, { organisationId: input.organisationId }, input.cmeYear)).filter((p) => takesPartInRound(input.round, titleLevelOf(p.title)));
  const id = existing?.id ?? newId();
  await db.transaction().execute(async (trx) => {
    if (existing) await trx.deleteFrom('verification_results').where('run_id', '=', id).execute();
    else {
      await trx
        .insertInto('verification_runs')
        .values({ id, organisation_id: input.organisationId, cme_year: input.cmeYear, round: input.round, status: 'draft', created_by: input.by, created_at: input.at.toISOString(), submitted_at: null, forwarded_at: null })
        .execute();
    }
    const rows = standings.map((p) => ({
      run_id: id,
      person_id: p.personId,
      department_id: p.departmentId,
      title: p.title,
      rule_set_id: p.standing.ruleSetId,
      class_i: p.standing.totals.classI,
      class_ii: p.standing.totals.classII,
      total: p.standing.totals.total,
      compliant: p.standing.compliant ? 1 : 0,
      basis: p.standing.basis,
      explanation: explainStanding(p.standing, 'zh-CN'),
    }));
    for (let i = 0; i < rows.length; i += 50) await trx.insertInto('verification_results').values(rows.slice(i, i + 50)).execute();
  });
  return id;
}

/** Moves runs one step up (draft → submitted by the unit, submitted → forwarded by the city). */
export async function advanceRuns(db: DB, input: { runIds: readonly string[]; from: 'draft' | 'submitted'; at: Date }): Promise<void> {
  await db.transaction().execute(async (trx) => {
    for (const runId of input.runIds) {
      const res = await trx
        .updateTable('verification_runs')
        .set(input.from === 'draft' ? { status: 'submitted', submitted_at: input.at.toISOString() } : { status: 'forwarded', forwarded_at: input.at.toISOString() })
        .where('id', '=', runId)
        .where('status', '=', input.from)
        .executeTakeFirst();
      if (Number(res.numUpdatedRows) === 0) {
        throw new UserFacingError('CONFLICT', input.from === 'draft' ? '只能上报未上报的审验' : '只能转报单位已上报的审验', input.from === 'draft' ? 'Only a verification not yet submitted can be submitted' : 'Only a verification the unit submitted can be forwarded');
      }
    }
  });
}

export async function runResults(db: DB, runId: string) {
  const run = await db.selectFrom('verification_runs').selectAll().where('id', '=', runId).executeTakeFirst();
  if (!run) throw new UserFacingError('NOT_FOUND', '没有这次审验', 'No such verification');
  const results = await db
    .selectFrom('verification_results')
    .innerJoin('persons', 'persons.id', 'verification_results.person_id')
    .leftJoin('organisations', 'organisations.id', 'verification_results.department_id')
    .select(['verification_results.person_id', 'persons.name', 'persons.id_number_masked', 'organisations.name as department', 'verification_results.title', 'verification_results.rule_set_id', 'verification_results.class_i', 'verification_results.class_ii', 'verification_results.total', 'verification_results.compliant', 'verification_results.basis', 'verification_results.explanation'])
    .where('run_id', '=', runId)
    .orderBy('organisations.name')
    .orderBy('persons.name')
    .execute();
  return { run, results: results.map((r) => ({ ...r, compliant: r.compliant === 1 })) };
}

/** The runs of every unit in an organisation's subtree for a year, with their counts. */
export async function runsWithin(db: DB, input: { organisationId: string; cmeYear: number }) {
  const rows = await sql<{ id: string; organisation: string; round: string; status: string; submitted_at: string | null; forwarded_at: string | null; people: number; compliant: number }>`
    with recursive subtree(id) as (
      select id from organisations where id = ${input.organisationId}
      union all
      select o.id from organisations o join subtree s on o.parent_id = s.id
    )
    select r.id, o.name as organisation, r.round, r.status, r.submitted_at, r.forwarded_at,
      count(v.person_id) as people, coalesce(sum(v.compliant), 0) as compliant
    from verification_runs r
    join organisations o on o.id = r.organisation_id
    left join verification_results v on v.run_id = r.id
    where r.cme_year = ${input.cmeYear} and r.organisation_id in (select id from subtree)
    group by r.id, o.name, r.round, r.status, r.submitted_at, r.forwarded_at
    order by o.name, r.round`.execute(db);
  return rows.rows.map((r) => ({ ...r, people: Number(r.people), compliant: Number(r.compliant) }));
}

export interface DepartmentCompliance {
  departmentId: string | null;
  name: string;
  /** Staff employed at intermediate title or above (the denominator of 达标率). */
  counted: number;
  compliant: number;
  rate: number | null;
  /** From a submitted year-end verification, or provisional from the live ledger. */
  source: 'verification' | 'live';
}

/**
 * Compliance per department (科室达标率): among the staff the hospital employs at intermediate
 * title or above, the share compliant, taken from the submitted year-end verification where one
 * exists and from the live ledger otherwise.
 */
export async function complianceByDepartment(db: DB, input: { organisationId: string; cmeYear: number }): Promise<DepartmentCompliance[]> {
  const live = await standingsOf(db, { organisationId: input.organisationId }, input.cmeYear);
  const frozen = await db
    .selectFrom('verification_results')
    .innerJoin('verification_runs', 'verification_runs.id', 'verification_results.run_id')
    .select(['verification_results.person_id', 'verification_results.compliant'])
    .where('verification_runs.cme_year', '=', input.cmeYear)
    .where('verification_runs.round', '=', 'year-end')
    .where('verification_runs.status', 'in', FROZEN)
    .where('verification_runs.organisation_id', 'in', [...new Set(live.map((p) => p.institutionId))].concat(''))
    .execute();
  const frozenById = new Map(frozen.map((f) => [f.person_id, f.compliant === 1]));
  const names = new Map((await db.selectFrom('organisations').select(['id', 'name']).execute()).map((o) => [o.id, o.name]));
  const byDepartment = new Map<string | null, DepartmentCompliance>();
  for (const p of live) {
    const level = titleLevelOf(p.title);
    if (level === null || level === 'junior') continue;
    const key = p.departmentId;
    let row = byDepartment.get(key);
    if (!row) byDepartment.set(key, (row = { departmentId: key, name: key ? (names.get(key) ?? '') : '（未分科室）', counted: 0, compliant: 0, rate: null, source: 'live' }));
    const fixed = frozenById.get(p.personId);
    if (fixed !== undefined) row.source = 'verification';
    row.counted += 1;
    if (fixed ?? p.standing.compliant) row.compliant += 1;
  }
  return [...byDepartment.values()].map((r) => ({ ...r, rate: r.counted ? Math.round((r.compliant / r.counted) * 1000) / 10 : null })).sort((a, b) => a.name.localeCompare(b.name, 'zh-CN'));
}

/** Who is at risk this year, most missing first, with what each still needs. */
export async function forecast(db: DB, input: { organisationId: string; cmeYear: number }): Promise<(PersonStanding & { missing: number; explanation: { zh: string; en: string } })[]> {
  const live = await standingsOf(db, { organisationId: input.organisationId }, input.cmeYear);
  return live
    .filter((p) => !p.standing.compliant)
    .map((p) => ({
      ...p,
      missing: p.standing.shortfalls.reduce((s, f) => s + f.missing, 0),
      explanation: { zh: explainStanding(p.standing, 'zh-CN'), en: explainStanding(p.standing, 'en') },
    }))
    .sort((a, b) => b.missing - a.missing || a.name.localeCompare(b.name, 'zh-CN'));
}
