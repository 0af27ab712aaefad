// Spreadsheets as files go out: written row by row into the response as the zip is made, so an
// export of many rows never holds the whole workbook in memory.
import type { Writable } from 'node:stream';
import ExcelJS from 'exceljs';

export interface SheetColumn<Row> {
  header: string;
  key: keyof Row & string;
  width: number;
  /** Kept as text, so Excel keeps every digit of an ID or card number. */
  text?: true;
}

/** One sheet of an export: its tab's name, its columns, its rows in order. */
export interface Sheet<Row> {
  name: string;
  columns: readonly SheetColumn<Row>[];
  rows: Iterable<Row>;
}

/** Streams the sheet as an .xlsx into `out` (ended when done), with a bold, frozen header row. */
export async function streamSheet<Row extends object>(out: Writable, sheet: Sheet<Row>): Promise<void> {
  const book = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: out, useStyles: true, useSharedStrings: false });
  const tab = book.addWorksheet(sheet.name, { views: [{ state: 'frozen', ySplit: 1 }] });
  tab.columns = sheet.columns.map((c) => ({ header: c.header, key: c.key, width: c.width, ...(c.text ? { style: { numFmt: '@' } } : {}) }));
  tab.getRow(1).font = { bold: true };
  for (const row of sheet.rows) tab.addRow(row).commit();
  tab.commit();
  await book.commit();
}
