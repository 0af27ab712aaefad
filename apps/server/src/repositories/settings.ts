// A province's settings for projects and attendance. Provinces differ (lead time of a declaration,
// when reports are due, how attendance earns credit); a province that set nothing gets the defaults.
import {
  AttendanceRulesSchema,
  type AttendanceRules,
  DEFAULT_ATTENDANCE_RULES,
  DEFAULT_CREDITS_DAYS,
  DEFAULT_PROJECT_LEAD_DAYS,
  DEFAULT_REVIEW_DAYS,
  DECLARATION_FILE_KINDS,
  type DeclarationFileKind,
  DEFAULT_PROXY_RULES,
  DEFAULT_REPORT_DAYS,
  ProxyRules,
} from '@opencme/core';
import type { DB } from '../db/connect.ts';
import { provinceOf } from './organisations.ts';

export interface ProvinceSettings {
  provinceId: string | null;
  /** 申报提前期: a project is declared at least this many days before it starts. */
  projectLeadDays: number;
  /** 执行情况上报期限: the execution report is due this many days after the end. */
  reportDays: number;
  /** 学分上报期限: the credits are due this many days after the end. */
  creditsDays: number;
  /** 审核期限: the offices finish reviewing the report and credits this many days after the end (Henan: 21). */
  reviewDays: number;
  /** The files a declaration must carry before it is submitted (办班通知, 日程安排). */
  declarationFiles: DeclarationFileKind[];
  attendanceRules: AttendanceRules;
}

const declarationFiles = (json: string | null): DeclarationFileKind[] =>
  json ? (JSON.parse(json) as string[]).filter((k): k is DeclarationFileKind => (DECLARATION_FILE_KINDS as readonly string[]).includes(k)) : [];

export async function settingsFor(db: DB, organisationId: string): Promise<ProvinceSettings> {
  const provinceId = await provinceOf(db, organisationId);
  const row = provinceId ? await db.selectFrom('province_settings').selectAll().where('province_id', '=', provinceId).executeTakeFirst() : undefined;
  if (!row)
    return {
      provinceId,
      projectLeadDays: DEFAULT_PROJECT_LEAD_DAYS,
      reportDays: DEFAULT_REPORT_DAYS,
      creditsDays: DEFAULT_CREDITS_DAYS,
      reviewDays: DEFAULT_REVIEW_DAYS,
      declarationFiles: [],
      attendanceRules: DEFAULT_ATTENDANCE_RULES,
    };
  return {
    provinceId,
    projectLeadDays: row.project_lead_days,
    reportDays: row.report_days,
    creditsDays: row.credits_days ?? DEFAULT_CREDITS_DAYS,
    reviewDays: row.review_days ?? DEFAULT_REVIEW_DAYS,
    declarationFiles: declarationFiles(row.declaration_files),
    attendanceRules: AttendanceRulesSchema.parse(JSON.parse(row.attendance_rules)),
  };
}

/** Saves a province's settings; the deadlines and required files left out keep what was set before. */
export async function saveSettings(
  db: DB,
  provinceId: string,
  settings: Omit<ProvinceSettings, 'provinceId' | 'creditsDays' | 'reviewDays' | 'declarationFiles'> &
    Partial<Pick<ProvinceSettings, 'creditsDays' | 'reviewDays' | 'declarationFiles'>>,
  now: Date,
): Promise<void> {
  const values = {
    project_lead_days: settings.projectLeadDays,
    report_days: settings.reportDays,
    attendance_rules: JSON.stringify(settings.attendanceRules),
    updated_at: now.toISOString(),
    ...(settings.creditsDays !== undefined && { credits_days: settings.creditsDays }),
    ...(settings.reviewDays !== undefined && { review_days: settings.reviewDays }),
    ...(settings.declarationFiles !== undefined && { declaration_files: JSON.stringify(settings.declarationFiles) }),
  };
  await db
    .insertInto('province_settings')
    .values({ province_id: provinceId, ...values })
    .onConflict((oc) => oc.column('province_id').doUpdateSet(values))
    .execute();
}

