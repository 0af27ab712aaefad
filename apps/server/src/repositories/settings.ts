// A province's settings for projects and attendance. Provinces differ (lead time of a declaration,
// when reports are due, how attendance earns credit); a province that set nothing gets the defaults.
import {
  AttendanceRulesSchema,
  type AttendanceRules,
  DEFAULT_ATTENDANCE_RULES,
  DEFAULT_PROJECT_LEAD_DAYS,
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
  attendanceRules: AttendanceRules;
}

export async function settingsFor(db: DB, organisationId: string): Promise<ProvinceSettings> {
  const provinceId = await provinceOf(db, organisationId);
  const row = provinceId ? await db.selectFrom('province_settings').selectAll().where('province_id', '=', provinceId).executeTakeFirst() : undefined;
  if (!row) return { provinceId, projectLeadDays: DEFAULT_PROJECT_LEAD_DAYS, reportDays: DEFAULT_REPORT_DAYS, attendanceRules: DEFAULT_ATTENDANCE_RULES };
  return {
    provinceId,
    projectLeadDays: row.project_lead_days,
    reportDays: row.report_days,
    attendanceRules: AttendanceRulesSchema.parse(JSON.parse(row.attendance_rules)),
  };
}

export async function saveSettings(db: DB, provinceId: string, settings: Omit<ProvinceSettings, 'provinceId'>, now: Date): Promise<void> {
  const values = {
    project_lead_days: settings.projectLeadDays,
    report_days: settings.reportDays,
    attendance_rules: JSON.stringify(settings.attendanceRules),
    updated_at: now.toISOString(),
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
  const proxyRules = rules === null ? null : JSON.stringify(ProxyRules.parse(rules));
  await db
    .insertInto('province_settings')
    .values({
      province_id: provinceId,
      project_lead_days: DEFAULT_PROJECT_LEAD_DAYS,
      report_days: DEFAULT_REPORT_DAYS,
      attendance_rules: JSON.stringify(DEFAULT_ATTENDANCE_RULES),
      updated_at: now.toISOString(),
      proxy_rules: proxyRules,
    })
    .onConflict((oc) => oc.column('province_id').doUpdateSet({ proxy_rules: proxyRules, updated_at: now.toISOString() }))
    .execute();
}
