// Standing computed from the real ledger in a real SQLite file, through the API: each person's
// rule set comes from their province, a reversal cancels what it reverses, further study counts,
// and an office's copy of a rule set for a new year changes the next year's results only.
import { evaluateStanding, type LedgerFact, newId, NATIONAL_RULE_SET_2024, totalsFromLedger } from '@opencme/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reverseLedgerEntry } from '../src/repositories/ledger.ts';
import { standingOfPerson } from '../src/repositories/standing.ts';
import { createUser } from '../src/repositories/users.ts';
import { addOrganisation, addPerson, credit } from './fixtures.ts';
import { type Client, startServer, type TestServer } from './harness.ts';

let server: TestServer;
let admin: Client;
let sichuanOffice: Client;
let anhuiPerson: string;
let sichuanSenior: { id: string };
let sichuanHospital: string;

beforeAll(async () => {
  server = await startServer();
  admin = await server.admin();
  const province = await addOrganisation(server, 'province', '四川省', null, '510000');
  sichuanHospital = await addOrganisation(server, 'institution', '成都市第二人民医院', await addOrganisation(server, 'city', '成都市', province));
  sichuanSenior = await addPerson(server, { name: '李主任', title: '主任医师', institutionId: sichuanHospital, departmentId: null });
  await createUser(server.db, {
    login: 'sc-office',
    displayName: '四川省继教办',
    password: 'pw-sc',
    role: 'province-admin',
    organisationId: province,
    now: server.clock.now,
  });
  sichuanOffice = server.client({ cookie: await server.login({ login: 'sc-office', password: 'pw-sc' }) });
  // A person of the demo hospital with no demo credits, so every entry below is the test's own.
  const demo = await server.db.selectFrom('persons').select('institution_id').executeTakeFirstOrThrow();
  anhuiPerson = (await addPerson(server, { name: '王住院', title: '住院医师', institutionId: demo.institution_id, departmentId: null, region: '340102' })).id;
});
afterAll(() => server.close());

