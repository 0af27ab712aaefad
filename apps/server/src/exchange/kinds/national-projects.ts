// The national project list (国家级继续医学教育项目导入模版), imported by a province office: the
// national projects held in the province, as the national committee published them, become
// approved projects of their organising unit, one course and one session a day, ready for kiosks.
// A project is known by its number (项目编号): the same list again changes nothing; a corrected
// name, venue, leader or credit count updates it; its dates, once sessions exist, stay as they are
// (the organiser moves sessions on the project page, where taps already recorded are kept).
import { addDays, daysBetween, newId } from '@opencme/core';
import { anyTapIn, deleteCourses, deleteProjectRows, insertCourses, insertProject, recordEvent, sessionIdsOf } from '../../repositories/projects.ts';
import { type ImportedProjectFields, projectsByNumbers, setProjectFields, unitsOfProvince } from '../../repositories/national-projects.ts';
import { defineKind, type PlannedRow } from '../kind.ts';
import { ExchangeRefusal } from '../messages.ts';
import { type CellParser, cellText, date, personName, text } from '../values.ts';

export interface NationalProjectValues {
  number: string;
  name: string;
  leader?: string;
  organiser: string;
  dates: { from: string; to: string };
  venue: string;
  credits: number;
  attendees?: number;
}

interface NationalProjectData {
  projectId: string | null;
  organiserId: string;
  values: NationalProjectValues;
}

interface NationalProjectUndo {
  created: { id: string; number: string }[];
  updated: { id: string; before: ImportedProjectFields }[];
}

/** A national project is held over a few days; longer is a mistake in the list (a year typed wrong). */
const MAX_DAYS = 31;

/**
 * The dates a project is held (举办起止日期), in the forms the lists use: one day, or two dates
 * joined by 至, 到, ~ or a dash (2025-05-12至2025-05-14, 2025.5.12-2025.5.14), the second without
 * its year or month where the list leaves them out (2025年5月12日-14日).
 */
export const dateRange: CellParser<{ from: string; to: string }> = (cell) => {
  if (typeof cell !== 'string') {
    const one = date(cell);
    return one.ok ? { ok: true, value: { from: one.value, to: one.value } } : one;
  }
  const value = cellText(cell).replace(/\s+/g, '');
  const full = /(\d{4}[-/.年]\d{1,2}[-/.月]\d{1,2}日?|\d{8})/g;
  const found = value.match(full) ?? [];
  let to: string | undefined;
  const from = found[0] ? date(found[0]) : null;
  if (!from?.ok) return { ok: false, key: 'exchange.cell.date-range' };
  if (found[1]) {
    const second = date(found[1]);
    if (!second.ok) return { ok: false, key: 'exchange.cell.date-range' };
    to = second.value;
  } else {
    // The second date without its year (5月14日) or month (14日).
    const rest = value.slice(value.indexOf(found[0]!) + found[0]!.length).replace(/^(至|到|~|～|-|—|－)/, '');
    const monthDay = /^(\d{1,2})[-/.月](\d{1,2})日?$/.exec(rest);
    const day = /^(\d{1,2})日?$/.exec(rest);
    const [y, m] = from.value.split('-');
    if (monthDay) to = `${y}-${monthDay[1]!.padStart(2, '0')}-${monthDay[2]!.padStart(2, '0')}`;
    else if (day) to = `${y}-${m}-${day[1]!.padStart(2, '0')}`;
    else if (rest === '') to = from.value;
    else return { ok: false, key: 'exchange.cell.date-range' };
    const checked = date(to);
    if (!checked.ok) return { ok: false, key: 'exchange.cell.date-range' };
    to = checked.value;
  }
  if (to < from.value) return { ok: false, key: 'exchange.cell.date-range-backwards' };
  if (daysBetween(from.value, to) >= MAX_DAYS) return { ok: false, key: 'exchange.cell.date-range-too-long', params: { days: MAX_DAYS } };
  return { ok: true, value: { from: from.value, to } };
};

/** Credits (学分): a positive number, in halves at most, as the national committee grants them. */
export const creditCount: CellParser<number> = (cell) => {
  const value = typeof cell === 'number' ? cell : Number(cellText(cell).replace(/分$/, ''));
  if (!Number.isFinite(value) || value <= 0 || value > 50 || Math.round(value * 2) !== value * 2) return { ok: false, key: 'exchange.cell.credits' };
  return { ok: true, value };
};

