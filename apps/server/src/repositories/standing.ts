// A person's standing (学分达标情况) for a CME year, computed from the ledger every time it is
// asked for, never stored beside it: the ledger is the only record of credits.
import {
  type CreditTotals,
  cmeYearOfDate,
  cmeYearRange,
  evaluateStanding,
  type RuleSet,
  ruleSetSchema,
  requirementFor,
  type Standing,
  selectRuleSet,
  TITLE_LEVELS,
  titleLevelOf,
} from '@opencme/core';
import { type RawBuilder, sql } from 'kysely';
import type { DB } from '../db/connect.ts';
import { UserFacingError } from '../errors.ts';
import { provinceCodeOf, provinceCodesOf, subtreeSet } from './organisations.ts';

/**
 * Rule sets as parsed, by their stored text: read from the database at every call (another process
 * may have published one), but checked against the schema once per text, not at every lookup.
 */
const parsedRuleSets = new Map<string, RuleSet>();

export async function loadRuleSets(db: DB): Promise<RuleSet[]> {
  const rows = await db.selectFrom('rule_sets').select('definition').execute();
  return rows.map((r) => {
    let parsed = parsedRuleSets.get(r.definition);
    if (!parsed) parsedRuleSets.set(r.definition, (parsed = ruleSetSchema.parse(JSON.parse(r.definition))));
    return parsed;
  });
}

/** The rule set that governs people of an organisation in a CME year; an error the admin can act on when none does. */
export function ruleSetFor(ruleSets: readonly RuleSet[], provinceCode: string | null, cmeYear: number): RuleSet {
  const ruleSet = selectRuleSet(ruleSets, provinceCode, cmeYear);
  if (!ruleSet) throw noRuleSet(cmeYear);
  return ruleSet;
}

const noRuleSet = (year: number) => new UserFacingError('PRECONDITION_FAILED', 'standing.no-credit-rule-set-governs', { year });

/** The CME year a date falls in for people of an organisation (the rule set decides when a year starts). */
export async function cmeYearForDate(db: DB, organisationId: string, date: string): Promise<number> {
  const code = await provinceCodeOf(db, organisationId);
  const year = cmeYearOfDate(await loadRuleSets(db), code, date);
  if (year === null) throw noRuleSet(Number(date.slice(0, 4)));
  return year;
}

/**
 * 不得跨年度审验: credits earned on a day count for the CME year that day falls in, and for no other.
 * Refuses a record whose year is not its day's (a claim kept from before the province moved the
 * start of its CME year, or a year set by hand).
 */
export async function expectCmeYearOfDay(db: DB, input: { organisationId: string; day: string; cmeYear: number }): Promise<void> {
  const actual = await cmeYearForDate(db, input.organisationId, input.day);
  if (actual !== input.cmeYear) throw new UserFacingError('BAD_REQUEST', 'verification.cross-year', { actual, claimed: input.cmeYear });
}

export interface PersonStanding {
  personId: string;
  name: string;
  idMasked: string;
  title: string | null;
  /** The title the unit employs her at (聘任), which 达标率 counts; the held one where none is recorded. */
  employedTitle: string | null;
  institutionId: string;
  departmentId: string | null;
  standing: Standing;
}

interface TotalsRow {
  person_id: string;
  name: string;
  id_number_masked: string;
  title: string | null;
  employed_title: string | null;
  institution_id: string;
  department_id: string | null;
  class_i: number | null;
  class_ii: number | null;
  national: number | null;
  months: number | null;
}

/**
 * The departments of a subtree whose unit lies outside it: the subtree of a department is the one
 * case. A person's unit is her department's (registration and transfers set both), so only these
 * hold staff the subtree's units do not: a province's compliance then reads no department twice.
 */
function outlyingDepartments(subtree: RawBuilder<string>) {
  return sql`select d.id from organisations d
    where d.id in ${subtree} and d.kind = 'department' and (d.parent_id is null or d.parent_id not in ${subtree})`;
}

/**
 * Who an organisation counted on a day, with the unit and department she was in then: her current
 * place from the day she took it, an earlier one (调动 history) within its dates, and nobody who
 * had left by then (离职 / 退休 / 死亡).
 */
