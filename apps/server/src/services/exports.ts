// The exports (导出) as the province, HR (人事) and auditors take them: the staff roster of a unit,
// credit summaries (学分汇总), verification results (审验结果, 达标率), a project's attendee list
// (学员通讯录) and the ledger of a scope (学分账本). Each is a workbook read a page at a time and
// streamed, with the same rules as the screens: standings from the ledger, rates from verification.
import { addDays, chinaDate, chinaDayStart, standingReasons } from '@opencme/core';
import { FULL_ID_NUMBER_READERS } from '../authz.ts';
import type { DB } from '../db/connect.ts';
import { standingInChinese } from '../document-words.ts';
import { UserFacingError } from '../errors.ts';
import type { IdNumberVault } from '../pii.ts';
import type { Role } from '../role.ts';
import { audit, auditPersonalData } from '../repositories/audit.ts';
import {
  attendeePages,
  entriesOfPersons,
  type ExportPerson,
  personPage,
  personPages,
  projectTitle,
  sealedIdNumbers,
  unitOfPerson,
  unitsWithin,
} from '../repositories/exports.ts';
import { subtreeIds } from '../repositories/organisations.ts';
import { standingsOf } from '../repositories/standing.ts';
import { complianceByDepartment, runResults, runsWithin } from '../repositories/verification.ts';
import { excelDay, excelMoment, type Sheet } from '../spreadsheet.ts';

export interface ExportContext {
  db: DB;
  vault: IdNumberVault;
  user: { id: string; role: Role; organisationId: string };
  now: Date;
}

/** A workbook to stream: its file name and its sheets in order. */
export interface Workbook {
  fileName: string;
  sheets: Sheet<Record<string, unknown>>[];
}

// The words of the files: official records are in Chinese whatever the reader's screen speaks.
const GENDER = { male: '男', female: '女' } as const;
const DEGREE: Record<string, string> = { secondary: '中专', college: '大专', bachelor: '本科', master: '硕士研究生', doctorate: '博士研究生' };
const CATEGORY: Record<string, string> = { doctor: '医', nurse: '护', pharmacist: '药', technician: '技' };
const CLASS = { I: 'Ⅰ类', II: 'Ⅱ类' } as const;
const LEVEL: Record<string, string> = { national: '国家级', provincial: '省级', city: '市级', unit: '单位' };
const SOURCE: Record<string, string> = { attendance: '项目签到', claim: '学分申报', import: '导入', adjustment: '调整', reversal: '冲销' };
const ROUND = { 'mid-year': '年中审验', 'year-end': '年终审验' } as const;
const RUN_STATUS: Record<string, string> = { draft: '未上报', submitted: '已上报市州', forwarded: '已报省' };
const NO_DEPARTMENT = '（未分科室）';

interface Identified {
  id: string;
  institution_id: string;
  department_id: string | null;
  id_number_enc: string;
  id_number_masked: string;
}

/**
 * The ID numbers an export shows: in full to whoever may reveal one on screen, for the people in
 * their part of the tree, and then on each person's unit's log (a page's lines written before that
 * page leaves); masked to everyone else. The export itself goes on the log of the organisation it
 * covers, whatever it shows.
 */
class IdNumbers {
  private readonly ctx: ExportContext;
  private readonly action: string;
  /** The viewer's part of the tree when they may read ID numbers in full; none when they may not. */
  private readonly scope: Set<string> | null;

  private constructor(ctx: ExportContext, action: string, scope: Set<string> | null) {
    this.ctx = ctx;
    this.action = action;
    this.scope = scope;
  }

  static async open(ctx: ExportContext, exported: { kind: string; organisationId: string; entityId: string; detail: object }): Promise<IdNumbers> {
    const full = FULL_ID_NUMBER_READERS.includes(ctx.user.role);
    await audit(ctx.db, {
      actor: { userId: ctx.user.id, organisationId: ctx.user.organisationId },
      action: `exchange.export-${exported.kind}`,
      entity: exported.kind === 'attendees' ? 'project' : 'organisation',
      entityId: exported.entityId,
      organisationId: exported.organisationId,
      after: { ...exported.detail, idNumbers: full ? 'full' : 'masked' },
      at: ctx.now,
    });
    return new IdNumbers(ctx, `exchange.export-${exported.kind}`, full ? new Set(await subtreeIds(ctx.db, ctx.user.organisationId)) : null);
  }

