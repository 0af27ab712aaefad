// Compliance (达标率) of a whole province is added up from each person's kept yearly totals
// (credit_totals) with the rule applied when it is asked: it must always equal a full
// recomputation from the ledger's entries, through appends, reversals, a voided year, a transfer
// between units and a new rule set. On the real app's database, seeded with the demo.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { appendLedgerEntries, liveEntriesOfYear, reverseLedgerEntry } from '../src/repositories/ledger.ts';
import { movePerson, placementOf } from '../src/repositories/placements.ts';
import { copyRuleSet } from '../src/repositories/rule-sets.ts';
import { recordVoidedYear } from '../src/repositories/sanctions.ts';
import { loadRuleSets, ruleSetFor, standingsOf } from '../src/repositories/standing.ts';
import { newId, type Requirement, requirementFor, type RuleSet, titleLevelOf } from '@opencme/core';
import { provinceCodeOf } from '../src/repositories/organisations.ts';
import { complianceByDepartment, countsForRate } from '../src/repositories/verification.ts';
import { startServer, type TestServer } from './harness.ts';

const YEAR = 2026;
let server: TestServer;
let province: string;
beforeAll(async () => {
  server = await startServer();
  province = (await server.db.selectFrom('organisations').select('id').where('kind', '=', 'province').orderBy('id').executeTakeFirstOrThrow()).id;
});
afterAll(() => server.close());

/** Per department, counted and compliant, summed from every ledger entry (never from the kept totals) and judged by core's `evaluateStanding`. */
async function recomputed(year = YEAR, scope = province): Promise<Record<string, { counted: number; compliant: number }>> {
  const everyEntry = new Date('2100-01-01T00:00:00Z');
  const rows: Record<string, { counted: number; compliant: number }> = {};
  for (const p of await standingsOf(server.db, { organisationId: scope }, year, { approvedBefore: everyEntry })) {
    if (!countsForRate(p)) continue;
    const row = (rows[p.departmentId ?? ''] ??= { counted: 0, compliant: 0 });
    row.counted += 1;
    if (p.standing.compliant) row.compliant += 1;
  }
  return rows;
}

/** Per department, as the compliance page gets it: judged in the database from the kept totals. */
async function kept(year = YEAR, scope = province): Promise<Record<string, { counted: number; compliant: number }>> {
  const rows = await complianceByDepartment(server.db, { organisationId: scope, cmeYear: year });
  return Object.fromEntries(rows.map((r) => [r.departmentId ?? '', { counted: r.counted, compliant: r.compliant }]));
}

const compliantIn = (rows: Record<string, { compliant: number }>) => Object.values(rows).reduce((s, r) => s + r.compliant, 0);