describe('standing from the ledger', () => {
  it('applies the national rule in Anhui: exactly 25 is compliant, and a reversal takes it back', async () => {
    const [, last] = await credit(server, anhuiPerson, 2025, [{ creditClass: 'I', level: 'provincial', credits: 10 }, { credits: 15 }]);
    let res = await admin.standing.person.query({ personId: anhuiPerson, cmeYear: 2025 });
    expect(res.standing.ruleSetId).toBe('CN-2024');
    expect(res.standing.compliant).toBe(true);
    expect(res.reasons).toEqual([{ key: 'standing.compliant-by-credits', params: { total: 25 } }]);

    await reverseLedgerEntry(server.db, { entryId: last!, reason: '重复录入', approvedBy: 'test', at: server.clock.now });
    res = await admin.standing.person.query({ personId: anhuiPerson, cmeYear: 2025 });
    expect(res.standing.totals.total).toBe(10);
    expect(res.reasons).toEqual([{ key: 'standing.short-any', params: { missing: 15 } }]);
    // The entries behind the result are listed, the reversal among them.
    expect(res.entries.map((e) => e.credits)).toEqual([10, 15, -15]);
    // Credits never carry into another year.
    expect((await admin.standing.person.query({ personId: anhuiPerson, cmeYear: 2026 })).standing.totals.total).toBe(0);
  });

  it('counts an approved further-study claim and drops it when its entry is reversed', async () => {
    const anhuiHospital = (await server.db.selectFrom('persons').select('institution_id').where('id', '=', anhuiPerson).executeTakeFirstOrThrow())
      .institution_id;
    const person = await addPerson(server, { name: '进修者', title: '护师', institutionId: anhuiHospital, departmentId: null, region: '340102' });
    const user = await server.db.selectFrom('users').select('id').executeTakeFirstOrThrow();
    const claimId = newId();
    await server.db
      .insertInto('claims')
      .values({
        id: claimId,
        person_id: person.id,
        activity: 'further-study',
        occurred_on: '2025-06-30',
        cme_year: 2025,
        credit_class: 'II',
        level: null,
        credits: 0,
        months: 6,
        description: '华西医院进修',
        chain: '["unit"]',
        stage: 1,
        status: 'approved',
        replaces_id: null,
        submitted_by: user.id,
        submitted_at: server.clock.now.toISOString(),
        closed_at: server.clock.now.toISOString(),
      })
      .execute();
    const [entry] = await credit(server, person.id, 2025, [{ credits: 0, sourceKind: 'claim', sourceId: claimId }]);
    let res = await admin.standing.person.query({ personId: person.id, cmeYear: 2025 });
    expect(res.standing.basis).toBe('further-study');
    expect(res.reasons).toEqual([{ key: 'standing.compliant-by-further-study', params: { months: 6 } }]);

    await reverseLedgerEntry(server.db, { entryId: entry!, reason: '证明不实', approvedBy: 'test', at: server.clock.now });
    res = await admin.standing.person.query({ personId: person.id, cmeYear: 2025 });
    expect(res.standing.compliant).toBe(false);
    expect(res.standing.totals.furtherStudyMonths).toBe(0);
  });

  it("applies Sichuan's own rule to a Sichuan hospital and explains the national shortfall", async () => {
    await credit(server, sichuanSenior.id, 2025, [
      { creditClass: 'I', level: 'national', credits: 1 },
      { creditClass: 'I', level: 'provincial', credits: 6 },
      { credits: 18 },
    ]);
    const res = await sichuanOffice.standing.person.query({ personId: sichuanSenior.id, cmeYear: 2025 });
    expect(res.standing.ruleSetId).toBe('51-2024');
    expect(res.reasons).toEqual([{ key: 'standing.short-class-i-national', params: { missing: 3, national: 1 } }]);
    const unit = await sichuanOffice.standing.organisation.query({ organisationId: sichuanHospital, cmeYear: 2025 });
    expect(unit.find((p) => p.personId === sichuanSenior.id)?.reasons).toEqual([
      { key: 'standing.short-class-i-national', params: { missing: 3, national: 1 } },
    ]);
  });

  it("lets the province office copy its rule set for a new year without changing past years' results", async () => {
    const copy = await sichuanOffice.ruleSets.copyForYear.mutate({
      sourceId: '51-2024',
      region: '51',
      fromYear: 2026,
      name: '四川省继续医学教育学分审验规则（2026）',
      requirements: [
        { titleLevels: ['junior', 'intermediate'], minTotal: 25, minClassI: 5, minNational: 0, minClassII: 0 },
        { titleLevels: ['associate-senior', 'senior'], minTotal: 25, minClassI: 5, minNational: 0, minClassII: 0 },
      ],
      basis: '川继委办发〔2026〕示例',
    });
    expect(copy.id).toBe('51-2026');
    await credit(server, sichuanSenior.id, 2026, [{ creditClass: 'I', level: 'provincial', credits: 7 }, { credits: 18 }]);
    expect((await sichuanOffice.standing.person.query({ personId: sichuanSenior.id, cmeYear: 2026 })).standing).toMatchObject({
      ruleSetId: '51-2026',
      compliant: true,
    });
    expect((await sichuanOffice.standing.person.query({ personId: sichuanSenior.id, cmeYear: 2025 })).standing).toMatchObject({
      ruleSetId: '51-2024',
      compliant: false,
    });
    const listed = await sichuanOffice.ruleSets.list.query();
    expect(listed.ruleSets.map((r) => r.id)).toEqual(expect.arrayContaining(['CN-2024', '51-2024', '51-2026']));
    expect(listed.ownRegion).toBe('51');
    expect((await admin.ruleSets.list.query()).ownRegion).toBe('34');
  });

  it('refuses a copy that leaves a title level without a requirement, in both languages, and stores nothing', async () => {
    const before = await server.db.selectFrom('rule_sets').select('id').execute();
    const attempt = sichuanOffice.ruleSets.copyForYear.mutate({
      sourceId: '51-2024',
      region: '51',
      fromYear: 2027,
      name: '缺少职称级别',
      requirements: [{ titleLevels: ['junior'], minTotal: 25, minClassI: 0, minNational: 0, minClassII: 0 }],
      basis: '测试',
    });
    await expect(attempt).rejects.toMatchObject({
      message: 'rule-sets.rule-set-incomplete-wrong',
      data: { messageKey: 'rule-sets.rule-set-incomplete-wrong', params: { where: 'requirements' } },
    });
    expect(await server.db.selectFrom('rule_sets').select('id').execute()).toHaveLength(before.length);
  });

  it("takes a province's rule set from its stored region code, whatever the province is called", async () => {
    // Named as no list of province names knows it; the division code says Sichuan. Last, because a
    // second province with code 51 would share the Sichuan office's rule sets.
    const province = await addOrganisation(server, 'province', '示范省（川）', null, '510000');
    const hospital = await addOrganisation(server, 'institution', '示范医院', await addOrganisation(server, 'city', '示范市', province, '510100'));
    const person = await addPerson(server, { name: '赵主任', title: '主任医师', institutionId: hospital, departmentId: null });
    expect((await standingOfPerson(server.db, person.id, 2025)).standing.ruleSetId).toBe('51-2024');
  });
});