  /** The ID number to print for each person of a page, by id; the full ones audited before they are printed. */
  async of(people: readonly Identified[]): Promise<Map<string, string>> {
    const full = this.scope ? people.filter((p) => this.scope!.has(p.department_id ?? p.institution_id)) : [];
    await auditPersonalData(this.ctx.db, {
      actor: { userId: this.ctx.user.id, organisationId: this.ctx.user.organisationId },
      action: this.action,
      persons: full.map((p) => ({ id: p.id, institutionId: p.institution_id })),
      detail: { fields: ['idNumber'] },
      at: this.ctx.now,
    });
    const shown = new Map(people.map((p) => [p.id, p.id_number_masked]));
    for (const p of full) shown.set(p.id, this.ctx.vault.decrypt(p.id_number_enc));
    return shown;
  }
}

/** Every row of every page, each page's ID numbers settled (and audited) before its first row leaves. */
async function* rowsOf<P extends Identified, Row>(
  pages: AsyncIterable<P[]>,
  ids: IdNumbers,
  rows: (page: P[], idNumber: (p: P) => string) => Promise<Iterable<Row>> | Iterable<Row>,
): AsyncGenerator<Row> {
  for await (const page of pages) {
    const shown = await ids.of(page);
    yield* await rows(page, (p) => shown.get(p.id)!);
  }
}

const sheet = <Row extends object>(s: Sheet<Row>) => s as unknown as Sheet<Record<string, unknown>>;

/** The staff roster of a unit or department (人员名册), in the columns the staff import reads. */
export async function staffWorkbook(ctx: ExportContext, input: { organisationId: string }): Promise<Workbook> {
  const ids = await IdNumbers.open(ctx, { kind: 'staff', organisationId: input.organisationId, entityId: input.organisationId, detail: {} });
  return {
    fileName: '人员名册.xlsx',
    sheets: [
      sheet({
        name: '人员名册',
        columns: [
          { header: '姓名', key: 'name', width: 12 },
          { header: '性别', key: 'gender', width: 6 },
          { header: '身份证号', key: 'idNumber', width: 22, text: true },
          { header: '手机号', key: 'phone', width: 14, text: true },
          { header: '单位', key: 'unit', width: 24 },
          { header: '科室', key: 'department', width: 14 },
          { header: '职称', key: 'title', width: 14 },
          { header: '聘任职称', key: 'employedTitle', width: 14 },
          { header: '学历', key: 'degree', width: 12 },
          { header: '人员类别', key: 'category', width: 10 },
          { header: '继教卡号', key: 'cmeNumber', width: 16, text: true },
          { header: '登记日期', key: 'registered', width: 12, date: 'day' },
        ],
        rows: rowsOf(personPages(ctx.db, { organisationId: input.organisationId, approvedOnly: true }), ids, (page, idNumber) =>
          page.map((p) => ({
            name: p.name,
            gender: GENDER[p.gender],
            idNumber: idNumber(p),
            phone: p.phone ?? '',
            unit: p.unit,
            department: p.department ?? NO_DEPARTMENT,
            title: p.title ?? '',
            employedTitle: p.employed_title ?? '',
            degree: p.degree ? (DEGREE[p.degree] ?? '') : '',
            category: p.category ? (CATEGORY[p.category] ?? '') : '',
            cmeNumber: p.cme_number ?? '',
            registered: excelMoment(p.created_at),
          })),
        ),
      }),
    ],
  };
}

/**
 * A person's or a department's (or unit's) credits for a CME year, for HR (学分汇总): per person
 * the totals by class with the verdict of the rule set, then every ledger entry they come from.
 */