it('equals a full recomputation from the ledger through appends, reversals, a voided year, a transfer and a new rule set', async () => {
  const { db } = server;
  const persons = await db
    .selectFrom('persons')
    .select(['id', 'institution_id'])
    .where('registration_status', '=', 'approved')
    .where('left_on', 'is', null)
    .where('employed_title', 'is not', null)
    .orderBy('id')
    .execute();
  const counted = (await standingsOf(db, { organisationId: province }, YEAR)).filter(countsForRate).map((p) => p.personId);
  expect(counted.length).toBeGreaterThan(4);
  expect(await kept()).toEqual(await recomputed());
  const admin = (await db.selectFrom('users').select('id').orderBy('id').executeTakeFirstOrThrow()).id;

  // Appends and reversals, in batches, for the counted staff and others.
  let seed = 7;
  const random = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
  const pick = <T>(items: readonly T[]) => items[Math.floor(random() * items.length)]!;
  const written: string[] = [];
  for (let n = 0; n < 60; n++) {
    if (written.length > 0 && random() < 0.25) {
      await reverseLedgerEntry(db, { entryId: pick(written), reason: '核查', approvedBy: admin, at: server.clock.now });
      continue;
    }
    const creditClass = pick(['I', 'II'] as const);
    const batch = Array.from({ length: 1 + Math.floor(random() * 4) }, () => ({
      personId: random() < 0.7 ? pick(counted) : pick(persons).id,
      cmeYear: YEAR,
      creditClass,
      level: creditClass === 'I' ? pick(['national', 'provincial'] as const) : null,
      credits: pick([0.5, 2, 5, 10]),
      sourceKind: 'import' as const,
      sourceId: newId(),
      sourceLabel: '导入',
      approvedBy: null,
      at: server.clock.now,
    }));
    written.push(...(await db.transaction().execute((trx) => appendLedgerEntries(trx, batch))));
  }
  const afterAppends = await kept();
  expect(afterAppends).toEqual(await recomputed());
  expect(compliantIn(afterAppends)).toBeGreaterThan(0);

  // A voided year (作废年度学分): its entries reversed, and nothing more enters it.
  const cheat = counted[0]!;
  for (const entryId of await liveEntriesOfYear(db, cheat, YEAR))
    await reverseLedgerEntry(db, { entryId, reason: '作废', approvedBy: admin, at: server.clock.now });
  await recordVoidedYear(db, { personId: cheat, cmeYear: YEAR, reason: '代刷', by: admin, at: server.clock.now });
  const blocked = { personId: cheat, cmeYear: YEAR, creditClass: 'II' as const, level: null, credits: 30, sourceKind: 'import' as const };
  expect(await appendLedgerEntries(db, [{ ...blocked, sourceId: newId(), sourceLabel: '导入', approvedBy: null, at: server.clock.now }])).toEqual([]);
  expect(await kept()).toEqual(await recomputed());

  // A transfer into another unit's department during the year: she counts there at the year's end.
  const mover = counted.find((id) => id !== cheat)!;
  const placement = await placementOf(db, mover);
  const elsewhere = await db
    .selectFrom('organisations')
    .select(['id', 'parent_id'])
    .where('kind', '=', 'department')
    .where('parent_id', '!=', placement.institution_id)
    .orderBy('id')
    .executeTakeFirstOrThrow();
  await movePerson(db, { person: placement, institutionId: elsewhere.parent_id!, departmentId: elsewhere.id, from: `${YEAR}-06-01`, now: server.clock.now });
  const afterMove = await kept();
  expect(afterMove).toEqual(await recomputed());
  expect(afterMove[elsewhere.id]?.counted ?? 0).toBeGreaterThan(0);

  // A new rule set for the year asks more of everyone: the figure follows it at once.
  const governing = ruleSetFor(await loadRuleSets(db), await provinceCodeOf(db, placement.institution_id), YEAR);
  await copyRuleSet(
    db,
    {
      sourceId: governing.id,
      region: governing.region,
      fromYear: YEAR,
      name: '更严的规则',
      requirements: governing.requirements.map((r) => ({ ...r, minTotal: r.minTotal + 20 })),
      basis: '测试',
    },
    { userId: admin, at: server.clock.now },
  );
  const stricter = await kept();
  expect(stricter).toEqual(await recomputed());
  expect(compliantIn(stricter)).toBeLessThan(compliantIn(afterMove));
});

