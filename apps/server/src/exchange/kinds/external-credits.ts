// Credits earned elsewhere (外部学分), imported by a unit for its own staff: 远程教育 platforms, the
// 中医药 platform, national projects held out of the province. Each row is one certificate: the
// person is found by ID number and must bear the name written beside it (the Shanghai incident's
// shifted columns put credits on the wrong people); the entry goes to the ledger as an import,
// approved by the importing office, under the certificate's number, so that a certificate already
// in the ledger is a duplicate and never a second entry. Undo reverses the entries (the ledger is
// append-only) while the unit's verification of their year has not gone up.
import { idNumber, personName, cellText, date, text, type CellParser } from '../values.ts';
import { defineKind, type PlannedRow } from '../kind.ts';
import { ExchangeRefusal } from '../messages.ts';
import { creditCount } from './national-projects.ts';
import { appendLedgerEntries, reverseLedgerEntry } from '../../repositories/ledger.ts';
import { entriesByIds, entriesOfCertificates, verificationFrozen } from '../../repositories/external-credits.ts';
import { personsByIdNumberIndexes } from '../../repositories/staff-import.ts';
import { cmeYearForDate } from '../../repositories/standing.ts';
import type { LedgerEntryTable } from '../../db/schema.ts';

type CreditClass = LedgerEntryTable['credit_class'];
type Level = NonNullable<LedgerEntryTable['level']>;

export interface ExternalCreditValues {
  idNumber: string;
  name: string;
  activity: string;
  date: string;
  creditClass: CreditClass;
  credits: number;
  certificate: string;
  source?: string;
  level?: Level;
}

interface ExternalCreditData {
  personId: string;
  cmeYear: number;
  /** The ledger's source id: the certificate number, with `~n` when an earlier import of it was undone. */
  sourceId: string;
  values: ExternalCreditValues;
}

interface ExternalCreditUndo {
  entries: string[];
}

const CLASS_WORDS: Record<string, CreditClass> = { I: 'I', Ⅰ: 'I', 一: 'I', '1': 'I', II: 'II', Ⅱ: 'II', 二: 'II', '2': 'II' };
/** 学分类别: Ⅰ类 or Ⅱ类, however it is typed (I类, 一类, 1). */
export const creditClass: CellParser<CreditClass> = (cell) => {
  const value =
    CLASS_WORDS[
      cellText(cell)
        .replace(/\s|类|学分/g, '')
        .toUpperCase()
    ];
  return value ? { ok: true, value } : { ok: false, key: 'exchange.cell.credit-class' };
};

const LEVEL_WORDS: Record<string, Level> = { 国家级: 'national', 国家: 'national', 省级: 'provincial', 省: 'provincial', 市级: 'city', 市: 'city' };
export const projectLevel: CellParser<Level> = (cell) => {
  const value = LEVEL_WORDS[cellText(cell).replace(/\s/g, '')];
  return value ? { ok: true, value } : { ok: false, key: 'exchange.cell.level' };
};