export async function creditsWorkbook(ctx: ExportContext, input: { cmeYear: number } & ({ personId: string } | { organisationId: string })): Promise<Workbook> {
  const { db } = ctx;
  const one = 'personId' in input;
  const people = () => (one ? personPage(db, input.personId) : personPages(db, { organisationId: input.organisationId, approvedOnly: true }));
  const owner = one ? await unitOfPerson(db, input.personId) : null;
  if (one && !owner) throw new UserFacingError('NOT_FOUND', 'proofs.no-such-person');
  const ids = await IdNumbers.open(ctx, {
    kind: 'credits',
    organisationId: one ? owner! : input.organisationId,
    entityId: one ? owner! : input.organisationId,
    detail: { cmeYear: input.cmeYear, ...(one ? { personId: input.personId } : {}) },
  });
  return {
    fileName: `学分汇总-${input.cmeYear}.xlsx`,
    sheets: [
      sheet({
        name: `${input.cmeYear}年度学分汇总`,
        columns: [
          { header: '姓名', key: 'name', width: 12 },
          { header: '身份证号', key: 'idNumber', width: 22, text: true },
          { header: '单位', key: 'unit', width: 24 },
          { header: '科室', key: 'department', width: 14 },
          { header: '职称', key: 'title', width: 14 },
          { header: 'Ⅰ类学分', key: 'classI', width: 10 },
          { header: '其中国家级Ⅰ类', key: 'national', width: 14 },
          { header: 'Ⅱ类学分', key: 'classII', width: 10 },
          { header: '合计', key: 'total', width: 8 },
          { header: '是否达标', key: 'compliant', width: 10 },
          { header: '说明', key: 'explanation', width: 40 },
        ],
        rows: rowsOf(people(), ids, async (page, idNumber) => {
          // The standings of a page in one pass over its people's entries, by the rule set that governs each.
          const standings = new Map((await standingsOf(db, { personIds: page.map((p) => p.id) }, input.cmeYear)).map((s) => [s.personId, s.standing]));
          return page.map((p) => {
            const standing = standings.get(p.id)!;
            return {
              name: p.name,
              idNumber: idNumber(p),
              unit: p.unit,
              department: p.department ?? NO_DEPARTMENT,
              title: p.title ?? '',
              classI: standing.totals.classI,
              national: standing.totals.national,
              classII: standing.totals.classII,
              total: standing.totals.total,
              compliant: standing.compliant ? '达标' : '未达标',
              explanation: standingInChinese(standingReasons(standing)),
            };
          });
        }),
      }),
      sheet({
        name: '学分明细',
        columns: [
          { header: '姓名', key: 'name', width: 12 },
          { header: '身份证号', key: 'idNumber', width: 22, text: true },
          { header: '记入日期', key: 'approved', width: 12, date: 'day' },
          { header: '学分类别', key: 'creditClass', width: 10 },
          { header: '级别', key: 'level', width: 8 },
          { header: '学分', key: 'credits', width: 8 },
          { header: '来源', key: 'source', width: 10 },
          { header: '项目或活动', key: 'label', width: 40 },
        ],
        rows: rowsOf(people(), ids, async (page, idNumber) => {
          const byId = new Map(page.map((p) => [p.id, p]));
          return (await entriesOfPersons(db, [...byId.keys()], { cmeYear: input.cmeYear })).map((e) => ledgerRow(byId.get(e.person_id)!, idNumber, e));
        }),
      }),
    ],
  };
}

type Entry = Awaited<ReturnType<typeof entriesOfPersons>>[number];

function ledgerRow(p: ExportPerson, idNumber: (p: ExportPerson) => string, e: Entry) {
  return {
    name: p.name,
    idNumber: idNumber(p),
    unit: p.unit,
    department: p.department ?? NO_DEPARTMENT,
    approved: excelMoment(e.approved_at),
    cmeYear: e.cme_year,
    creditClass: CLASS[e.credit_class],
    level: e.level ? (LEVEL[e.level] ?? '') : '',
    credits: e.credits,
    source: SOURCE[e.source_kind] ?? '',
    label: e.source_label,
  };
}

/**
 * The ledger of a unit, city or province for a period (学分账本): every entry approved between
 * `from` and `to` (China days, both included), reversals as the negative entries they are.
 */