function placedOn(subtree: RawBuilder<string>, day: string, columns = sql`p.id, p.name, p.id_number_masked, p.title, p.employed_title`) {
  // Each branch reads its own people by index (the unit's, the department's of a unit outside the
  // subtree, the earlier placements'), instead of the whole province matched against the subtree
  // afterwards: a unit's compliance then costs its own size. The placements drive their join
  // (a cross join keeps that order on SQLite; the condition makes it an inner join anywhere).
  const counted = sql`p.registration_status = 'approved' and (p.left_on is null or p.left_on > ${day})`;
  const current = sql`(p.placed_since is null or p.placed_since <= ${day})`;
  return sql`select ${columns}, p.institution_id, p.department_id from persons p
      where p.institution_id in ${subtree} and ${current} and ${counted}
    union all
    select ${columns}, p.institution_id, p.department_id from persons p
      where p.department_id in (${outlyingDepartments(subtree)}) and p.institution_id not in ${subtree} and ${current} and ${counted}
    union all
    select ${columns}, pl.institution_id, pl.department_id from person_placements pl cross join persons p
      where p.id = pl.person_id and (pl.from_date is null or pl.from_date <= ${day}) and pl.to_date >= ${day}
        and (pl.institution_id in ${subtree} or pl.department_id in ${subtree}) and ${counted}`;
}

/** The last day of a CME year for an organisation's people (years need not end on 31 December). */
async function lastDayOfYear(db: DB, organisationId: string, cmeYear: number): Promise<string> {
  const ruleSet = selectRuleSet(await loadRuleSets(db), await provinceCodeOf(db, organisationId), cmeYear);
  return ruleSet ? cmeYearRange(ruleSet, cmeYear).to : `${cmeYear}-12-31`;
}

/**
 * Standings of everyone employed in an organisation's subtree (or of the persons named) for a
 * CME year, in one pass over the year's ledger entries. A reversal is a negative entry, so sums
 * cancel it; the months of a further-study claim are subtracted when its entry is reversed.
 * `approvedBefore`: the standings as they stood at that moment (entries approved later left out).
 * `asOf`: whom the organisation counted on that day (by default the year's last day): someone
 * transferred counts where she was then, someone who had left counts nowhere.
 */
export async function standingsOf(
  db: DB,
  scope: { organisationId: string } | { personIds: readonly string[] },
  cmeYear: number,
  options: { approvedBefore?: Date; asOf?: string } = {},
): Promise<PersonStanding[]> {
  const persons =
    'organisationId' in scope
      ? // Only approved staff: a registrant still waiting for review is not yet the unit's staff, and counting them would lower the rate.
        placedOn(await subtreeSet(db, scope.organisationId), options.asOf ?? (await lastDayOfYear(db, scope.organisationId, cmeYear)))
      : sql`select p.* from persons p where p.id in (${sql.join(scope.personIds.length ? scope.personIds : [''])})`;
  // The kept totals, unless the standings are asked as they stood at a past moment: those are summed from the ledger's entries.
  const sums = options.approvedBefore
    ? sql`select e.person_id,
        sum(case when e.credit_class = 'I' then e.credits else 0 end) as class_i,
        sum(case when e.credit_class = 'II' then e.credits else 0 end) as class_ii,
        sum(case when e.credit_class = 'I' and e.level = 'national' then e.credits else 0 end) as national,
        sum(coalesce(c.months, rc.months, 0) * (case when e.source_kind = 'reversal' then -1 else 1 end)) as months
      from ledger_entries e
      left join claims c on e.source_kind = 'claim' and c.id = e.source_id and c.activity = 'further-study'
      left join ledger_entries o on e.source_kind = 'reversal' and o.id = e.reverses_id and o.source_kind = 'claim'
      left join claims rc on rc.id = o.source_id and rc.activity = 'further-study'
      where e.cme_year = ${cmeYear} and e.person_id in (select id from scoped) and e.approved_at < ${options.approvedBefore.toISOString()}
      group by e.person_id`
    : sql`select t.person_id, t.class_i, t.class_ii, t.national, t.months from credit_totals t
      where t.cme_year = ${cmeYear} and t.person_id in (select id from scoped)`;
  const rows = await sql<TotalsRow>`
    with scoped as (${persons}),
    sums as (${sums})
    select s.id as person_id, s.name, s.id_number_masked, s.title, s.employed_title, s.institution_id, s.department_id,
      sums.class_i, sums.class_ii, sums.national, sums.months
    from scoped s left join sums on sums.person_id = s.id
    order by s.department_id nulls first, s.name, s.id`.execute(db);

  const evaluate = await evaluator(db, rows.rows, cmeYear);
  return rows.rows.map((r) => ({
    personId: r.person_id,
    name: r.name,
    idMasked: r.id_number_masked,
    title: r.title,
    employedTitle: r.employed_title ?? r.title,
    institutionId: r.institution_id,
    departmentId: r.department_id,
    standing: evaluate(r),
  }));
}

