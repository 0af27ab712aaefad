// Credit rule sets (学分审验规则) and the rule engine. Rules are data: a rule set is a versioned
// record for a region (the nation or one province), a range of CME years and each title level,
// so an office changes a minimum by publishing a new rule set, never by changing code. The
// engine answers whether a person's credits for one CME year meet the rule, and says why in
// words a person can act on ("needs 3 more Class I credits, of which 1 national").
import { z } from 'zod';

/** Professional title levels (职称级别): 初级 / 中级 / 副高 / 正高. */
export const TITLE_LEVELS = ['junior', 'intermediate', 'associate-senior', 'senior'] as const;
export type TitleLevel = (typeof TITLE_LEVELS)[number];

/**
 * The level of a professional title (职称) as users write it. 主任… is senior, 副主任… associate
 * senior, 主治… and 主管… intermediate, the rest (住院医师, 护师, 药士 …) junior. `null` when there
 * is no title at all, which the rule sets treat as junior.
 */
export function titleLevelOf(title: string | null | undefined): TitleLevel | null {
  const t = title?.trim();
  if (!t) return null;
  if (t.startsWith('副主任')) return 'associate-senior';
  if (t.startsWith('主任')) return 'senior';
  if (t.startsWith('主治') || t.startsWith('主管')) return 'intermediate';
  return 'junior';
}

/** Credit levels of a project; only Class I (Ⅰ类) credits have a level that rules count. */
export const CREDIT_LEVELS = ['national', 'provincial', 'city', 'unit'] as const;
export type CreditLevel = (typeof CREDIT_LEVELS)[number];
export type CreditClass = 'I' | 'II';

const credits = z.number().min(0).max(1000);

/** What one title level must earn in a CME year. Absent minimums are not required. */
export const requirementSchema = z
  .object({
    titleLevels: z.array(z.enum(TITLE_LEVELS)).min(1),
    minTotal: credits,
    minClassI: credits.default(0),
    /** Class I credits from national-level (国家级) projects, counted within `minClassI`. */
    minNational: credits.default(0),
    /** Class II minimum; surplus Class I credits count towards it (Ⅰ类可替代Ⅱ类, never the reverse). */
    minClassII: credits.default(0),
  })
  .refine((r) => r.minNational <= r.minClassI || r.minClassI === 0, { message: 'rules.national-over-class-i', path: ['minNational'] });
export type Requirement = z.infer<typeof requirementSchema>;

/**
 * A province's annual certificate (e.g. Hunan's 专业科目培训合格证明): a year whose credits meet the
 * rule stands for `professionalHours` of professional-subject training (专业科目) towards the HR
 * office's yearly requirement; the public subjects (公共科目) are the HR office's own, at
 * `publicHoursRequired` hours a year, and are printed for the reader's information only.
 */
export const annualCertificateRuleSchema = z.object({
  title: z.string().min(1).max(40),
  professionalHours: z.number().int().min(1).max(1000),
  publicHoursRequired: z.number().int().min(0).max(1000),
});
export type AnnualCertificateRule = z.infer<typeof annualCertificateRuleSchema>;

export const ruleSetSchema = z
  .object({
    /** e.g. `CN-2024`, `51-2024`: region and first year; a new version of the same gets a new id. */
    id: z.string().regex(/^[A-Z0-9]{2}-\d{4}(-[a-z0-9-]+)?$/),
    name: z.string().min(1).max(100),
    /** `CN` for the national rule, otherwise the province's division code (GB/T 2260, e.g. `51` Sichuan). */
    region: z.string().regex(/^(CN|\d{2})$/),
    fromYear: z.number().int().min(2000).max(2100),
    /** Last CME year it governs; `null` while it is the one in force. */
    toYear: z.number().int().min(2000).max(2100).nullable(),
    /**
     * When a CME year begins (not always 1 January). With `startsInPreviousCalendarYear`, CME
     * year N begins on that day of calendar year N − 1 (e.g. 2025 runs 2024-11-01 … 2025-10-31).
     */
    cmeYearStart: z.object({
      month: z.number().int().min(1).max(12),
      day: z.number().int().min(1).max(28),
      startsInPreviousCalendarYear: z.boolean(),
    }),
    /** Further study (进修) of at least this many months in the year is compliant without credits. */
    furtherStudyMinMonths: z.number().int().min(1).max(12).nullable(),
    /** One requirement per title level; every level appears exactly once. */
    requirements: z.array(requirementSchema).min(1),
    /** Where the numbers come from (the notice's document number), shown to reviewers. */
    basis: z.string().max(300),
    /** The yearly certificate a compliant year earns, where the province issues one; `null` where it does not. */
    annualCertificate: annualCertificateRuleSchema.nullable().default(null),
  })
  .refine((r) => r.toYear === null || r.toYear >= r.fromYear, { message: 'rules.to-year-before-from-year', path: ['toYear'] })
  .refine(
    (r) => {
      const levels = r.requirements.flatMap((q) => q.titleLevels);
      return levels.length === TITLE_LEVELS.length && TITLE_LEVELS.every((l) => levels.includes(l));
    },
    { message: 'rules.one-requirement-per-title-level', path: ['requirements'] },
  );
