// Spreadsheets as offices make them, built by the tests: .xlsx through exceljs, CSV in UTF-8 or GBK.
import { idNumberCheckChar } from '@opencme/core';
import ExcelJS from 'exceljs';
import iconv from 'iconv-lite';
import type { TestServer } from '../harness.ts';

export type Cells = (string | number | Date | null)[];

/** A valid ID number for person `i` (different birth dates and orders, check digit right). */
export function idNumberFor(i: number, region = '340104'): string {
  const year = 1960 + (i % 40);
  const month = 1 + (Math.floor(i / 40) % 12);
  const day = 1 + (Math.floor(i / 480) % 28);
  const order = Math.floor(i / 13_440) % 1000;
  const first17 = `${region}${year}${String(month).padStart(2, '0')}${String(day).padStart(2, '0')}${String(order).padStart(3, '0')}`;
  return first17 + idNumberCheckChar(first17);
}

export const STAFF_HEADER = ['姓名', '性别', '身份证号', '手机号', '科室', '职称', '聘任职称', '聘任时间', '学历', '人员类别'];

/** Person `i`'s name: no digits in a name, so the number in Chinese numerals (导入一〇〇〇号). */
export const nameFor = (i: number) => `导入${[...String(i)].map((d) => '〇一二三四五六七八九'[Number(d)]).join('')}号`;

/** Person `i` as a row under STAFF_HEADER. */
export function staffRow(i: number, department = '心血管内科'): Cells {
  const id = idNumberFor(i);
  return [nameFor(i), Number(id[16]) % 2 ? '男' : '女', id, `139${String(i).padStart(8, '0')}`, department, '主治医师', '主治医师', '2021-01-01', '本科', '医'];
}

export async function xlsx(rows: Cells[], options: { before?: Cells[]; textColumns?: number[] } = {}): Promise<Buffer> {
  const book = new ExcelJS.Workbook();
  const sheet = book.addWorksheet('人员');
  for (const row of options.before ?? []) sheet.addRow(row);
  if (options.before?.length) sheet.mergeCells(1, 1, 1, 6);
  for (const row of rows) sheet.addRow(row);
  return Buffer.from(await book.xlsx.writeBuffer());
}

/** CSV as Excel writes it: quoted where needed, CRLF, in UTF-8 (optionally with BOM) or GBK. */
export function csv(rows: Cells[], encoding: 'utf8' | 'utf8-bom' | 'gbk'): Buffer {
  const quote = (cell: Cells[number]) => {
    const text = cell === null ? '' : String(cell);
    return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
  };
  const text = rows.map((r) => r.map(quote).join(',')).join('\r\n') + '\r\n';
  if (encoding === 'gbk') return iconv.encode(text, 'gbk');
  return Buffer.concat([Buffer.from(encoding === 'utf8-bom' ? '\ufeff' : ''), Buffer.from(text, 'utf8')]);
}

export interface PreviewBody {
  previewId: string | null;
  summary: { create: number; update: number; unchanged: number; rejected: number };
  header: { found: string[]; missing: string[]; unknown: string[] };
  errors: { row: number | null; column: string | null; code: string; message: string; messageKey: string; params: Record<string, unknown> }[];
  changes: { row: number; label: string | null; changes: { column: string; from: string | null; to: string | null }[] }[];
  notices: { message: string }[];
  messageKey?: string;
  message?: string;
  params?: Record<string, unknown>;
}

/** POSTs a file to /api/exchange/<kind>/preview as the kiosk does. */
export async function preview(
  server: TestServer,
  cookie: string | null,
  file: { name: string; bytes: Uint8Array },
  options: { kind?: string; scope?: string; project?: string } = {},
) {
  const form = new FormData();
  if (options.scope) form.append('scope', options.scope);
  if (options.project) form.append('project', options.project);
  form.append('file', new Blob([new Uint8Array(file.bytes)]), file.name);
  const res = await fetch(`${server.url}/api/exchange/${options.kind ?? 'staff'}/preview`, {
    method: 'POST',
    headers: { 'x-opencme-upload': '1', ...(cookie ? { cookie } : {}) },
    body: form,
  });
  return { status: res.status, body: (await res.json()) as PreviewBody };
}

export async function commit(server: TestServer, cookie: string | null, previewId: string) {
  const res = await fetch(`${server.url}/api/exchange/previews/${previewId}/commit`, {
    method: 'POST',
    headers: { 'x-opencme-upload': '1', ...(cookie ? { cookie } : {}) },
  });
  return {
    status: res.status,
    body: (await res.json()) as {
      batchId?: string | null;
      summary?: PreviewBody['summary'];
      messageKey?: string;
      message?: string;
      errors?: PreviewBody['errors'];
    },
  };
}

/**
 * Fills the downloaded staff template as an office would: `count` people from `first` (numbered
 * as `idNumberFor`), under whatever columns the template has, over its example row; `typoAt` (a
 * row as Excel numbers it) gets a wrong last character in its ID number.
 */
export async function fillStaffTemplate(
  template: Uint8Array,
  options: { first: number; count: number; departments: readonly string[]; typoAt?: number },
): Promise<Buffer> {
  const book = new ExcelJS.Workbook();
  await book.xlsx.load(Buffer.from(template) as unknown as ArrayBuffer);
  const sheet = book.worksheets[0]!;
  const headers = (sheet.getRow(1).values as string[]).slice(1).map((h) => h.replace('*', ''));
  const column = (name: string) => headers.indexOf(name) + 1;
  for (let i = 0; i < options.count; i++) {
    const n = options.first + i;
    const row = sheet.getRow(i + 2);
    let id = idNumberFor(n);
    if (i + 2 === options.typoAt) id = id.slice(0, 17) + (id[17] === '1' ? '2' : '1');
    row.getCell(column('姓名')).value = nameFor(n);
    row.getCell(column('性别')).value = null;
    row.getCell(column('身份证号')).value = id;
    row.getCell(column('手机号')).value = `137${String(n).padStart(8, '0')}`;
    row.getCell(column('科室')).value = options.departments[i % options.departments.length]!;
    row.getCell(column('职称')).value = '护师';
    row.getCell(column('职称取得时间')).value = null;
    row.getCell(column('聘任职称')).value = null;
    row.getCell(column('聘任时间')).value = null;
    row.getCell(column('人员类别')).value = '护';
    row.getCell(column('学历')).value = '本科';
  }
  return Buffer.from(await book.xlsx.writeBuffer());
}
