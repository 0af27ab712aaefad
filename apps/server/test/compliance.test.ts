// Compliance (达标率) of a whole province is added up from each person's kept yearly totals
// (credit_totals) with the rule applied when it is asked: it must always equal a full
// recomputation from the ledger's entries, through appends, reversals, a voided year, a transfer
// between units and a new rule set. On the real app's database, seeded with the demo.
import { newId } from '@opencme/core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { appendLedgerEntries, liveEntriesOfYear, reverseLedgerEntry } from '../src/repositories/ledger.ts';
import { movePerson, placementOf } from '../src/repositories/placements.ts';
import { copyRuleSet } from '../src/repositories/rule-sets.ts';
import { recordVoidedYear } from '../src/repositories/sanctions.ts';
import { loadRuleSets, ruleSetFor, standingsOf } from '../src/repositories/standing.ts';
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

/** Per department, counted and compliant, summed from every ledger entry (never from the kept totals). */
async function recomputed(): Promise<Record<string, { counted: number; compliant: number }>> {
  const everyEntry = new Date('2100-01-01T00:00:00Z');
  const rows: Record<string, { counted: number; compliant: number }> = {};
  for (const p of await standingsOf(server.db, { organisationId: province }, YEAR, { approvedBefore: everyEntry })) {
    if (!countsForRate(p)) continue;
    const row = (rows[p.departmentId ?? ''] ??= { counted: 0, compliant: 0 });
    row.counted += 1;
    if (p.standing.compliant) row.compliant += 1;
  }
  return rows;
}

async function kept(): Promise<Record<string, { counted: number; compliant: number }>> {
  const rows = await complianceByDepartment(server.db, { organisationId: province, cmeYear: YEAR });
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
