// Annual verification (学分审验) and compliance (达标率). A run copies each person's standing out
// of the ledger into results; submitting the run to the city freezes them, so what the city and
// the province receive never moves when the ledger later does.
import { addDays, chinaDate, chinaDayStart, type StandingReason, standingReasons, titleLevelOf, type VerificationRound } from '@opencme/core';
import { sql } from 'kysely';
import type { DB } from '../db/connect.ts';
import { standingInChinese } from '../document-words.ts';
import { UserFacingError } from '../errors.ts';
import type { Sheet } from '../spreadsheet.ts';
import { inSubtree } from './organisations.ts';
import { complianceCountsOf, type PersonStanding, standingsOf } from './standing.ts';

const FROZEN: ('submitted' | 'forwarded' | 'accepted')[] = ['submitted', 'forwarded', 'accepted'];

/**
 * 达标率 counts the staff the unit employs (聘任) at intermediate title or above: not those who
 * merely hold such a title (the Shanghai report: employment and title review are independent).
 */
export function countsForRate(person: Pick<PersonStanding, 'employedTitle'>): boolean {
  const level = titleLevelOf(person.employedTitle);
  return level !== null && level !== 'junior';
}

/** The run of a unit for a year and round, if there is one. */
export function findRun(db: DB, input: { organisationId: string; cmeYear: number; round: VerificationRound }) {
  return db
    .selectFrom('verification_runs')
    .selectAll()
    .where('organisation_id', '=', input.organisationId)
    .where('cme_year', '=', input.cmeYear)
    .where('round', '=', input.round)
    .executeTakeFirst();
}

export async function addRun(
  db: DB,
  run: { id: string; organisationId: string; cmeYear: number; round: VerificationRound; by: string; at: Date },
): Promise<void> {
  await db
    .insertInto('verification_runs')
    .values({
      id: run.id,
      organisation_id: run.organisationId,
      cme_year: run.cmeYear,
      round: run.round,
      status: 'draft',
      created_by: run.by,
      created_at: run.at.toISOString(),
      submitted_at: null,
      forwarded_at: null,
      accepted_at: null,
      accepted_by: null,
      returned_at: null,
      returned_by: null,
      return_reason: null,
    })
    .execute();
}

/** A run the province returned goes back to a draft when its unit runs it again; the reason stays on it. */
export async function reopenRun(db: DB, runId: string): Promise<void> {
  await db.updateTable('verification_runs').set({ status: 'draft' }).where('id', '=', runId).where('status', '=', 'returned').execute();
}

/** A run's results, replaced by the standings given (copied out of the ledger, with the reason in words). */
export async function replaceResults(db: DB, runId: string, standings: readonly PersonStanding[]): Promise<void> {
  await db.deleteFrom('verification_results').where('run_id', '=', runId).execute();
  const rows = standings.map((p) => ({
    run_id: runId,
    person_id: p.personId,
    department_id: p.departmentId,
    title: p.title,
    rule_set_id: p.standing.ruleSetId,
    class_i: p.standing.totals.classI,
    class_ii: p.standing.totals.classII,
    total: p.standing.totals.total,
    compliant: p.standing.compliant ? 1 : 0,
    basis: p.standing.basis,
    explanation: standingInChinese(standingReasons(p.standing)),
  }));
  for (let i = 0; i < rows.length; i += 50)
    await db
      .insertInto('verification_results')
      .values(rows.slice(i, i + 50))
      .execute();
}

/**
 * Moves a run one step up (draft or returned → submitted, submitted → forwarded); `false` when it
 * was not at `from`. A returned run is submitted again as it stands, or re-run first.
 */
export async function advanceRun(db: DB, runId: string, from: 'draft' | 'submitted', at: Date): Promise<boolean> {
  const res = await db
    .updateTable('verification_runs')
    .set(from === 'draft' ? { status: 'submitted', submitted_at: at.toISOString() } : { status: 'forwarded', forwarded_at: at.toISOString() })
    .where('id', '=', runId)
    .where('status', 'in', from === 'draft' ? ['draft', 'returned'] : ['submitted'])
    .executeTakeFirst();
  return Number(res.numUpdatedRows) > 0;
}

/**
 * The province's decision on a forwarded run: accepted (备案), with its results copied into the
 * snapshot the proofs and the HR hand-off read, or returned (退回) with the reason the unit and the
 * city read. `false` when the run was not forwarded (decided already, or not yet up).
 */