/** A certificate number: letters, digits, Chinese and dashes; never `%`, `_` or `~`, which the ledger's lookup reserves. */
const certificateNumber = text(60, /^[0-9A-Za-z\u4e00-\u9fa5\-()（）/.#]{4,60}$/u, 'exchange.cell.certificate');

const sameName = (a: string, b: string) => a.replace(/[\s·•]/g, '') === b.replace(/[\s·•]/g, '');

export const externalCredits = defineKind<ExternalCreditValues, ExternalCreditData, ExternalCreditUndo>({
  name: 'external-credits',
  access: 'exchange.external-credits',
  scope: 'institution',
  title: '外部学分导入模板',
  notes: [
    '每行一张学分证书：远程教育平台、中医药平台或外省国家级项目的学分，记入本单位人员的学分账本。',
    '按身份证号找人，姓名须与系统中此人的姓名一致；只能导入本单位的人员。',
    '证书编号是识别学分的依据：已记入账本的证书不会重复记入，同一份文件再次导入不会有变化。',
    '学分类别填Ⅰ类或Ⅱ类；级别（国家级、省级、市级）可留空。日期为获得学分的日期，决定计入哪个学分年度。',
  ],
  columns: [
    {
      key: 'idNumber',
      header: '身份证号',
      synonyms: ['身份证号码', '公民身份号码', '证件号码', '身份证'],
      required: true,
      parse: idNumber,
      example: '340104198001010019',
      width: 21,
    },
    { key: 'name', header: '姓名', synonyms: ['学员姓名'], required: true, parse: personName, example: '张三', width: 10 },
    {
      key: 'activity',
      header: '项目名称',
      synonyms: ['活动名称', '课程名称', '学习项目', '项目'],
      required: true,
      parse: text(100),
      example: '心血管疾病诊治新进展',
      width: 32,
    },
    {
      key: 'date',
      header: '日期',
      synonyms: ['获得日期', '完成日期', '学习日期', '举办日期', '授予日期'],
      required: true,
      parse: date,
      example: '2026-03-01',
      width: 12,
    },
    { key: 'creditClass', header: '学分类别', synonyms: ['类别', '学分类型'], required: true, parse: creditClass, example: 'Ⅰ类', width: 10 },
    { key: 'credits', header: '学分', synonyms: ['学分数', '授予学分'], required: true, parse: creditCount, example: '5', width: 8 },
    {
      key: 'certificate',
      header: '证书编号',
      synonyms: ['证书号', '学分证书编号', '证书号码'],
      required: true,
      unique: true,
      parse: certificateNumber,
      example: 'YC2026-000123',
      width: 20,
    },
    { key: 'source', header: '来源', synonyms: ['学习平台', '平台', '来源平台'], parse: text(30), example: '国家级远程医学教育平台', width: 20 },
    { key: 'level', header: '级别', synonyms: ['项目级别'], parse: projectLevel, example: '国家级', width: 8 },
  ],

  async plan(ctx, rows) {
    const persons = new Map(
      (
        await personsByIdNumberIndexes(
          ctx.db,
          rows.map((r) => ctx.vault.index(r.values.idNumber)),
        )
      ).map((p) => [p.id_number_index, p]),
    );
    const certificates = await entriesOfCertificates(
      ctx.db,
      rows.map((r) => r.values.certificate),
    );
    const years = new Map<string, number | null>();
    const planned: PlannedRow<ExternalCreditData>[] = [];
    for (const { row, values } of rows) {
      const label = `${values.name} ${values.certificate}`;
      const reject = (column: keyof ExternalCreditValues, key: string, params?: Record<string, string | number>): PlannedRow<ExternalCreditData> => ({
        row,
        action: 'rejected',
        label,
        problems: [{ column, key, ...(params ? { params } : {}) }],
      });
      const person = persons.get(ctx.vault.index(values.idNumber));
      if (!person || person.institution_id !== ctx.scopeId || person.registration_status !== 'approved') {
        planned.push(reject('idNumber', 'exchange.external-credits.not-our-staff'));
        continue;
      }
      if (!sameName(person.name, values.name)) {
        planned.push(reject('name', 'exchange.external-credits.name-mismatch'));
        continue;
      }
      const earlier = certificates.filter((c) => c.certificate === values.certificate);
      const standing = earlier.find((c) => !c.reversed);
      if (standing) {
        planned.push(
          standing.person_id === person.id ? { row, action: 'unchanged', label } : reject('certificate', 'exchange.external-credits.certificate-taken'),
        );
        continue;
      }
      if (!years.has(values.date)) years.set(values.date, await cmeYearForDate(ctx.db, ctx.scopeId, values.date).catch(() => null));
      const cmeYear = years.get(values.date);
      if (cmeYear === null || cmeYear === undefined) {
        planned.push(reject('date', 'exchange.external-credits.no-rule-set'));
        continue;
      }
      const sourceId = earlier.length ? `${values.certificate}~${earlier.length}` : values.certificate;
      planned.push({ row, action: 'create', label, data: { personId: person.id, cmeYear, sourceId, values } });
    }
    return { rows: planned };
  },

  async apply(ctx, rows) {
    const entries = await appendLedgerEntries(
      ctx.db,
      rows.map(({ data }) => {
        const v = data!.values;
        return {
          personId: data!.personId,
          cmeYear: data!.cmeYear,
          creditClass: v.creditClass,
          level: v.level ?? null,
          credits: v.credits,
          sourceKind: 'import' as const,
          sourceId: data!.sourceId,
          sourceLabel: `${v.source ? `${v.source}：` : ''}${v.activity}（证书${v.certificate}，${v.date}）`,
          approvedBy: ctx.user.id,
          at: ctx.now,
        };
      }),
    );
    return { entries };
  },

  async undo(ctx, record) {
    const entries = await entriesByIds(ctx.db, record.entries);
    // Results gone up to the city are frozen on these credits: the batch stays, a correction is a reversal of its own.
    if (await verificationFrozen(ctx.db, ctx.scopeId, [...new Set(entries.map((e) => e.cme_year))]))
      throw new ExchangeRefusal(409, 'exchange.external-credits.undo-blocked', { count: entries.length });
    for (const e of entries) await reverseLedgerEntry(ctx.db, { entryId: e.id, reason: '撤销导入', approvedBy: ctx.user.id, at: ctx.now });
  },
});
