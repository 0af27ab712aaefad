// A province's settings for projects and attendance. Provinces differ (lead time of a declaration,
// when reports are due, how attendance earns credit); a province that set nothing gets the defaults.
import { AttendanceRulesSchema, type AttendanceRules, DEFAULT_ATTENDANCE_RULES, DEFAULT_PROJECT_LEAD_DAYS, DEFAULT_REPORT_DAYS } from '@opencme/core';
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
