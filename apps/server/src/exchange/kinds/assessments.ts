// Assessment results (考核成绩) of one project, imported by its organiser: attendance and a pass are
// both needed for credit. Each row names an attendee by card number (继教卡号); a number of someone
// who did not attend a session of the project is refused, and so is an unknown one, with the same
// message, so that the import tells no one which card numbers exist. No undo: a result is replaced
// by importing or entering it again, as by hand.
import { cellText, cmeNumber, type CellParser } from '../values.ts';
import { defineKind } from '../kind.ts';
import { attendeesByCmeNumber, resultsOf, saveResults } from '../../repositories/assessments.ts';

export interface AssessmentValues {
  cmeNumber: string;
  passed: boolean;
  score?: number;
}

interface AssessmentData {
  personId: string;
  passed: boolean;
  score: number | null;
}

const PASS_WORDS = new Set(['合格', '通过', '是', 'pass', 'passed', 'yes', 'y', '1', 'true']);
const FAIL_WORDS = new Set(['不合格', '未通过', '否', 'fail', 'failed', 'no', 'n', '0', 'false']);

/** 是否合格: the words people write for a pass or a fail. */
const passed: CellParser<boolean> = (cell) => {
  const word = cellText(cell).toLowerCase();
  if (PASS_WORDS.has(word)) return { ok: true, value: true };
  if (FAIL_WORDS.has(word)) return { ok: true, value: false };
  return { ok: false, key: 'exchange.cell.passed', params: { word } };
};

/** 成绩: a score, as a number. */
const score: CellParser<number> = (cell) => {
  const value = typeof cell === 'number' ? cell : Number(cellText(cell).replace(/分$/, ''));
  return Number.isFinite(value) && value >= 0 && value <= 1000 ? { ok: true, value } : { ok: false, key: 'exchange.cell.score' };
};

const verdict = (pass: boolean) => (pass ? '合格' : '不合格');

export const assessments = defineKind<AssessmentValues, AssessmentData, null>({
  name: 'assessments',
  access: 'exchange.assessments',
  scope: 'institution',
  subject: 'project',
  title: '考核成绩导入模板',
  notes: [
    '每行一位学员的考核结果：学员须参加过本项目的场次（有出勤记录）；出勤且考核合格才能获得学分。',
    '按继教卡号找人；同一学员再次导入会以新结果替换旧结果，同一份文件再次导入不会有变化。',
  ],
  columns: [
    {
      key: 'cmeNumber',
      header: '继教卡号',
      synonyms: ['卡号', '继续教育卡号', 'CME number', 'card number'],
      required: true,
      unique: true,
      parse: cmeNumber,
      example: '3420260000123',
      width: 18,
    },
    {
      key: 'passed',
      header: '是否合格',
      synonyms: ['合格', '考核结果', 'passed', 'result'],
      required: true,
      parse: passed,
      example: '合格',
      note: '填“合格”或“不合格”（也可填 是/否、通过/未通过）',
      width: 10,
    },
    { key: 'score', header: '成绩', synonyms: ['分数', '考核成绩', 'score'], parse: score, example: '92', width: 8 },
  ],

  async plan(ctx, rows) {
    const projectId = ctx.subjectId!;
    const attendees = await attendeesByCmeNumber(
      ctx.db,
      projectId,
      rows.map((r) => r.values.cmeNumber),
    );
    const recorded = await resultsOf(ctx.db, projectId, [...attendees.values()]);
    return {
      rows: rows.map(({ row, values }) => {
        const personId = attendees.get(values.cmeNumber);
        if (!personId) return { row, action: 'rejected', problems: [{ column: 'cmeNumber', key: 'exchange.assessments.no-attendance' }] };
        const data = { personId, passed: values.passed, score: values.score ?? null };
        const before = recorded.get(personId);
        if (!before) return { row, action: 'create', label: values.cmeNumber, data };
        const changes = [
          ...(before.passed !== data.passed ? [{ column: '是否合格', from: verdict(before.passed), to: verdict(data.passed) }] : []),
          ...(before.score !== data.score
            ? [{ column: '成绩', from: before.score === null ? null : String(before.score), to: data.score === null ? null : String(data.score) }]
            : []),
        ];
        return changes.length ? { row, action: 'update', label: values.cmeNumber, changes, data } : { row, action: 'unchanged', label: values.cmeNumber };
      }),
    };
  },

  async apply(ctx, rows) {
    await saveResults(ctx.db, { projectId: ctx.subjectId!, results: rows.map((r) => r.data!), userId: ctx.user.id, now: ctx.now });
    return null;
  },
});
