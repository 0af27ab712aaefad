// Watch time (观看时长) of an online project, for a platform that can only send files: each row is a
// span one person watched, named by ID number or CME card number, and lands in the session of the
// project on that China day, like an event of the signed API (docs/online-learning.md). A row's
// event id is made from what it says, so the same file imported again changes nothing; spans that
// overlap the API's are merged, not added. Undo takes the batch's spans back out.
import { createHash } from 'node:crypto';
import { chinaDate } from '@opencme/core';
import { defineKind, type RowProblem } from '../kind.ts';
import { cellText, cmeNumber, idNumber, type CellParser } from '../values.ts';
import {
  admittedPersons,
  deleteWatchEvents,
  insertWatchEvents,
  knownEventIds,
  recomputeOnlineAttendance,
  sessionsOfProject,
  type WatchEventRow,
} from '../../repositories/online.ts';

/** The source the rows of every file are kept under (a platform's events are kept under its id). */
const UPLOAD_SOURCE = 'upload';

export interface WatchTimeValues {
  idNumber?: string;
  cmeNumber?: string;
  start: string;
  end?: string;
  minutes?: number;
}

interface WatchTimeData {
  eventId: string;
  sessionId: string;
  personId: string;
  startsAt: string;
  endsAt: string;
}

const pad = (n: number) => String(n).padStart(2, '0');
/** Excel's day 0 is 1899-12-30; 25569 is 1970-01-01. */
const EXCEL_EPOCH_DAYS = 25569;

/** A wall-clock time in China as an instant: the form Excel, WPS and platforms' exports write. */
const chinaDateTime: CellParser<string> = (cell) => {
  let parts: number[] | null = null;
  // exceljs reads a date-time cell as the wall time shown, in UTC.
  if (cell instanceof Date)
    parts = [cell.getUTCFullYear(), cell.getUTCMonth() + 1, cell.getUTCDate(), cell.getUTCHours(), cell.getUTCMinutes(), cell.getUTCSeconds()];
  else if (typeof cell === 'number' && cell > 20000 && cell < 80000) {
    const at = new Date(Math.round((cell - EXCEL_EPOCH_DAYS) * 86_400) * 1000);
    parts = [at.getUTCFullYear(), at.getUTCMonth() + 1, at.getUTCDate(), at.getUTCHours(), at.getUTCMinutes(), at.getUTCSeconds()];
  } else {
    const m = /^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?[ T]+(\d{1,2})[:：](\d{2})(?:[:：](\d{2}))?$/.exec(cellText(cell));
    if (m) parts = [1, 2, 3, 4, 5, 6].map((i) => Number(m[i] ?? 0));
  }
  if (!parts) return { ok: false, key: 'exchange.cell.date-time' };
  const [y, mo, d, h, mi, s] = parts as [number, number, number, number, number, number];
  const iso = `${y}-${pad(mo)}-${pad(d)}T${pad(h)}:${pad(mi)}:${pad(s)}+08:00`;
  const at = new Date(iso);
  // 2026-02-30 and 25:00 are refused rather than rolled over.
  if (Number.isNaN(at.getTime()) || chinaDate(at) !== `${y}-${pad(mo)}-${pad(d)}` || h > 23 || mi > 59 || s > 59)
    return { ok: false, key: 'exchange.cell.date-time' };
  return { ok: true, value: at.toISOString() };
};

/** 观看时长: whole or decimal minutes, up to a day. */
const minutes: CellParser<number> = (cell) => {
  const value = typeof cell === 'number' ? cell : Number(cellText(cell).replace(/\s*(分钟|分|min)$/i, ''));
  return Number.isFinite(value) && value > 0 && value <= 1440 ? { ok: true, value } : { ok: false, key: 'exchange.cell.minutes' };
};

const eventIdOf = (sessionId: string, personId: string, startsAt: string, endsAt: string) =>
  createHash('sha256').update([sessionId, personId, startsAt, endsAt].join('\n')).digest('hex').slice(0, 32);