describe('the sums of standing', () => {
  it("are the same in the SQL that computes standings in bulk and in core's totalsFromLedger, over a varied ledger", async () => {
    const anhuiHospital = (await server.db.selectFrom('persons').select('institution_id').where('id', '=', anhuiPerson).executeTakeFirstOrThrow())
      .institution_id;
    const user = await server.db.selectFrom('users').select('id').executeTakeFirstOrThrow();
    const people = [
      await addPerson(server, { name: '甲和', title: '主治医师', institutionId: anhuiHospital, departmentId: null, region: '340102' }),
      await addPerson(server, { name: '乙和', title: '护师', institutionId: anhuiHospital, departmentId: null, region: '340102' }),
    ];
    const furtherStudy = async (personId: string, cmeYear: number, months: number) => {
      const id = newId();
      const at = server.clock.now.toISOString();
      await server.db
        .insertInto('claims')
        .values({
          id,
          person_id: personId,
          activity: 'further-study',
          occurred_on: `${cmeYear}-06-30`,
          cme_year: cmeYear,
          credit_class: 'II',
          level: null,
          credits: 0,
          months,
          description: '进修',
          chain: '["unit"]',
          stage: 1,
          status: 'approved',
          replaces_id: null,
          submitted_by: user.id,
          submitted_at: at,
          closed_at: at,
        })
        .execute();
      return (await credit(server, personId, cmeYear, [{ credits: 0, sourceKind: 'claim', sourceId: id }]))[0]!;
    };
    const reverse = (entryId: string) => reverseLedgerEntry(server.db, { entryId, reason: '更正', approvedBy: 'test', at: server.clock.now });

    for (const [i, person] of people.entries()) {
      // The years on either side hold entries too: none may leak into 2025.
      for (const year of [2024, 2025, 2026]) {
        const ids = await credit(server, person.id, year, [
          { creditClass: 'I', level: 'national', credits: 2.5 + i },
          { creditClass: 'I', level: 'provincial', credits: 0.1 },
          { creditClass: 'I', level: 'city', credits: 0.2 },
          { creditClass: 'II', level: 'unit', credits: 1.5 },
          { creditClass: 'II', level: null, credits: 0.3 },
        ]);
        await reverse(ids[i]!);
        const kept = await furtherStudy(person.id, year, 4 + i);
        const reversed = await furtherStudy(person.id, year, 3);
        await reverse(reversed);
        if (year === 2025 && i === 0) await reverse(kept);
      }
    }

    for (const person of people) {
      const rows = await server.db
        .selectFrom('ledger_entries as e')
        .leftJoin('ledger_entries as o', 'o.id', 'e.reverses_id')
        .leftJoin('claims as c', (j) => j.on((eb) => eb.or([eb('c.id', '=', eb.ref('e.source_id')), eb('c.id', '=', eb.ref('o.source_id'))])))
        .select(['e.credit_class', 'e.level', 'e.credits', 'e.source_kind', 'c.activity', 'c.months'])
        .where('e.person_id', '=', person.id)
        .where('e.cme_year', '=', 2025)
        .execute();
      const facts: LedgerFact[] = rows.map((r) => ({
        creditClass: r.credit_class,
        level: r.level,
        credits: r.credits,
        furtherStudyMonths: r.activity === 'further-study' ? (r.months ?? 0) * (r.source_kind === 'reversal' ? -1 : 1) : 0,
      }));
      const fromCore = evaluateStanding({ ruleSet: NATIONAL_RULE_SET_2024, titleLevel: null, totals: totalsFromLedger(facts) }).totals;
      const fromSql = (await standingOfPerson(server.db, person.id, 2025)).standing.totals;
      expect(fromSql, person.id).toEqual(fromCore);
    }
    // Spot checks, so that agreeing on nothing cannot pass: the second person keeps national 3.5 and
    // city 0.2 (the provincial 0.1 was reversed), Class II 1.5 + 0.3, and 5 months; the first no months.
    const second = (await standingOfPerson(server.db, people[1]!.id, 2025)).standing.totals;
    expect(second).toMatchObject({ classI: 3.7, national: 3.5, classII: 1.8, furtherStudyMonths: 5 });
    expect((await standingOfPerson(server.db, people[0]!.id, 2025)).standing.totals.furtherStudyMonths).toBe(0);
  });
});