/** A count of people (学员人数): a whole number. */
export const headCount: CellParser<number> = (cell) => {
  const value = typeof cell === 'number' ? cell : Number(cellText(cell).replace(/人$/, ''));
  if (!Number.isInteger(value) || value < 0 || value > 100_000) return { ok: false, key: 'exchange.cell.head-count' };
  return { ok: true, value };
};

const normalisedName = (name: string) => name.replace(/[\s（）()]/g, '');

/** The days of a project, each its own course and session (08:00–17:30 in China), the credits shared so that they add up. */
function coursesOf(v: NationalProjectValues) {
  const days = daysBetween(v.dates.from, v.dates.to) + 1;
  const each = Math.floor((v.credits / days) * 10) / 10;
  return Array.from({ length: days }, (_, i) => {
    const day = addDays(v.dates.from, i);
    return {
      name: days === 1 ? v.name : `${v.name}（第${i + 1}天）`,
      startsAt: `${day}T08:00:00+08:00`,
      endsAt: `${day}T17:30:00+08:00`,
      credits: i === days - 1 ? Math.round((v.credits - each * (days - 1)) * 10) / 10 : each,
    };
  });
}

const fieldsOf = (v: NationalProjectValues, organiserId: string): ImportedProjectFields => ({
  name: v.name,
  leader: v.leader ?? null,
  organiser_id: organiserId,
  venue: v.venue,
  credits: v.credits,
  planned_attendees: v.attendees ?? null,
});

