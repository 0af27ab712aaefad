import { describe, expect, it } from 'vitest';
import {
  cmeYearOf,
  cmeYearOfDate,
  cmeYearRange,
  evaluateStanding,
  type LedgerFact,
  NATIONAL_RULE_SET_2024,
  provinceCodeOfRegion,
  type RuleSet,
  ruleSetSchema,
  SHIPPED_RULE_SETS,
  SICHUAN_STYLE_RULE_SET_2024,
  type StandingReason,
  selectRuleSet,
  standingReasons,
  type TitleLevel,
  takesPartInRound,
  titleLevelOf,
  totalsFromLedger,
} from './rules.ts';

const I = (credits: number, level: LedgerFact['level'] = 'provincial'): LedgerFact => ({ creditClass: 'I', level, credits });
const II = (credits: number): LedgerFact => ({ creditClass: 'II', level: null, credits });
const furtherStudy = (months: number): LedgerFact => ({ creditClass: 'II', level: null, credits: 0, furtherStudyMonths: months });
/** A reversal as the ledger writes it: the same entry with the sign flipped. */
const reversal = (f: LedgerFact): LedgerFact => ({
  ...f,
  credits: -f.credits,
  furtherStudyMonths: f.furtherStudyMonths === undefined ? undefined : -f.furtherStudyMonths,
});

interface Case {
  name: string;
  ruleSet: RuleSet;
  title: string | null;
  facts: LedgerFact[];
  compliant: boolean;
  basis: 'credits' | 'further-study' | 'not-met';
  reasons: StandingReason[];
}

const N = NATIONAL_RULE_SET_2024;
const S = SICHUAN_STYLE_RULE_SET_2024;