/** The attendance rules of each session's province, for a batch of sessions. */
export async function rulesForSessions(db: DB, sessionIds: readonly string[]): Promise<Map<string, AttendanceRules>> {
  if (sessionIds.length === 0) return new Map();
  const rows = await db
    .selectFrom('sessions')
    .innerJoin('projects', 'projects.id', 'sessions.project_id')
    .select(['sessions.id', 'projects.organiser_id'])
    .where('sessions.id', 'in', sessionIds)
    .execute();
  const byOrganiser = new Map<string, AttendanceRules>();
  for (const organiserId of new Set(rows.map((r) => r.organiser_id))) byOrganiser.set(organiserId, (await settingsFor(db, organiserId)).attendanceRules);
  return new Map(rows.map((r) => [r.id, byOrganiser.get(r.organiser_id)!]));
}

/** Whether the organisation is a province (only a province has settings). */
export async function isProvince(db: DB, organisationId: string): Promise<boolean> {
  const row = await db.selectFrom('organisations').select('kind').where('id', '=', organisationId).executeTakeFirst();
  return row?.kind === 'province';
}

/**
 * The proxy-tap (代刷) rules each organiser's province set, or the defaults: the thresholds belong
 * with the province's other attendance settings.
 */
export async function proxyRulesFor(db: DB, organiserIds: readonly string[]): Promise<Map<string, ProxyRules>> {
  const found = new Map<string, ProxyRules>();
  for (const organiserId of new Set(organiserIds)) {
    const provinceId = await provinceOf(db, organiserId);
    const row = provinceId
      ? await db.selectFrom('province_settings').select('proxy_rules').where('province_id', '=', provinceId).executeTakeFirst()
      : undefined;
    found.set(organiserId, row?.proxy_rules ? ProxyRules.parse(JSON.parse(row.proxy_rules)) : DEFAULT_PROXY_RULES);
  }
  return found;
}

/** Sets a province's proxy-tap rules (null: back to the defaults); its other settings stay as they are. */
export async function saveProxyRules(db: DB, provinceId: string, rules: ProxyRules | null, now: Date): Promise<void> {
  await saveProvinceSetting(db, provinceId, { proxy_rules: rules === null ? null : JSON.stringify(ProxyRules.parse(rules)) }, now);
}

/** Card issue categories (发卡类别): I an existing card taken over, II a new card, III a replacement of a lost one. */
export const CARD_CATEGORIES = ['I', 'II', 'III'] as const;
export type CardCategory = (typeof CARD_CATEGORIES)[number];
/** The card fee (工本费) per category, in yuan; a category left out is not charged. */
export type CardFees = Partial<Record<CardCategory, number>>;

/**
 * What provinces charged in the documents we follow, for a province that set nothing of its own:
 * Jiangsu (好医生) 50 yuan a new card, 30 a lost one replaced; Guangdong (华医网) nothing for a
 * card taken over, 70 a new card, 20 a replacement.
 */
const CARD_FEES_OF_RECORD: Record<string, CardFees> = {
  '32': { II: 50, III: 30 },
  '44': { I: 0, II: 70, III: 20 },
};

/** The card fees of the province an organisation lies in (its own setting, else those of record, else none). */
export async function cardFeesFor(db: DB, organisationId: string): Promise<CardFees> {
  const provinceId = await provinceOf(db, organisationId);
  if (!provinceId) return {};
  const row = await db.selectFrom('province_settings').select('card_fees').where('province_id', '=', provinceId).executeTakeFirst();
  if (row?.card_fees) return JSON.parse(row.card_fees) as CardFees;
  const province = await db.selectFrom('organisations').select('region_code').where('id', '=', provinceId).executeTakeFirst();
  return CARD_FEES_OF_RECORD[province?.region_code?.slice(0, 2) ?? ''] ?? {};
}

export async function saveCardFees(db: DB, provinceId: string, fees: CardFees, now: Date): Promise<void> {
  await saveProvinceSetting(db, provinceId, { card_fees: JSON.stringify(fees) }, now);
}

/** Sets some of a province's settings; the others stay as they are (or take their defaults on a first save). */
async function saveProvinceSetting(db: DB, provinceId: string, setting: { proxy_rules: string | null } | { card_fees: string }, now: Date): Promise<void> {
  const values = { ...setting, updated_at: now.toISOString() };
  await db
    .insertInto('province_settings')
    .values({
      province_id: provinceId,
      project_lead_days: DEFAULT_PROJECT_LEAD_DAYS,
      report_days: DEFAULT_REPORT_DAYS,
      attendance_rules: JSON.stringify(DEFAULT_ATTENDANCE_RULES),
      ...values,
    })
    .onConflict((oc) => oc.column('province_id').doUpdateSet(values))
    .execute();
}
