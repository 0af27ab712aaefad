// Spreadsheets as files go out: written row by row into the response as the zip is made, so an
// export of many rows never holds the whole workbook in memory.
import { once } from 'node:events';
import type { Writable } from 'node:stream';
import ExcelJS from 'exceljs';

export interface SheetColumn<Row> {
  header: string;
  key: keyof Row & string;
  width: number;
  /** Kept as text, so Excel keeps every digit of an ID or card number. */
  text?: true;
  /** A real Excel date (a `Date` in the row, see `excelDay`/`excelMoment`): a day, or a day and minute. */
  date?: 'day' | 'minute';
  /** A share (0.5) shown as a percentage (50.0%). */
  percent?: true;
}

/** One sheet of an export: its tab's name, its columns, its rows in order (read as they are written). */
export interface Sheet<Row> {
  name: string;
  columns: readonly SheetColumn<Row>[];
  rows: Iterable<Row> | AsyncIterable<Row>;
}

const DATE_FORMAT = { day: 'yyyy-mm-dd', minute: 'yyyy-mm-dd hh:mm' } as const;
/** How often the writer looks whether the client keeps up: a slow download must not pile the file up in memory. */
const DRAIN_EVERY = 500;

/** Streams the sheet as an .xlsx into `out` (ended when done), with a bold, frozen header row. */
export async function streamSheet<Row extends object>(out: Writable, sheet: Sheet<Row>): Promise<void> {
  await streamBook<[Row]>(out, [sheet]);
}

/** Streams the sheets, one after another, as one .xlsx into `out` (ended when done). */
export async function streamBook<Rows extends object[]>(out: Writable, sheets: { [K in keyof Rows]: Sheet<Rows[K]> }): Promise<void> {
  // Fast compression: an export of 200 000 rows spends its time zipping; the file stays small enough.
  const book = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: out, useStyles: true, useSharedStrings: false, zip: { zlib: { level: 1 } } });
  for (const sheet of sheets as readonly Sheet<Record<string, unknown>>[]) {
    const tab = book.addWorksheet(sheet.name, { views: [{ state: 'frozen', ySplit: 1 }] });
    // One style object per column, given to each of its cells: exceljs knows a style object it has
    // seen and skips working out its id again, which otherwise costs more than the rest of the row.
    const styles: Partial<ExcelJS.Style>[] = sheet.columns.map((c) =>
      c.text ? { numFmt: '@' } : c.date ? { numFmt: DATE_FORMAT[c.date] } : c.percent ? { numFmt: '0.0%' } : {},
    );
    tab.columns = sheet.columns.map((c, i) => ({ header: c.header, key: c.key, width: c.width, style: styles[i]! }));
    tab.getRow(1).font = { bold: true };
    tab.getRow(1).commit();
    let written = 0;
    for await (const values of sheet.rows) {
      const row = tab.addRow(values);
      for (let i = 0; i < styles.length; i++) row.getCell(i + 1).style = styles[i]!;
      row.commit();
      if (++written % DRAIN_EVERY === 0 && out.writableNeedDrain) await once(out, 'drain');
    }
    tab.commit();
  }
  await book.commit();
}

/** China is UTC+8 all year; Excel's dates have no zone, so a cell holds the Beijing wall clock. */
const CHINA_OFFSET_MS = 8 * 3600_000;

/** A calendar day (YYYY-MM-DD, as stored) as the Excel date of that day. */
export function excelDay(date: string): Date;
export function excelDay(date: string | null): Date | null;
export function excelDay(date: string | null): Date | null {
  return date ? new Date(`${date.slice(0, 10)}T00:00:00Z`) : null;
}

/** An instant as the Excel date and time it was in Beijing. */
export function excelMoment(instant: string): Date;
export function excelMoment(instant: string | null): Date | null;
export function excelMoment(instant: string | null): Date | null {
  return instant ? new Date(new Date(instant).getTime() + CHINA_OFFSET_MS) : null;
}