const CASES: Case[] = [
  // The national rule: 25 credits of any class.
  {
    name: 'national: exactly 25 is compliant',
    ruleSet: N,
    title: '住院医师',
    facts: [I(10), II(15)],
    compliant: true,
    basis: 'credits',
    reasons: [{ key: 'standing.compliant-by-credits', params: { total: 25 } }],
  },
  {
    name: 'national: 25 of Class II alone is enough',
    ruleSet: N,
    title: '主任医师',
    facts: [II(25)],
    compliant: true,
    basis: 'credits',
    reasons: [{ key: 'standing.compliant-by-credits', params: { total: 25 } }],
  },
  {
    name: 'national: 24.5 is not',
    ruleSet: N,
    title: '主治医师',
    facts: [I(10), II(14.5)],
    compliant: false,
    basis: 'not-met',
    reasons: [{ key: 'standing.short-any', params: { missing: 0.5 } }],
  },
  {
    name: 'national: tenths add up exactly (0.1 × 250)',
    ruleSet: N,
    title: null,
    facts: Array.from({ length: 250 }, () => II(0.1)),
    compliant: true,
    basis: 'credits',
    reasons: [{ key: 'standing.compliant-by-credits', params: { total: 25 } }],
  },
  {
    name: 'national: a reversed entry no longer counts',
    ruleSet: N,
    title: '护师',
    facts: [I(10), II(15), reversal(II(15)), II(14)],
    compliant: false,
    basis: 'not-met',
    reasons: [{ key: 'standing.short-any', params: { missing: 1 } }],
  },
  {
    name: 'national: six months of further study without credits',
    ruleSet: N,
    title: '护师',
    facts: [furtherStudy(6)],
    compliant: true,
    basis: 'further-study',
    reasons: [{ key: 'standing.compliant-by-further-study', params: { months: 6 } }],
  },
  {
    name: 'national: five months of further study is not enough',
    ruleSet: N,
    title: '护师',
    facts: [furtherStudy(5), II(3)],
    compliant: false,
    basis: 'not-met',
    reasons: [{ key: 'standing.short-any', params: { missing: 22 } }],
  },
  {
    name: 'national: reversed further study no longer counts',
    ruleSet: N,
    title: '护师',
    facts: [furtherStudy(6), reversal(furtherStudy(6))],
    compliant: false,
    basis: 'not-met',
    reasons: [{ key: 'standing.short-any', params: { missing: 25 } }],
  },
  {
    name: 'national: nothing at all',
    ruleSet: N,
    title: null,
    facts: [],
    compliant: false,
    basis: 'not-met',
    reasons: [{ key: 'standing.short-any', params: { missing: 25 } }],
  },

  // The Sichuan-style rule: class minimums by title level, national minimum for senior titles.
  {
    name: 'Sichuan: junior, exactly 5 Class I and 20 Class II',
    ruleSet: S,
    title: '住院医师',
    facts: [I(5), II(20)],
    compliant: true,
    basis: 'credits',
    reasons: [{ key: 'standing.compliant-by-credits', params: { total: 25 } }],
  },
  {
    name: 'Sichuan: junior, Class II cannot stand in for Class I',
    ruleSet: S,
    title: '护士',
    facts: [I(4), II(21)],
    compliant: false,
    basis: 'not-met',
    reasons: [{ key: 'standing.short-class-i', params: { missing: 1 } }],
  },
  {
    name: 'Sichuan: surplus Class I stands in for Class II',
    ruleSet: S,
    title: '主治医师',
    facts: [I(14), II(11)],
    compliant: true,
    basis: 'credits',
    reasons: [{ key: 'standing.compliant-by-credits', params: { total: 25 } }],
  },
  {
    name: 'Sichuan: intermediate needs 10 Class I',
    ruleSet: S,
    title: '主管护师',
    facts: [I(7), II(18)],
    compliant: false,
    basis: 'not-met',
    reasons: [{ key: 'standing.short-class-i', params: { missing: 3 } }],
  },
  {
    name: 'Sichuan: senior, 3 Class I short of which 1 national',
    ruleSet: S,
    title: '副主任医师',
    facts: [I(1, 'national'), I(6), II(18)],
    compliant: false,
    basis: 'not-met',
    reasons: [{ key: 'standing.short-class-i-national', params: { missing: 3, national: 1 } }],
  },
  {
    name: 'Sichuan: senior with enough Class I but no national credits',
    ruleSet: S,
    title: '主任医师',
    facts: [I(12), II(15)],
    compliant: false,
    basis: 'not-met',
    reasons: [{ key: 'standing.short-class-i-national', params: { missing: 2, national: 2 } }],
  },
  {
    name: 'Sichuan: senior exactly at every minimum',
    ruleSet: S,
    title: '主任护师',
    facts: [I(2, 'national'), I(8), II(15)],
    compliant: true,
    basis: 'credits',
    reasons: [{ key: 'standing.compliant-by-credits', params: { total: 25 } }],
  },
  {
    name: 'Sichuan: short in both classes',
    ruleSet: S,
    title: '主治医师',
    facts: [I(8), II(10)],
    compliant: false,
    basis: 'not-met',
    reasons: [
      { key: 'standing.short-class-i', params: { missing: 2 } },
      { key: 'standing.short-class-ii', params: { missing: 5 } },
    ],
  },
  {
    name: 'Sichuan: reversed national entry reopens the national shortfall',
    ruleSet: S,
    title: '主任医师',
    facts: [I(2, 'national'), I(8), II(15), reversal(I(2, 'national')), I(2)],
    compliant: false,
    basis: 'not-met',
    reasons: [{ key: 'standing.short-class-i-national', params: { missing: 2, national: 2 } }],
  },
  {
    name: 'Sichuan: further study makes a short senior compliant',
    ruleSet: S,
    title: '主任医师',
    facts: [furtherStudy(7), I(3)],
    compliant: true,
    basis: 'further-study',
    reasons: [{ key: 'standing.compliant-by-further-study', params: { months: 7 } }],
  },
  {
    name: 'Sichuan: 24 with Class I met is short in Class II, not just in total',
    ruleSet: S,
    title: '主治医师',
    facts: [I(10), II(14)],
    compliant: false,
    basis: 'not-met',
    reasons: [{ key: 'standing.short-class-ii', params: { missing: 1 } }],
  },
];

describe('evaluateStanding with the shipped rule sets', () => {
  it.each(CASES)('$name', (c) => {
    const standing = evaluateStanding({ ruleSet: c.ruleSet, titleLevel: titleLevelOf(c.title), totals: totalsFromLedger(c.facts) });
    expect(standing.compliant).toBe(c.compliant);
    expect(standing.basis).toBe(c.basis);
    expect(standingReasons(standing)).toEqual(c.reasons);
  });

  it('keeps the shortfall beside a further-study standing, so a reviewer sees both', () => {
    const standing = evaluateStanding({ ruleSet: S, titleLevel: 'senior', totals: totalsFromLedger([furtherStudy(6)]) });
    expect(standing.shortfalls.map((s) => s.code)).toEqual(['class-i', 'class-ii']);
  });
});