export async function decideRun(
  db: DB,
  input: { runId: string; by: string; at: Date } & ({ decision: 'accept' } | { decision: 'return'; reason: string }),
): Promise<boolean> {
  const at = input.at.toISOString();
  const res = await db
    .updateTable('verification_runs')
    .set(
      input.decision === 'accept'
        ? { status: 'accepted', accepted_at: at, accepted_by: input.by }
        : { status: 'returned', returned_at: at, returned_by: input.by, return_reason: input.reason },
    )
    .where('id', '=', input.runId)
    .where('status', '=', 'forwarded')
    .executeTakeFirst();
  if (Number(res.numUpdatedRows) === 0) return false;
  if (input.decision === 'accept') {
    // Names and departments as they were on the day: a later rename or move changes nothing accepted.
    const rows = await db
      .selectFrom('verification_results')
      .innerJoin('persons', 'persons.id', 'verification_results.person_id')
      .leftJoin('organisations', 'organisations.id', 'verification_results.department_id')
      .select([
        'verification_results.run_id',
        'verification_results.person_id',
        'persons.name',
        'organisations.name as department',
        'verification_results.title',
        'verification_results.class_i',
        'verification_results.class_ii',
        'verification_results.total',
        'verification_results.compliant',
        'verification_results.basis',
      ])
      .where('verification_results.run_id', '=', input.runId)
      .execute();
    for (let i = 0; i < rows.length; i += 50)
      await db
        .insertInto('verification_accepted')
        .values(rows.slice(i, i + 50).map((r) => ({ ...r, department: r.department ?? '（未分科室）' })))
        .execute();
  }
  return true;
}

export async function runResults(db: DB, runId: string) {
  const run = await db.selectFrom('verification_runs').selectAll().where('id', '=', runId).executeTakeFirst();
  if (!run) throw new UserFacingError('NOT_FOUND', 'verification.no-such-verification');
  const results = await db
    .selectFrom('verification_results')
    .innerJoin('persons', 'persons.id', 'verification_results.person_id')
    .leftJoin('organisations', 'organisations.id', 'verification_results.department_id')
    .select([
      'verification_results.person_id',
      'persons.name',
      'persons.id_number_masked',
      'organisations.name as department',
      'verification_results.title',
      'verification_results.rule_set_id',
      'verification_results.class_i',
      'verification_results.class_ii',
      'verification_results.total',
      'verification_results.compliant',
      'verification_results.basis',
      'verification_results.explanation',
    ])
    .where('run_id', '=', runId)
    .orderBy('organisations.name')
    .orderBy('persons.name')
    .execute();
  return { run, results: results.map((r) => ({ ...r, compliant: r.compliant === 1 })) };
}

/**
 * People's results as the province accepted them (备案) in year-end verifications of these years:
 * what a proof of those years states, whatever the ledger has said since.
 */
export function acceptedResultsOfPersons(db: DB, personIds: readonly string[], years: readonly number[]) {
  if (personIds.length === 0 || years.length === 0) return Promise.resolve([]);
  return db
    .selectFrom('verification_accepted')
    .innerJoin('verification_runs', 'verification_runs.id', 'verification_accepted.run_id')
    .innerJoin('verification_results', (j) =>
      j
        .onRef('verification_results.run_id', '=', 'verification_accepted.run_id')
        .onRef('verification_results.person_id', '=', 'verification_accepted.person_id'),
    )
    .select([
      'verification_accepted.person_id',
      'verification_runs.cme_year',
      'verification_accepted.class_i',
      'verification_accepted.class_ii',
      'verification_accepted.total',
      'verification_accepted.compliant',
      'verification_results.explanation',
    ])
    .where('verification_accepted.person_id', 'in', personIds)
    .where('verification_runs.cme_year', 'in', years)
    .where('verification_runs.round', '=', 'year-end')
    .where('verification_runs.status', '=', 'accepted')
    .execute();
}

/** The runs of every unit in an organisation's subtree for a year, with their counts. */
export async function runsWithin(db: DB, input: { organisationId: string; cmeYear: number }) {
  const rows = await sql<{
    id: string;
    organisation_id: string;
    organisation: string;
    round: string;
    status: string;
    submitted_at: string | null;
    forwarded_at: string | null;
    accepted_at: string | null;
    returned_at: string | null;
    return_reason: string | null;
    people: number;
    compliant: number;
  }>`
    select r.id, r.organisation_id, o.name as organisation, r.round, r.status, r.submitted_at, r.forwarded_at, r.accepted_at, r.returned_at, r.return_reason,
      count(v.person_id) as people, coalesce(sum(v.compliant), 0) as compliant
    from verification_runs r
    join organisations o on o.id = r.organisation_id
    left join verification_results v on v.run_id = r.id
    where r.cme_year = ${input.cmeYear} and r.organisation_id in ${inSubtree(input.organisationId)}
    group by r.id, r.organisation_id, o.name, r.round, r.status, r.submitted_at, r.forwarded_at, r.accepted_at, r.returned_at, r.return_reason
    order by o.name, r.round, r.id`.execute(db);
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
  const counts = await complianceCountsOf(db, input.organisationId, input.cmeYear, FROZEN);
  const names = new Map((await db.selectFrom('organisations').select(['id', 'name']).execute()).map((o) => [o.id, o.name]));
  return counts
    .map((c): DepartmentCompliance => ({
      departmentId: c.departmentId,
      name: c.departmentId ? (names.get(c.departmentId) ?? '') : '（未分科室）',
      counted: c.counted,
      compliant: c.compliant,
      rate: c.counted ? Math.round((c.compliant / c.counted) * 1000) / 10 : null,
      source: c.frozen > 0 ? 'verification' : 'live',
    }))
    .sort((a, b) => a.name.localeCompare(b.name, 'zh-CN'));
}