export async function ledgerWorkbook(ctx: ExportContext, input: { organisationId: string; from: string; to: string }): Promise<Workbook> {
  if (input.to < input.from) throw new UserFacingError('BAD_REQUEST', 'exports.period-ends-before-start', {}, 'to');
  const period = { from: chinaDayStart(input.from).toISOString(), to: chinaDayStart(addDays(input.to, 1)).toISOString() };
  const ids = await IdNumbers.open(ctx, {
    kind: 'ledger',
    organisationId: input.organisationId,
    entityId: input.organisationId,
    detail: { from: input.from, to: input.to },
  });
  return {
    fileName: `学分账本-${input.from}至${input.to}.xlsx`,
    sheets: [
      sheet({
        name: '学分账本',
        columns: [
          { header: '记账时间', key: 'approved', width: 17, date: 'minute' },
          { header: '姓名', key: 'name', width: 12 },
          { header: '身份证号', key: 'idNumber', width: 22, text: true },
          { header: '单位', key: 'unit', width: 24 },
          { header: '科室', key: 'department', width: 14 },
          { header: '学年', key: 'cmeYear', width: 8 },
          { header: '学分类别', key: 'creditClass', width: 10 },
          { header: '级别', key: 'level', width: 8 },
          { header: '学分', key: 'credits', width: 8 },
          { header: '来源', key: 'source', width: 10 },
          { header: '项目或活动', key: 'label', width: 40 },
        ],
        rows: rowsOf(personPages(ctx.db, { organisationId: input.organisationId, approvedOnly: false }), ids, async (page, idNumber) => {
          const byId = new Map(page.map((p) => [p.id, p]));
          return (await entriesOfPersons(ctx.db, [...byId.keys()], period)).map((e) => ledgerRow(byId.get(e.person_id)!, idNumber, e));
        }),
      }),
    ],
  };
}

/**
 * Verification results (审验结果) of a unit, city or province for a CME year: the rate of each unit
 * and of each department (达标率, from the submitted year-end verification where there is one and
 * from the live ledger otherwise, as the compliance page shows it), then each verified person.
 */
export async function verificationWorkbook(ctx: ExportContext, input: { organisationId: string; cmeYear: number }): Promise<Workbook> {
  const { db } = ctx;
  const units = await unitsWithin(db, input.organisationId);
  const runs = await runsWithin(db, input);
  // One unit at a time: the rates are a few rows per unit, the people are read again for the last sheet.
  const unitRows = [];
  const departmentRows = [];
  for (const unit of units) {
    const departments = await complianceByDepartment(db, { organisationId: unit.id, cmeYear: input.cmeYear });
    const counted = departments.reduce((s, d) => s + d.counted, 0);
    const compliant = departments.reduce((s, d) => s + d.compliant, 0);
    const status = runs
      .filter((r) => r.organisation === unit.name)
      .map((r) => `${ROUND[r.round as keyof typeof ROUND]}：${RUN_STATUS[r.status] ?? r.status}`)
      .join('；');
    unitRows.push({ unit: unit.name, status: status || '未审验', counted, compliant, rate: rate(compliant, counted) });
    for (const d of departments)
      departmentRows.push({
        unit: unit.name,
        department: d.name,
        counted: d.counted,
        compliant: d.compliant,
        rate: rate(d.compliant, d.counted),
        source: d.source === 'verification' ? '年度审验' : '实时学分',
      });
  }
  const ids = await IdNumbers.open(ctx, {
    kind: 'verification',
    organisationId: input.organisationId,
    entityId: input.organisationId,
    detail: { cmeYear: input.cmeYear },
  });
  async function* resultPages() {
    for (const run of runs) {
      const { results } = await runResults(db, run.id);
      const sealed = new Map(
        (
          await sealedIdNumbers(
            db,
            results.map((r) => r.person_id),
          )
        ).map((p) => [p.id, p]),
      );
      yield results.map((r) => ({
        ...r,
        id: r.person_id,
        unit: run.organisation,
        round: ROUND[run.round as keyof typeof ROUND],
        institution_id: sealed.get(r.person_id)!.institution_id,
        department_id: null,
        id_number_enc: sealed.get(r.person_id)!.id_number_enc,
      }));
    }
  }
  return {
    fileName: `审验结果-${input.cmeYear}.xlsx`,
    sheets: [
      sheet({
        name: '各单位达标率',
        columns: [
          { header: '单位', key: 'unit', width: 28 },
          { header: '审验情况', key: 'status', width: 30 },
          { header: '计入人数', key: 'counted', width: 10 },
          { header: '达标人数', key: 'compliant', width: 10 },
          { header: '达标率', key: 'rate', width: 10, percent: true },
        ],
        rows: unitRows,
      }),
      sheet({
        name: '各科室达标率',
        columns: [
          { header: '单位', key: 'unit', width: 28 },
          { header: '科室', key: 'department', width: 16 },
          { header: '计入人数', key: 'counted', width: 10 },
          { header: '达标人数', key: 'compliant', width: 10 },
          { header: '达标率', key: 'rate', width: 10, percent: true },
          { header: '依据', key: 'source', width: 10 },
        ],
        rows: departmentRows,
      }),
      sheet({
        name: '审验结果',
        columns: [
          { header: '单位', key: 'unit', width: 28 },
          { header: '审验轮次', key: 'round', width: 10 },
          { header: '科室', key: 'department', width: 14 },
          { header: '姓名', key: 'name', width: 12 },
          { header: '身份证号', key: 'idNumber', width: 22, text: true },
          { header: '职称', key: 'title', width: 14 },
          { header: 'Ⅰ类学分', key: 'classI', width: 10 },
          { header: 'Ⅱ类学分', key: 'classII', width: 10 },
          { header: '合计', key: 'total', width: 8 },
          { header: '是否达标', key: 'compliant', width: 10 },
          { header: '说明', key: 'explanation', width: 40 },
        ],
        rows: rowsOf(resultPages(), ids, (page, idNumber) =>
          page.map((r) => ({
            unit: r.unit,
            round: r.round,
            department: r.department ?? NO_DEPARTMENT,
            name: r.name,
            idNumber: idNumber(r),
            title: r.title ?? '',
            classI: r.class_i,
            classII: r.class_ii,
            total: r.total,
            compliant: r.compliant ? '达标' : '未达标',
            explanation: r.explanation,
          })),
        ),
      }),
    ],
  };
}