describe('the CME year', () => {
  it.each([
    // [rule set, date, CME year]
    [N, '2025-01-01', 2025],
    [N, '2024-12-31', 2024],
    [S, '2024-10-31', 2024],
    [S, '2024-11-01', 2025],
    [S, '2025-10-31', 2025],
    [S, '2025-01-15', 2025],
  ] as const)('%#: %s → %s', (ruleSet, date, year) => {
    expect(cmeYearOf(ruleSet, date)).toBe(year);
  });

  it('runs from its start to the day before the next start', () => {
    expect(cmeYearRange(N, 2025)).toEqual({ from: '2025-01-01', to: '2025-12-31' });
    expect(cmeYearRange(S, 2025)).toEqual({ from: '2024-11-01', to: '2025-10-31' });
    // Every day of the range belongs to that year, and the next day to the next one.
    for (const ruleSet of SHIPPED_RULE_SETS) {
      const { from, to } = cmeYearRange(ruleSet, 2028);
      expect([cmeYearOf(ruleSet, from), cmeYearOf(ruleSet, to)]).toEqual([2028, 2028]);
      const after = new Date(Date.parse(`${to}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
      expect(cmeYearOf(ruleSet, after)).toBe(2029);
    }
  });
});

describe('the CME year of a date for people of a province', () => {
  it("starts the year when the province's rule set says, else when the national one does", () => {
    expect(cmeYearOfDate(SHIPPED_RULE_SETS, '51', '2025-11-01')).toBe(2026);
    expect(cmeYearOfDate(SHIPPED_RULE_SETS, '34', '2025-11-01')).toBe(2025);
    expect(cmeYearOfDate(SHIPPED_RULE_SETS, null, '2025-12-31')).toBe(2025);
  });

  it('is unknown where no rule set governs', () => {
    expect(cmeYearOfDate([S], '34', '2025-06-01')).toBeNull();
  });
});

describe('choosing a rule set', () => {
  it("takes the province's own rule set and falls back to the national one", () => {
    expect(selectRuleSet(SHIPPED_RULE_SETS, '51', 2025)?.id).toBe('51-2024');
    expect(selectRuleSet(SHIPPED_RULE_SETS, '34', 2025)?.id).toBe('CN-2024');
    expect(selectRuleSet(SHIPPED_RULE_SETS, null, 2025)?.id).toBe('CN-2024');
    expect(selectRuleSet(SHIPPED_RULE_SETS, '51', 2023)).toBeNull();
  });

  it('takes the newer copy when an edited rule set governs a later year', () => {
    const copy = ruleSetSchema.parse({ ...S, id: '51-2026', fromYear: 2026 });
    const closed = { ...S, toYear: 2025 };
    expect(selectRuleSet([closed, copy, N], '51', 2025)?.id).toBe('51-2024');
    expect(selectRuleSet([closed, copy, N], '51', 2026)?.id).toBe('51-2026');
  });

  it('refuses a rule set that leaves a title level without a requirement', () => {
    const res = ruleSetSchema.safeParse({ ...S, requirements: S.requirements.slice(1) });
    expect(res.success).toBe(false);
    expect(res.error?.issues[0]?.path).toEqual(['requirements']);
  });

  it('refuses a national minimum above the Class I minimum, and negative credits', () => {
    expect(
      ruleSetSchema.safeParse({
        ...N,
        requirements: [{ titleLevels: ['junior', 'intermediate', 'associate-senior', 'senior'], minTotal: 25, minClassI: 2, minNational: 3 }],
      }).success,
    ).toBe(false);
    expect(
      ruleSetSchema.safeParse({ ...N, requirements: [{ titleLevels: ['junior', 'intermediate', 'associate-senior', 'senior'], minTotal: -1 }] }).success,
    ).toBe(false);
  });

  it("finds a province's code in the region code of the province, a city or a county", () => {
    expect(provinceCodeOfRegion('510000')).toBe('51');
    expect(provinceCodeOfRegion('340100')).toBe('34');
    expect(provinceCodeOfRegion('340102')).toBe('34');
    expect(provinceCodeOfRegion(null)).toBeNull();
    expect(provinceCodeOfRegion('34')).toBeNull();
    expect(provinceCodeOfRegion('四川省')).toBeNull();
  });
});

describe('title levels and rounds', () => {
  it.each([
    ['住院医师', 'junior'],
    ['护师', 'junior'],
    ['主治医师', 'intermediate'],
    ['主管药师', 'intermediate'],
    ['副主任医师', 'associate-senior'],
    ['主任技师', 'senior'],
    ['', null],
    [null, null],
  ] as const)('%s is %s', (title, level) => {
    expect(titleLevelOf(title)).toBe(level);
  });

  it('admits only intermediate titles and above to the mid-year round', () => {
    const levels: (TitleLevel | null)[] = [null, 'junior', 'intermediate', 'associate-senior', 'senior'];
    expect(levels.map((l) => takesPartInRound('mid-year', l))).toEqual([false, false, true, true, true]);
    expect(levels.every((l) => takesPartInRound('year-end', l))).toBe(true);
  });
});
