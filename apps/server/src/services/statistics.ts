// 统计报表: what a province (or city) office prints about its part of the tree for a CME year, per
// city and per unit: staff, credits by class (Ⅰ类/Ⅱ类), 达标率 and the projects held. The people
// and credits are the live standings the compliance pages read; 达标率 counts as they do (staff
// employed at intermediate title or above).
import type { DB } from '../db/connect.ts';
import { organisationKind, projectsHeldBy, unitsWithCities } from '../repositories/statistics.ts';
import { standingsOf } from '../repositories/standing.ts';
import { countsForRate } from '../repositories/verification.ts';
import type { Sheet } from '../spreadsheet.ts';
import type { ExportContext, Workbook } from './exports.ts';

export interface StatisticsRow {
  id: string | null;
  name: string;
  /** For a unit, its city's name (null for a province-direct unit, 省直). */
  city: string | null;
  staff: number;
  classI: number;
  classII: number;
  /** Staff the rate counts, of them compliant, and the share (null when it counts nobody). */
  counted: number;
  compliant: number;
  rate: number | null;
  projects: number;
}

const tenth = (n: number) => Math.round(n * 10) / 10;
const share = (part: number, whole: number) => (whole ? Math.round((part / whole) * 1000) / 1000 : null);

function blank(id: string | null, name: string, city: string | null): StatisticsRow {
  return { id, name, city, staff: 0, classI: 0, classII: 0, counted: 0, compliant: 0, rate: null, projects: 0 };
}

function addInto(into: StatisticsRow, row: StatisticsRow) {
  into.staff += row.staff;
  into.classI += row.classI;
  into.classII += row.classII;
  into.counted += row.counted;
  into.compliant += row.compliant;
  into.projects += row.projects;
}

const finish = (row: StatisticsRow): StatisticsRow => ({
  ...row,
  classI: tenth(row.classI),
  classII: tenth(row.classII),
  rate: share(row.compliant, row.counted),
});

/**
 * The report of an organisation's subtree: one row per unit, one per city (a province's units
 * directly under it, 省直, together in a row of their own), and the total. A unit's office gets its
 * own row only.
 */
export async function statisticsOf(db: DB, input: { organisationId: string; cmeYear: number }) {
  const [units, standings, held, kind] = await Promise.all([
    unitsWithCities(db, input.organisationId),
    standingsOf(db, { organisationId: input.organisationId }, input.cmeYear),
    projectsHeldBy(db, input.organisationId, `${input.cmeYear}-01-01`, `${input.cmeYear}-12-31`),
    organisationKind(db, input.organisationId),
  ]);
  const byUnit = new Map(units.map((u) => [u.id, { ...blank(u.id, u.name, u.cityName), projects: held.get(u.id) ?? 0 }]));
  for (const p of standings) {
    const row = byUnit.get(p.institutionId);
    if (!row) continue;
    row.staff += 1;
    row.classI += p.standing.totals.classI;
    row.classII += p.standing.totals.classII;
    if (countsForRate(p)) {
      row.counted += 1;
      if (p.standing.compliant) row.compliant += 1;
    }
  }
  const cities = new Map<string | null, StatisticsRow>();
  const total = blank(null, '', null);
  for (const u of units) {
    const row = byUnit.get(u.id)!;
    let city = cities.get(u.cityId);
    if (!city) cities.set(u.cityId, (city = blank(u.cityId, u.cityName ?? '', null)));
    addInto(city, row);
    addInto(total, row);
  }
  const zh = (a: StatisticsRow, b: StatisticsRow) => a.name.localeCompare(b.name, 'zh-CN');
  return {
    units: [...byUnit.values()].map(finish),
    // A unit alone has no cities to compare.
    cities: kind === 'institution' ? [] : [...cities.values()].map(finish).sort(zh),
    total: finish(total),
  };
}

const sheet = <Row extends object>(s: Sheet<Row>) => s as unknown as Sheet<Record<string, unknown>>;
const PROVINCE_DIRECT = '省直单位';

/** The report as a workbook (统计报表): a sheet per city and one per unit, Chinese headers, header frozen. */
export async function statisticsWorkbook(ctx: ExportContext, input: { organisationId: string; cmeYear: number }): Promise<Workbook> {
  const report = await statisticsOf(ctx.db, input);
  const numbers = [
    { header: '人员数', key: 'staff', width: 10 },
    { header: 'Ⅰ类学分', key: 'classI', width: 12 },
    { header: 'Ⅱ类学分', key: 'classII', width: 12 },
    { header: '计入达标率人数', key: 'counted', width: 14 },
    { header: '达标人数', key: 'compliant', width: 10 },
    { header: '达标率', key: 'rate', width: 10, percent: true },
    { header: '举办项目数', key: 'projects', width: 12 },
  ] as const;
  const totalRow = { ...report.total, name: '合计', city: '' };
  const sheets = [];
  if (report.cities.length > 0)
    sheets.push(
      sheet({
        name: '各市州',
        columns: [{ header: '市州', key: 'name', width: 24 }, ...numbers],
        rows: [...report.cities.map((c) => ({ ...c, name: c.id ? c.name : PROVINCE_DIRECT })), totalRow],
      }),
    );
  sheets.push(
    sheet({
      name: '各单位',
      columns: [{ header: '市州', key: 'city', width: 20 }, { header: '单位', key: 'name', width: 30 }, ...numbers],
      rows: [...report.units.map((u) => ({ ...u, city: u.city ?? PROVINCE_DIRECT })), totalRow],
    }),
  );
  return { fileName: `统计报表-${input.cmeYear}.xlsx`, sheets };
}