type Summed = Pick<TotalsRow, 'institution_id' | 'title' | 'class_i' | 'class_ii' | 'national' | 'months'>;

/**
 * The standing of a person's summed totals under the rule set of her unit's province, applied
 * now: a rule set changed since the credits were earned governs them at once.
 */
async function evaluator(db: DB, rows: readonly Summed[], cmeYear: number): Promise<(r: Summed) => Standing> {
  const ruleSets = await loadRuleSets(db);
  const provinces = await provinceCodesOf(
    db,
    rows.map((r) => r.institution_id),
  );
  const byProvince = new Map<string | null, RuleSet>();
  return (r) => {
    const code = provinces.get(r.institution_id) ?? null;
    let ruleSet = byProvince.get(code);
    if (!ruleSet) byProvince.set(code, (ruleSet = ruleSetFor(ruleSets, code, cmeYear)));
    const totals: CreditTotals = { classI: r.class_i ?? 0, classII: r.class_ii ?? 0, national: r.national ?? 0, furtherStudyMonths: r.months ?? 0 };
    return evaluateStanding({ ruleSet, titleLevel: titleLevelOf(r.title), totals });
  };
}

/** A department's share of 达标率, added up in the database (see `complianceCountsOf`). */
export interface DepartmentCounts {
  departmentId: string | null;
  /** Staff employed at intermediate title or above. */
  counted: number;
  compliant: number;
  /** How many of them a frozen year-end verification decided. */
  frozen: number;
}

/**
 * The title level of a title, in SQL: `titleLevelOf` of @opencme/core, but without its trim, as
 * every way a title is stored trims it (the forms' schemas; the Excel parser drops all spaces).
 * Trimming here cost a province's compliance a fifth of its time.
 */
function titleLevelSql(t: RawBuilder<string | null>): RawBuilder<string | null> {
  return sql`case when ${t} is null or ${t} = '' then null
    when substr(${t}, 1, 3) = '副主任' then 'associate-senior'
    when substr(${t}, 1, 2) = '主任' then 'senior'
    when substr(${t}, 1, 2) in ('主治', '主管') then 'intermediate'
    else 'junior' end`;
}

/**
 * 达标率 of an organisation's subtree per department for a CME year, added up where the rows are:
 * each person an organisation counts (as `standingsOf` places her) is judged against her unit's
 * rule from her kept totals (credit_totals), or taken from a frozen year-end verification of a
 * unit in the subtree, and only the per-department counts leave the database. A province of
 * 200 000 staff is one pass over their rows instead of 200 000 rows judged one by one here. The
 * test `compliance.test.ts` holds it equal to `evaluateStanding` applied to a full recomputation.
 */