export type RuleSet = z.infer<typeof ruleSetSchema>;
export type RuleSetInput = z.input<typeof ruleSetSchema>;

/**
 * The national rule from 2024: at least 25 credits a year, with no split between classes; six
 * months of further study counts as compliant. The CME year is the calendar year.
 */
export const NATIONAL_RULE_SET_2024: RuleSet = ruleSetSchema.parse({
  id: 'CN-2024',
  name: '全国继续医学教育学分规则（2024）',
  region: 'CN',
  fromYear: 2024,
  toYear: null,
  cmeYearStart: { month: 1, day: 1, startsInPreviousCalendarYear: false },
  furtherStudyMinMonths: 6,
  requirements: [{ titleLevels: [...TITLE_LEVELS], minTotal: 25 }],
  basis: '全国继续医学教育委员会：每年不少于25学分；6个月以上进修视为达标',
});

/**
 * A Sichuan-style provincial rule (四川省式): Class I and Class II minimums by title level, a
 * national-level minimum for senior titles, and a CME year that starts on 1 November of the
 * previous calendar year. The figures are the demo's; an office edits a copy to its own notice.
 */
export const SICHUAN_STYLE_RULE_SET_2024: RuleSet = ruleSetSchema.parse({
  id: '51-2024',
  name: '四川省继续医学教育学分审验规则（2024，示例）',
  region: '51',
  fromYear: 2024,
  toYear: null,
  cmeYearStart: { month: 11, day: 1, startsInPreviousCalendarYear: true },
  furtherStudyMinMonths: 6,
  requirements: [
    { titleLevels: ['junior'], minTotal: 25, minClassI: 5, minClassII: 15 },
    { titleLevels: ['intermediate'], minTotal: 25, minClassI: 10, minClassII: 15 },
    { titleLevels: ['associate-senior', 'senior'], minTotal: 25, minClassI: 10, minNational: 2, minClassII: 15 },
  ],
  basis: '参照《四川省继续医学教育学分管理办法（试行）》（川卫办发〔2017〕134号）的分级要求，数值为示例',
});

/**
 * Hunan's rule (湖南省): professional-subject training by credits (学分制), the credits of a year
 * verified within that year only; a compliant year earns the 专业科目培训合格证明, which counts as
 * the 60 hours of professional subjects the HR office asks for, beside its own 30 hours of public
 * subjects. The credit minimums are the national rule's (the notice defers to it).
 */
export const HUNAN_RULE_SET_2024: RuleSet = ruleSetSchema.parse({
  id: '43-2024',
  name: '湖南省卫生技术人员继续医学教育学分规则（2024）',
  region: '43',
  fromYear: 2024,
  toYear: null,
  cmeYearStart: { month: 1, day: 1, startsInPreviousCalendarYear: false },
  furtherStudyMinMonths: 6,
  requirements: [{ titleLevels: [...TITLE_LEVELS], minTotal: 25 }],
  basis:
    '湖南省卫生健康委《关于做好卫生技术人员继续医学教育工作的通知》：学分合格人员按年度生成《专业科目培训合格证明》，视为完成60学时专业科目培训；公共科目每人每年不少于30学时',
  annualCertificate: { title: '专业科目培训合格证明', professionalHours: 60, publicHoursRequired: 30 },
});

export const SHIPPED_RULE_SETS: readonly RuleSet[] = [NATIONAL_RULE_SET_2024, SICHUAN_STYLE_RULE_SET_2024];

/** The rule set in force for a province (division code) and CME year: the province's own, else the national one. */
export function selectRuleSet(ruleSets: readonly RuleSet[], provinceCode: string | null, cmeYear: number): RuleSet | null {
  const governs = (r: RuleSet) => r.fromYear <= cmeYear && (r.toYear === null || cmeYear <= r.toYear);
  // The newest version wins when an edited copy overlaps the original.
  const newest = (list: RuleSet[]) => list.sort((a, b) => b.fromYear - a.fromYear || b.id.localeCompare(a.id))[0] ?? null;
  return newest(ruleSets.filter((r) => r.region === provinceCode && governs(r))) ?? newest(ruleSets.filter((r) => r.region === 'CN' && governs(r)));
}