/** Who is at risk this year, most missing first, with what each still needs. */
export async function forecast(
  db: DB,
  input: { organisationId: string; cmeYear: number },
): Promise<(PersonStanding & { missing: number; reasons: StandingReason[] })[]> {
  const live = await standingsOf(db, { organisationId: input.organisationId }, input.cmeYear);
  return live
    .filter((p) => !p.standing.compliant)
    .map((p) => ({
      ...p,
      missing: p.standing.shortfalls.reduce((s, f) => s + f.missing, 0),
      reasons: standingReasons(p.standing),
    }))
    .sort((a, b) => b.missing - a.missing || a.name.localeCompare(b.name, 'zh-CN'));
}

export interface CompliancePerson {
  personId: string;
  name: string;
  department: string;
  title: string | null;
  classI: number;
  classII: number;
  total: number;
  compliant: boolean;
  /** Counted in 达标率 (intermediate title or above). */
  counted: boolean;
}

export interface ComplianceFilter {
  organisationId: string;
  cmeYear: number;
  departmentId?: string | null;
  compliant?: boolean | null;
}

/** Everyone of the unit (approved staff only) with their standing, filtered by department and result, in department then name order. */
export async function compliancePeople(db: DB, input: ComplianceFilter): Promise<CompliancePerson[]> {
  const live = await standingsOf(db, { organisationId: input.organisationId }, input.cmeYear);
  const names = new Map((await db.selectFrom('organisations').select(['id', 'name']).where('kind', '=', 'department').execute()).map((o) => [o.id, o.name]));
  return live
    .filter((p) => (input.departmentId ? p.departmentId === input.departmentId : true))
    .filter((p) => (input.compliant === true || input.compliant === false ? p.standing.compliant === input.compliant : true))
    .map((p) => ({
      personId: p.personId,
      name: p.name,
      department: p.departmentId ? (names.get(p.departmentId) ?? '') : '（未分科室）',
      title: p.title,
      classI: p.standing.totals.classI,
      classII: p.standing.totals.classII,
      total: p.standing.totals.total,
      compliant: p.standing.compliant,
      counted: countsForRate(p),
    }))
    .sort((a, b) => a.department.localeCompare(b.department, 'zh-CN') || a.name.localeCompare(b.name, 'zh-CN'));
}

type ComplianceRow = Omit<CompliancePerson, 'title' | 'compliant' | 'counted'> & { title: string; compliant: string; counted: string };

/** The filtered list as a sheet (达标情况), the columns a unit hands on: no ID numbers. */
export function complianceSheet(people: readonly CompliancePerson[], cmeYear: number): Sheet<ComplianceRow> {
  return {
    name: `${cmeYear}年度达标情况`,
    columns: [
      { header: '姓名', key: 'name', width: 12 },
      { header: '科室', key: 'department', width: 16 },
      { header: '职称', key: 'title', width: 12 },
      { header: 'Ⅰ类学分', key: 'classI', width: 10 },
      { header: 'Ⅱ类学分', key: 'classII', width: 10 },
      { header: '合计', key: 'total', width: 10 },
      { header: '是否达标', key: 'compliant', width: 10 },
      { header: '计入达标率', key: 'counted', width: 12 },
    ],
    rows: people.map((p) => ({ ...p, title: p.title ?? '', compliant: p.compliant ? '达标' : '未达标', counted: p.counted ? '是' : '否' })),
  };
}

/**
 * The unit's rate through the year: at the end of each month so far (Beijing time), the share of
 * the counted staff who were compliant with the credits approved by then.
 */
export async function complianceTrend(
  db: DB,
  input: { organisationId: string; cmeYear: number; now: Date },
): Promise<{ month: number; rate: number | null }[]> {
  const today = chinaDate(input.now);
  const thisYear = Number(today.slice(0, 4));
  const months = input.cmeYear < thisYear ? 12 : input.cmeYear > thisYear ? 0 : Number(today.slice(5, 7));
  const trend = [];
  for (let month = 1; month <= months; month++) {
    const end = month === 12 ? `${input.cmeYear + 1}-01-01` : `${input.cmeYear}-${String(month + 1).padStart(2, '0')}-01`;
    const cutoff = new Date(Math.min(chinaDayStart(end).getTime(), input.now.getTime() + 1));
    // Whom the unit counted at the end of that month: people come, move and leave during the year.
    const monthEnd = addDays(end, -1);
    const asOf = monthEnd < today ? monthEnd : today;
    const counted = (await standingsOf(db, { organisationId: input.organisationId }, input.cmeYear, { approvedBefore: cutoff, asOf })).filter(countsForRate);
    const compliant = counted.filter((p) => p.standing.compliant).length;
    trend.push({ month, rate: counted.length ? Math.round((compliant / counted.length) * 1000) / 10 : null });
  }
  return trend;
}