export const watchTime = defineKind<WatchTimeValues, WatchTimeData, { eventIds: string[] }>({
  name: 'watch-time',
  access: 'exchange.watch-time',
  scope: 'institution',
  subject: 'project',
  title: '线上学习观看时长导入模板',
  notes: [
    '每行一段观看记录：学员（身份证号或继教卡号，填一项即可）、开始时间，以及结束时间或观看时长（分钟）。',
    '时间按北京时间填写，如 2026-11-23 08:00；记录归入本项目当天的场次。',
    '同一学员同一天的多段记录累计计算，重叠部分只算一次；同一份文件再次导入不会重复计算。',
    '学员须为本单位审核通过的人员或本项目的报名学员。',
  ],
  columns: [
    {
      key: 'idNumber',
      header: '身份证号',
      synonyms: ['身份证号码', '公民身份号码', '证件号码', 'ID number'],
      parse: idNumber,
      example: '340104198001010012',
      width: 22,
    },
    { key: 'cmeNumber', header: '继教卡号', synonyms: ['卡号', '继续教育卡号', 'CME number', 'card number'], parse: cmeNumber, example: '', width: 18 },
    {
      key: 'start',
      header: '开始时间',
      synonyms: ['开始', '进入时间', '观看开始时间', 'start'],
      required: true,
      parse: chinaDateTime,
      example: '2026-11-23 08:00',
      note: '北京时间，年-月-日 时:分',
      width: 20,
    },
    { key: 'end', header: '结束时间', synonyms: ['结束', '离开时间', '观看结束时间', 'end'], parse: chinaDateTime, example: '2026-11-23 11:00', width: 20 },
    {
      key: 'minutes',
      header: '观看时长（分钟）',
      synonyms: ['观看时长', '时长', '学习时长（分钟）', '在线时长（分钟）', 'minutes'],
      parse: minutes,
      example: '',
      note: '没有结束时间时填写',
      width: 16,
    },
  ],

  checkRow(values) {
    const problems: RowProblem[] = [];
    if (!values.idNumber && !values.cmeNumber) problems.push({ column: 'idNumber', key: 'exchange.watch-time.person-required' });
    if (!values.end && values.minutes === undefined) problems.push({ column: 'end', key: 'exchange.watch-time.end-required' });
    if (values.end && Date.parse(values.end) <= Date.parse(values.start)) problems.push({ column: 'end', key: 'exchange.watch-time.end-before-start' });
    return problems;
  },

  async plan(ctx, rows) {
    const sessions = (await sessionsOfProject(ctx.db, ctx.subjectId!)).filter((s) => s.mode === 'online');
    const sessionOn = (instant: string) => {
      const day = chinaDate(instant);
      return sessions.find((s) => chinaDate(s.startsAt) <= day && day <= chinaDate(s.endsAt));
    };
    const lookups = new Map<string, Awaited<ReturnType<typeof admittedPersons>>>();
    for (const s of sessions) {
      const refs = rows
        .filter((r) => sessionOn(r.values.start)?.id === s.id)
        .map((r) => (r.values.idNumber ? { idNumber: r.values.idNumber } : { cardNumber: r.values.cmeNumber! }));
      lookups.set(s.id, await admittedPersons(ctx.db, ctx.vault, s.id, s.organiserId, refs));
    }
    const planned = rows.map(({ row, values }) => {
      const label = values.cmeNumber ?? `${values.idNumber!.slice(0, 6)}********${values.idNumber!.slice(-4)}`;
      const session = sessionOn(values.start);
      if (!session) return { row, label, problems: [{ column: 'start', key: 'exchange.watch-time.no-session-that-day' }] };
      const personId = lookups.get(session.id)!(values.idNumber ? { idNumber: values.idNumber } : { cardNumber: values.cmeNumber! });
      if (!personId) return { row, label, problems: [{ column: values.idNumber ? 'idNumber' : 'cmeNumber', key: 'exchange.watch-time.unknown-person' }] };
      const startsAt = values.start;
      const endsAt = values.end ?? new Date(Date.parse(startsAt) + Math.round(values.minutes! * 60) * 1000).toISOString();
      if (Date.parse(endsAt) - Date.parse(startsAt) > 86_400_000)
        return { row, label, problems: [{ column: 'end', key: 'exchange.watch-time.longer-than-a-day' }] };
      return { row, label, data: { eventId: eventIdOf(session.id, personId, startsAt, endsAt), sessionId: session.id, personId, startsAt, endsAt } };
    });
    const known = await knownEventIds(
      ctx.db,
      UPLOAD_SOURCE,
      planned.flatMap((p) => (p.data ? [p.data.eventId] : [])),
    );
    return {
      rows: planned.map((p) =>
        p.data
          ? { row: p.row, label: p.label, action: known.has(p.data.eventId) ? ('unchanged' as const) : ('create' as const), data: p.data }
          : { row: p.row, label: p.label, action: 'rejected' as const, problems: p.problems },
      ),
    };
  },

  async apply(ctx, rows) {
    const events: WatchEventRow[] = rows.map((r) => ({ source: UPLOAD_SOURCE, ...r.data! }));
    await insertWatchEvents(ctx.db, events, ctx.now);
    await recomputeOnlineAttendance(ctx.db, events, ctx.now);
    return { eventIds: events.map((e) => e.eventId) };
  },

  async undo(ctx, record) {
    const pairs = await deleteWatchEvents(ctx.db, UPLOAD_SOURCE, record.eventIds);
    await recomputeOnlineAttendance(ctx.db, pairs, ctx.now);
  },
});