export function requirementFor(ruleSet: RuleSet, level: TitleLevel | null): Requirement {
  const wanted = level ?? 'junior';
  return ruleSet.requirements.find((q) => q.titleLevels.includes(wanted))!;
}

const pad = (n: number) => String(n).padStart(2, '0');

/** The first and last day (China-local dates, inclusive) of CME year `year` under a rule set. */
export function cmeYearRange(ruleSet: Pick<RuleSet, 'cmeYearStart'>, year: number): { from: string; to: string } {
  const { month, day, startsInPreviousCalendarYear } = ruleSet.cmeYearStart;
  const startYear = startsInPreviousCalendarYear ? year - 1 : year;
  const from = `${startYear}-${pad(month)}-${pad(day)}`;
  const next = new Date(Date.UTC(startYear + 1, month - 1, day) - 86_400_000);
  return { from, to: next.toISOString().slice(0, 10) };
}

/** The CME year a China-local date (YYYY-MM-DD) falls in under a rule set. */
export function cmeYearOf(ruleSet: Pick<RuleSet, 'cmeYearStart'>, date: string): number {
  const calendarYear = Number(date.slice(0, 4));
  const { month, day, startsInPreviousCalendarYear } = ruleSet.cmeYearStart;
  const startThisCalendarYear = `${calendarYear}-${pad(month)}-${pad(day)}`;
  const startedThisCalendarYear = date >= startThisCalendarYear ? calendarYear : calendarYear - 1;
  return startsInPreviousCalendarYear ? startedThisCalendarYear + 1 : startedThisCalendarYear;
}

/**
 * The CME year a China-local date falls in for people of a province (division code, `null` when
 * unknown): the rule set in force in the date's calendar year decides when a CME year starts.
 * `null` when no rule set governs that year.
 */
export function cmeYearOfDate(ruleSets: readonly RuleSet[], provinceCode: string | null, date: string): number | null {
  const ruleSet = selectRuleSet(ruleSets, provinceCode, Number(date.slice(0, 4)));
  return ruleSet && cmeYearOf(ruleSet, date);
}

/** A person's credits in one CME year, summed from the ledger (a reversal subtracts what it reverses). */
export interface CreditTotals {
  classI: number;
  classII: number;
  /** Class I credits of national-level projects (part of `classI`). */
  national: number;
  /** Months of approved, unreversed further study (进修) in the year. */
  furtherStudyMonths: number;
}

export const EMPTY_TOTALS: CreditTotals = { classI: 0, classII: 0, national: 0, furtherStudyMonths: 0 };

export interface LedgerFact {
  creditClass: CreditClass;
  level: CreditLevel | null;
  /** Negative for a reversal. */
  credits: number;
  /** Set on a further-study entry; a reversal carries the reversed entry's months as negative. */
  furtherStudyMonths?: number;
}

/** Sums ledger facts of one person and year; the SQL that computes standing in bulk sums the same way. */
export function totalsFromLedger(facts: Iterable<LedgerFact>): CreditTotals {
  const t = { ...EMPTY_TOTALS };
  for (const f of facts) {
    if (f.creditClass === 'I') {
      t.classI += f.credits;
      if (f.level === 'national') t.national += f.credits;
    } else t.classII += f.credits;
    t.furtherStudyMonths += f.furtherStudyMonths ?? 0;
  }
  return t;
}

export type ShortfallReason =
  { code: 'class-i'; missing: number; nationalMissing: number } | { code: 'class-ii'; missing: number } | { code: 'total'; missing: number };

export interface Standing {
  compliant: boolean;
  /** Met by credits, by further study, or not met. */
  basis: 'credits' | 'further-study' | 'not-met';
  ruleSetId: string;
  titleLevel: TitleLevel;
  requirement: Requirement;
  totals: CreditTotals & { total: number };
  /** Empty when compliant by credits; what is still missing otherwise (also shown beside further study). */
  shortfalls: ShortfallReason[];
}

// Credits come in halves and tenths; sums of floats drift (0.1 + 0.2), so compare in tenths.
const tenths = (n: number) => Math.round(n * 10);
const fromTenths = (n: number) => n / 10;