/** A share as Excel keeps it (0.5 shown as 50.0%); none of nobody. */
const rate = (part: number, whole: number) => (whole ? part / whole : null);

/**
 * A project's attendees in the national execution report's template (学员通讯录): everyone who came
 * to a session of it, with their unit, title, contact and the credits awarded.
 */
export async function attendeesWorkbook(ctx: ExportContext, input: { projectId: string }): Promise<Workbook> {
  const project = await projectTitle(ctx.db, input.projectId);
  if (!project) throw new UserFacingError('NOT_FOUND', 'access.record-not-found');
  const ids = await IdNumbers.open(ctx, {
    kind: 'attendees',
    organisationId: project.organiser_id,
    entityId: input.projectId,
    detail: { number: project.number },
  });
  let n = 0;
  return {
    fileName: `学员通讯录-${project.number}.xlsx`,
    sheets: [
      sheet({
        name: '学员通讯录',
        columns: [
          { header: '序号', key: 'n', width: 6 },
          { header: '姓名', key: 'name', width: 12 },
          { header: '性别', key: 'gender', width: 6 },
          { header: '身份证号', key: 'idNumber', width: 22, text: true },
          { header: '工作单位', key: 'unit', width: 28 },
          { header: '科室', key: 'department', width: 14 },
          { header: '职称', key: 'title', width: 14 },
          { header: '手机号', key: 'phone', width: 14, text: true },
          { header: '继教卡号', key: 'cmeNumber', width: 16, text: true },
          { header: '参加日期', key: 'attended', width: 12, date: 'day' },
          { header: '授予学分', key: 'credits', width: 10 },
        ],
        rows: rowsOf(attendeePages(ctx.db, input.projectId), ids, (page, idNumber) =>
          page.map((p) => ({
            n: ++n,
            name: p.name,
            gender: GENDER[p.gender],
            idNumber: idNumber(p),
            unit: p.unit,
            department: p.department ?? '',
            title: p.title ?? '',
            phone: p.phone ?? '',
            cmeNumber: p.cme_number ?? '',
            attended: excelDay(chinaDate(p.first_session)),
            credits: p.credits ?? 0,
          })),
        ),
      }),
    ],
  };
}