export async function complianceCountsOf(db: DB, organisationId: string, cmeYear: number, frozenStatuses: readonly string[]): Promise<DepartmentCounts[]> {
  const subtree = await subtreeSet(db, organisationId);
  const placed = placedOn(subtree, await lastDayOfYear(db, organisationId, cmeYear), sql`p.id, p.title, p.employed_title`);
  // The rules are looked up for the subtree's units first; someone placed in a unit outside them
  // (the subtree of a department, a transfer, a unit added meanwhile) has no rule there, and then
  // the units are read from the people themselves and the sum taken again.
  const unitsOfPeople = async () =>
    (await sql<{ institution_id: string }>`select distinct s.institution_id from (${placed}) s`.execute(db)).rows.map((r) => r.institution_id);
  let units = (await sql<{ id: string }>`select o.id from organisations o where o.kind = 'institution' and o.id in ${subtree}`.execute(db)).rows.map(
    (r) => r.id,
  );
  if (units.length === 0) units = await unitsOfPeople();
  for (let attempt = 1; ; attempt++) {
    if (units.length === 0) return [];
    const ruleSets = await loadRuleSets(db);
    const provinces = await provinceCodesOf(db, units);
    // Each unit's rule set (most often one for all), and the verdict of each rule set and title
    // level as `evaluateStanding` reaches it, in tenths of a credit; the numbers are literals, so
    // that PostgreSQL knows their type. Rows are matched to their rule by a list (an index in the
    // database), not a join to a table of values, which SQLite would scan for every person.
    const unitsOf = new Map<string, { ruleSet: RuleSet; units: string[] }>();
    for (const unit of units) {
      const ruleSet = ruleSetFor(ruleSets, provinces.get(unit) ?? null, cmeYear);
      let entry = unitsOf.get(ruleSet.id);
      if (!entry) unitsOf.set(ruleSet.id, (entry = { ruleSet, units: [] }));
      entry.units.push(unit);
    }
    const governing = [...unitsOf.values()];
    const ruleOf = sql`case ${sql.join(
      governing.map((g, i) => sql`when s.institution_id in (${sql.join(g.units)}) then ${sql.lit(i)}`),
      sql` `,
    )} end`;
    const n = (credits: number) => sql.lit(Math.round(credits * 10));
    const verdict = sql`case j.rule ${sql.join(
      governing.map(
        ({ ruleSet }, i) =>
          sql`when ${sql.lit(i)} then case j.level ${sql.join(
            TITLE_LEVELS.map((level) => {
              const q = requirementFor(ruleSet, level);
              const byCredits = sql`j.class_i >= ${n(q.minClassI)} and j.national >= ${n(q.minNational)}
              and j.class_ii + j.class_i - ${n(q.minClassI)} >= ${n(q.minClassII)} and j.class_i + j.class_ii >= ${n(q.minTotal)}`;
              const byStudy = ruleSet.furtherStudyMinMonths === null ? sql`0 = 1` : sql`j.months >= ${sql.lit(ruleSet.furtherStudyMinMonths)}`;
              return sql`when ${sql.lit(level)} then case when ${byCredits} then 1 when ${byStudy} then 1 else 0 end`;
            }),
            sql` `,
          )} end`,
      ),
      sql` `,
    )} end`;
    const rows = await sql<{
      department_id: string | null;
      counted: number | string;
      compliant: number | string;
      frozen: number | string;
      unruled: number | string;
    }>`
      with placed as (${placed}),
      frozen as (
        select v.person_id, max(v.compliant) as compliant from verification_results v join verification_runs r on r.id = v.run_id
        where r.cme_year = ${cmeYear} and r.round = 'year-end' and r.status in (${sql.join([...frozenStatuses])})
          and r.organisation_id in (${sql.join(units)})
        group by v.person_id),
      judged as (
        select s.id, s.department_id, ${ruleOf} as rule, coalesce(${titleLevelSql(sql`s.title`)}, 'junior') as level,
          floor(coalesce(t.class_i, 0) * 10 + 0.5) as class_i, floor(coalesce(t.class_ii, 0) * 10 + 0.5) as class_ii,
          floor(coalesce(t.national, 0) * 10 + 0.5) as national, coalesce(t.months, 0) as months
        from placed s
        left join credit_totals t on t.person_id = s.id and t.cme_year = ${cmeYear}
        where ${titleLevelSql(sql`coalesce(s.employed_title, s.title)`)} in ('intermediate', 'associate-senior', 'senior'))
      select j.department_id, count(*) as counted,
        sum(case when coalesce(f.compliant, ${verdict}) = 1 then 1 else 0 end) as compliant,
        count(f.person_id) as frozen,
        sum(case when j.rule is null then 1 else 0 end) as unruled
      from judged j
      left join frozen f on f.person_id = j.id
      group by j.department_id`.execute(db);
    if (attempt < 3 && rows.rows.some((r) => Number(r.unruled) > 0)) {
      units = await unitsOfPeople();
      continue;
    }
    return rows.rows.map((r) => ({ departmentId: r.department_id, counted: Number(r.counted), compliant: Number(r.compliant), frozen: Number(r.frozen) }));
  }
}

/**
 * A person's standings in her latest CME years with credits (at most `limit`), latest first: each
 * year's kept totals under the rule set of that year, with one read of the totals for all years.
 */
export async function recentStandingsOf(
  db: DB,
  person: { id: string; institutionId: string; title: string | null },
  limit: number,
): Promise<{ cmeYear: number; standing: Standing }[]> {
  const rows = await db.selectFrom('credit_totals').selectAll().where('person_id', '=', person.id).orderBy('cme_year', 'desc').limit(limit).execute();
  if (rows.length === 0) return [];
  const ruleSets = await loadRuleSets(db);
  const code = await provinceCodeOf(db, person.institutionId);
  return rows.map((r) => ({
    cmeYear: r.cme_year,
    standing: evaluateStanding({
      ruleSet: ruleSetFor(ruleSets, code, r.cme_year),
      titleLevel: titleLevelOf(person.title),
      totals: { classI: r.class_i, classII: r.class_ii, national: r.national, furtherStudyMonths: r.months },
    }),
  }));
}

export async function standingOfPerson(db: DB, personId: string, cmeYear: number): Promise<PersonStanding> {
  const [found] = await standingsOf(db, { personIds: [personId] }, cmeYear);
  if (!found) throw new UserFacingError('NOT_FOUND', 'proofs.no-such-person');
  return found;
}