/** A person's standing (是否达标) for one CME year under a rule set. */
export function evaluateStanding(input: { ruleSet: RuleSet; titleLevel: TitleLevel | null; totals: CreditTotals }): Standing {
  const { ruleSet, totals } = input;
  const titleLevel = input.titleLevel ?? 'junior';
  const req = requirementFor(ruleSet, titleLevel);
  const I = tenths(totals.classI);
  const II = tenths(totals.classII);
  const national = tenths(totals.national);
  const nationalMissing = Math.max(0, tenths(req.minNational) - national);
  const classIMissing = Math.max(0, tenths(req.minClassI) - I, nationalMissing);
  const surplusI = Math.max(0, I - tenths(req.minClassI));
  const classIIMissing = Math.max(0, tenths(req.minClassII) - II - surplusI);
  // Whatever the class minimums leave of the total can be earned in either class.
  const totalMissing = Math.max(0, tenths(req.minTotal) - I - II - classIMissing - classIIMissing);

  const shortfalls: ShortfallReason[] = [];
  if (classIMissing > 0) shortfalls.push({ code: 'class-i', missing: fromTenths(classIMissing), nationalMissing: fromTenths(nationalMissing) });
  if (classIIMissing > 0) shortfalls.push({ code: 'class-ii', missing: fromTenths(classIIMissing) });
  if (totalMissing > 0) shortfalls.push({ code: 'total', missing: fromTenths(totalMissing) });

  const furtherStudy = ruleSet.furtherStudyMinMonths !== null && totals.furtherStudyMonths >= ruleSet.furtherStudyMinMonths;
  const basis = shortfalls.length === 0 ? 'credits' : furtherStudy ? 'further-study' : 'not-met';
  return {
    compliant: basis !== 'not-met',
    basis,
    ruleSetId: ruleSet.id,
    titleLevel,
    requirement: req,
    totals: {
      classI: fromTenths(I),
      classII: fromTenths(II),
      national: fromTenths(national),
      furtherStudyMonths: totals.furtherStudyMonths,
      total: fromTenths(I + II),
    },
    shortfalls,
  };
}

/** Why a standing is what it is, as message keys with parameters (worded in @opencme/words). */
export type StandingReason =
  | { key: 'standing.compliant-by-credits'; params: { total: number } }
  | { key: 'standing.compliant-by-further-study'; params: { months: number } }
  | { key: 'standing.short-class-i'; params: { missing: number } }
  | { key: 'standing.short-class-i-national'; params: { missing: number; national: number } }
  | { key: 'standing.short-class-ii'; params: { missing: number } }
  | { key: 'standing.short-any' | 'standing.short-any-also'; params: { missing: number } };

/**
 * The reasons for a standing: one compliant reason, or one reason per shortfall. The words (and
 * the sentence they make) are the app's and the documents' business, not core's.
 */
export function standingReasons(standing: Pick<Standing, 'basis' | 'shortfalls' | 'totals'>): StandingReason[] {
  if (standing.basis === 'credits') return [{ key: 'standing.compliant-by-credits', params: { total: standing.totals.total } }];
  if (standing.basis === 'further-study') {
    return [{ key: 'standing.compliant-by-further-study', params: { months: standing.totals.furtherStudyMonths } }];
  }
  return standing.shortfalls.map((s): StandingReason => {
    if (s.code === 'class-i') {
      return s.nationalMissing > 0
        ? { key: 'standing.short-class-i-national', params: { missing: s.missing, national: s.nationalMissing } }
        : { key: 'standing.short-class-i', params: { missing: s.missing } };
    }
    if (s.code === 'class-ii') return { key: 'standing.short-class-ii', params: { missing: s.missing } };
    // "Also" beside another shortfall: 还需Ⅰ类学分…；另需任意类别学分….
    return { key: standing.shortfalls.length > 1 ? 'standing.short-any-also' : 'standing.short-any', params: { missing: s.missing } };
  });
}

/**
 * Verification rounds (审验批次): the mid-year round (July, for title promotion) admits only
 * intermediate titles and above; the year-end round admits everyone.
 */
export type VerificationRound = 'mid-year' | 'year-end';
export function takesPartInRound(round: VerificationRound, level: TitleLevel | null): boolean {
  return round === 'year-end' || (level !== null && level !== 'junior');
}

/**
 * The province's division code (GB/T 2260, two digits, e.g. 34 Anhui) in the stored administrative
 * division code (行政区划代码) of a province, city or county (340000, 340100, 340102). A name is
 * never read for it: names change and are written many ways; the code is what rule sets and CME
 * card numbers name. `null` when the code is missing or malformed.
 */
export function provinceCodeOfRegion(regionCode: string | null | undefined): string | null {
  return regionCode && /^\d{6}$/.test(regionCode) ? regionCode.slice(0, 2) : null;
}