it('judges the edges as core does: exact minimums, a tenth short, national, class I over class II, further study, no held title; for a province and a department', async () => {
  const { db } = server;
  const year = YEAR + 1;
  const admin = (await db.selectFrom('users').select('id').orderBy('id').executeTakeFirstOrThrow()).id;
  // People of one province, under a rule with every kind of minimum: by title level, class I with
  // national credits in it, class II, and further study (进修) in their stead.
  const everyone = (await standingsOf(db, { organisationId: province }, year)).filter(countsForRate);
  const code = await provinceCodeOf(db, everyone[0]!.institutionId);
  const people = [];
  for (const p of everyone) if ((await provinceCodeOf(db, p.institutionId)) === code) people.push(p);
  expect(people.length).toBeGreaterThan(7);
  const governing = ruleSetFor(await loadRuleSets(db), code, year);
  await copyRuleSet(
    db,
    {
      sourceId: governing.id,
      region: governing.region,
      fromYear: year,
      name: '分级规则',
      requirements: [
        { titleLevels: ['junior'], minTotal: 25, minClassI: 5, minNational: 0, minClassII: 15 },
        { titleLevels: ['intermediate'], minTotal: 25, minClassI: 10, minNational: 0, minClassII: 10 },
        { titleLevels: ['associate-senior', 'senior'], minTotal: 30, minClassI: 10, minNational: 2, minClassII: 15 },
      ],
      basis: '测试',
    },
    { userId: admin, at: server.clock.now },
  );
  const ruleSets = await loadRuleSets(db);
  // No held title, employed as 主治医师: counted for the rate, judged as a junior.
  const senior = people.find((p) => ['associate-senior', 'senior'].includes(titleLevelOf(p.title) ?? ''))!;
  const untitled = people.filter((p) => p !== senior).at(-1)!;
  await db.updateTable('persons').set({ title: null, employed_title: '主治医师' }).where('id', '=', untitled.personId).execute();
  expect(ruleSetFor(ruleSets, code, year).furtherStudyMinMonths).toBeGreaterThan(1);
  const at = server.clock.now;
  const entry = (personId: string, creditClass: 'I' | 'II', level: 'national' | 'provincial' | null, credits: number) => ({
    personId,
    cmeYear: year,
    creditClass,
    level,
    credits,
    sourceKind: 'import' as const,
    sourceId: newId(),
    sourceLabel: '导入',
    approvedBy: null,
    at,
  });
  const cases: { name: string; compliant: boolean; credits: (q: Requirement, r: RuleSet) => { I: number; national: number; II: number; months?: number } }[] = [
    { name: 'exact', compliant: true, credits: (q) => ({ I: q.minClassI, national: q.minNational, II: q.minTotal - q.minClassI }) },
    { name: 'a tenth short', compliant: false, credits: (q) => ({ I: q.minClassI, national: q.minNational, II: q.minTotal - q.minClassI - 0.1 }) },
    { name: 'class I over class II', compliant: true, credits: (q) => ({ I: q.minTotal, national: q.minNational, II: 0 }) },
    { name: 'class I a tenth short, total met', compliant: false, credits: (q) => ({ I: q.minClassI - 0.1, national: 0, II: q.minTotal }) },
    { name: 'national short', compliant: false, credits: (q) => ({ I: q.minTotal, national: q.minNational - 0.5, II: q.minTotal }) },
    { name: 'further study only', compliant: true, credits: (_, r) => ({ I: 0, national: 0, II: 0.5, months: r.furtherStudyMinMonths! }) },
    { name: 'further study a month short', compliant: false, credits: (_, r) => ({ I: 0, national: 0, II: 0.5, months: r.furtherStudyMinMonths! - 1 }) },
    {
      name: 'no held title, junior minimums met',
      compliant: true,
      credits: (q) => ({ I: q.minClassI, national: q.minNational, II: q.minTotal - q.minClassI }),
    },
  ];
  // The national case needs a senior (副高 and above); the last one has her held title taken away.
  const others = people.filter((p) => p !== senior && p !== untitled);
  const crafted = [...others.slice(0, 4), senior, ...others.slice(4, 6), untitled];
  for (const [i, c] of cases.entries()) {
    const person = crafted[i]!;
    const held = i === 7 ? null : person.title;
    const ruleSet = ruleSetFor(ruleSets, await provinceCodeOf(db, person.institutionId), year);
    const q = requirementFor(ruleSet, titleLevelOf(held));
    expect(q.minClassI, c.name).toBeGreaterThan(0);
    const { I, national, II, months } = c.credits(q, ruleSet);
    const entries: ReturnType<typeof entry>[] = [];
    if (national > 0) entries.push(entry(person.personId, 'I', 'national', national));
    if (I - Math.max(national, 0) > 0) entries.push(entry(person.personId, 'I', 'provincial', Math.round((I - Math.max(national, 0)) * 10) / 10));
    if (II > 0) entries.push(entry(person.personId, 'II', null, II));
    await db.transaction().execute((trx) => appendLedgerEntries(trx, entries));
    if (months !== undefined) {
      const claimId = newId();
      await db
        .insertInto('claims')
        .values({
          id: claimId,
          person_id: person.personId,
          activity: 'further-study',
          occurred_on: `${year}-06-30`,
          cme_year: year,
          credit_class: 'II',
          level: null,
          credits: 0,
          months,
          description: '进修',
          chain: '["unit"]',
          stage: 1,
          status: 'approved',
          replaces_id: null,
          submitted_by: admin,
          submitted_at: at.toISOString(),
          closed_at: at.toISOString(),
        })
        .execute();
      await appendLedgerEntries(db, [{ ...entry(person.personId, 'II', null, 0), sourceKind: 'claim', sourceId: claimId }]);
    }
    // The case is what it says: core judges it so.
    const [standing] = await standingsOf(db, { personIds: [person.personId] }, year);
    expect(standing!.standing.compliant, c.name).toBe(c.compliant);
  }
  expect(await kept(year)).toEqual(await recomputed(year));
  expect(compliantIn(await kept(year))).toBeGreaterThan(0);
  // A department's own figure, where its unit lies outside the subtree asked about.
  const department = crafted[0]!.departmentId!;
  const own = await kept(year, department);
  expect(own).toEqual(await recomputed(year, department));
  expect(own[department]!.counted).toBeGreaterThan(0);
});