export const nationalProjects = defineKind<NationalProjectValues, NationalProjectData, NationalProjectUndo>({
  name: 'national-projects',
  access: 'exchange.national-projects',
  scope: 'province',
  title: '国家级继续医学教育项目导入模版',
  notes: [
    '每行一个在本省举办的国家级继续医学教育项目，按全国继续医学教育委员会公布的项目表填写；列的顺序可以调整。',
    '项目编号是识别项目的依据：同一份表再次导入不会重复建立；已导入的项目会按表中的名称、负责人、地点、学分等更新。',
    '主办单位须是本省已在系统中登记的医疗机构（名称与系统中一致）：导入后由该单位管理签到。',
    '举办起止日期可写成 2025-05-12至2025-05-14、2025/5/12-2025/5/14 或 2025年5月12日-14日；每天建立一个签到场次。',
    '导入的项目为国家级Ⅰ类学分项目，状态为已批准，可直接分配签到设备。',
  ],
  columns: [
    {
      key: 'number',
      header: '项目编号',
      synonyms: ['项目代码', '编号', '国家级项目编号'],
      required: true,
      unique: true,
      parse: text(40, /^[0-9A-Za-z\-()（）国_/]{4,40}$/u, 'exchange.cell.project-number'),
      example: '2025-04-01-001(国)',
      width: 20,
    },
    { key: 'name', header: '项目名称', required: true, parse: text(100), example: '心血管疾病诊治新进展学习班', width: 36 },
    { key: 'leader', header: '负责人', synonyms: ['项目负责人'], parse: personName, example: '张三', width: 10 },
    {
      key: 'organiser',
      header: '主办单位',
      synonyms: ['举办单位', '申办单位', '主办单位名称'],
      required: true,
      parse: text(60),
      example: '合肥市第一人民医院',
      width: 28,
    },
    {
      key: 'dates',
      header: '举办起止日期',
      synonyms: ['举办日期', '起止日期', '举办时间', '举办起止时间'],
      required: true,
      parse: dateRange,
      example: '2025-05-12至2025-05-14',
      width: 24,
    },
    { key: 'venue', header: '举办地点', synonyms: ['地点', '举办地'], required: true, parse: text(100), example: '合肥市', width: 20 },
    { key: 'credits', header: '学分', synonyms: ['授予学分', '学分数', 'Ⅰ类学分'], required: true, parse: creditCount, example: '10', width: 8 },
    { key: 'attendees', header: '学员人数', synonyms: ['招生人数', '拟招生人数', '计划招生人数'], parse: headCount, example: '200', width: 10 },
  ],

  async plan(ctx, rows) {
    const existing = new Map(
      (
        await projectsByNumbers(
          ctx.db,
          rows.map((r) => r.values.number),
        )
      ).map((p) => [p.number, p]),
    );
    const units = await unitsOfProvince(ctx.db, ctx.scopeId);
    const unitByName = new Map(units.map((u) => [normalisedName(u.name), u]));
    const unitName = new Map(units.map((u) => [u.id, u.name]));
    return {
      rows: rows.map(({ row, values }): PlannedRow<NationalProjectData> => {
        const label = `${values.number} ${values.name}`;
        const organiser = unitByName.get(normalisedName(values.organiser));
        if (!organiser)
          return {
            row,
            action: 'rejected',
            label,
            problems: [{ column: 'organiser', key: 'exchange.national-projects.organiser-unknown', params: { name: values.organiser } }],
          };
        const project = existing.get(values.number);
        const data = { projectId: project?.id ?? null, organiserId: organiser.id, values };
        if (!project) return { row, action: 'create', label, data };
        if (project.level !== 'national')
          return { row, action: 'rejected', label, problems: [{ column: 'number', key: 'exchange.national-projects.number-taken' }] };
        if (project.starts_on !== values.dates.from || project.ends_on !== values.dates.to)
          return {
            row,
            action: 'rejected',
            label,
            problems: [{ column: 'dates', key: 'exchange.national-projects.dates-changed', params: { from: project.starts_on, to: project.ends_on } }],
          };
        const next = fieldsOf(values, organiser.id);
        const shown = (key: keyof ImportedProjectFields, v: string | number | null | undefined) =>
          v === null || v === undefined ? null : key === 'organiser_id' ? (unitName.get(String(v)) ?? String(v)) : String(v);
        const HEADERS: Record<keyof ImportedProjectFields, string> = {
          name: '项目名称',
          leader: '负责人',
          organiser_id: '主办单位',
          venue: '举办地点',
          credits: '学分',
          planned_attendees: '学员人数',
        };
        const changes = (Object.keys(HEADERS) as (keyof ImportedProjectFields)[])
          .filter((k) => (project[k] ?? null) !== (next[k] ?? null))
          .map((k) => ({ column: HEADERS[k], from: shown(k, project[k]), to: shown(k, next[k]) }));
        return changes.length ? { row, action: 'update', label, changes, data } : { row, action: 'unchanged', label };
      }),
    };
  },

  async apply(ctx, rows) {
    const at = ctx.now.toISOString();
    const undo: NationalProjectUndo = { created: [], updated: [] };
    const before = new Map(
      (
        await projectsByNumbers(
          ctx.db,
          rows.map((r) => r.data!.values.number),
        )
      ).map((p) => [p.number, p]),
    );
    for (const { data } of rows) {
      const { values: v, organiserId } = data!;
      if (data!.projectId) {
        const old = before.get(v.number)!;
        undo.updated.push({
          id: old.id,
          before: {
            name: old.name,
            leader: old.leader,
            organiser_id: old.organiser_id,
            venue: old.venue,
            credits: old.credits,
            planned_attendees: old.planned_attendees,
          },
        });
        await setProjectFields(ctx.db, old.id, fieldsOf(v, organiserId));
        continue;
      }
      const id = newId();
      const courses = coursesOf(v);
      await insertProject(ctx.db, {
        id,
        number: v.number,
        name: v.name,
        level: 'national',
        credit_class: 'I',
        credits: v.credits,
        organiser_id: organiserId,
        venue: v.venue,
        starts_on: v.dates.from,
        ends_on: v.dates.to,
        mode: 'onsite',
        created_at: at,
        status: 'approved',
        report_summary: null,
        report_submitted_at: null,
        credits_submitted_at: null,
        credits_approved_at: null,
        credits_approved_by: null,
        leader: v.leader ?? null,
        planned_attendees: v.attendees ?? null,
      });
      await insertCourses(
        ctx.db,
        id,
        { ...v, number: v.number, level: 'national', creditClass: 'I', startsOn: v.dates.from, endsOn: v.dates.to, mode: 'onsite', courses },
        at,
      );
      await recordEvent(ctx.db, { projectId: id, action: 'import', from: null, to: 'approved', userId: ctx.user.id, now: ctx.now });
      undo.created.push({ id, number: v.number });
    }
    return undo;
  },

  async undo(ctx, record) {
    // A project whose sessions a kiosk has already recorded taps in is evidence: the batch stays.
    const held = [];
    for (const p of record.created) if (await anyTapIn(ctx.db, await sessionIdsOf(ctx.db, p.id))) held.push(p);
    if (held.length) throw new ExchangeRefusal(409, 'exchange.national-projects.undo-blocked', { count: held.length, name: held[0]!.number });
    for (const p of record.created) {
      await deleteCourses(ctx.db, p.id, await sessionIdsOf(ctx.db, p.id));
      // A project that has moved on (a report filed) is no longer just what the list made.
      if (!(await deleteProjectRows(ctx.db, { id: p.id, status: 'approved' })))
        throw new ExchangeRefusal(409, 'exchange.national-projects.undo-blocked', { count: 1, name: p.number });
    }
    for (const u of record.updated) await setProjectFields(ctx.db, u.id, u.before);
  },
});
