// The template of a kind: its exact headers (required ones marked *), an example row, every
// column formatted as text (so Excel keeps all 18 digits of an ID number), and a notes sheet.
import ExcelJS from 'exceljs';
import type { ExchangeKind } from './kind.ts';

export async function templateOf(kind: ExchangeKind): Promise<Buffer> {
  const book = new ExcelJS.Workbook();
  const sheet = book.addWorksheet(kind.title, { views: [{ state: 'frozen', ySplit: 1 }] });
  sheet.columns = kind.columns.map((c) => ({ header: c.required ? `${c.header}*` : c.header, key: c.key, width: c.width ?? 14, style: { numFmt: '@' } }));
  sheet.getRow(1).font = { bold: true };
  sheet.addRow(Object.fromEntries(kind.columns.map((c) => [c.key, c.example])));
  const notes = book.addWorksheet('填写说明');
  notes.columns = [{ width: 110 }];
  const lines = [
    ...kind.notes,
    '',
    '各列说明：',
    ...kind.columns.map(
      (c) => `${c.header}${c.required ? '（必填）' : ''}${c.note ? `：${c.note}` : ''}${c.synonyms?.length ? `（也可写作：${c.synonyms.join('、')}）` : ''}`,
    ),
    '',
    '第二行是示例，导入前请删除或改为真实数据。',
  ];
  for (const line of lines) notes.addRow([line]);
  notes.getRow(1).font = { bold: true };
  return Buffer.from(await book.xlsx.writeBuffer());
}
