// An uploaded spreadsheet as a grid of cells: .xlsx through exceljs, .csv through a real CSV
// parser in whichever encoding the office's Excel or WPS saved it (UTF-8 with or without BOM, or
// GB18030/GBK, the default of Chinese Windows). Anything else is refused with a message that
// says how to save the file as .xlsx.
import { parse as parseCsv } from 'csv-parse/sync';
import ExcelJS from 'exceljs';
import iconv from 'iconv-lite';
import yauzl from 'yauzl';
import { ExchangeRefusal } from './messages.ts';

/** A cell as the reader gives it: text, a number, a real date (from a date cell), a boolean, or nothing. */
export type Cell = string | number | boolean | Date | null;

/** A row of the first sheet, numbered as the user sees it in Excel (1 = the first row). */
export interface GridRow {
  number: number;
  cells: Cell[];
}

export const FILE_LIMITS = {
  /** A unit's 3 000 staff take about 300 KB; 10 000 rows about 1 MB. */
  bytes: 10 * 1024 * 1024,
  /** An .xlsx is a zip, and a few MB of zip can unpack to gigabytes. */
  unzippedBytes: 100 * 1024 * 1024,
  zipEntries: 1000,
  rows: 20_000,
} as const;

const ZIP_MAGIC = [0x50, 0x4b, 0x03, 0x04];
/** The OLE compound file of Excel 97–2003 (.xls), and of .et from old WPS. */
const OLE_MAGIC = [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1];
const startsWith = (bytes: Uint8Array, magic: readonly number[]) => magic.every((b, i) => bytes[i] === b);

async function unzippedSizeOk(bytes: Uint8Array): Promise<'ok' | 'too-large' | 'unreadable'> {
  try {
    const zip = await yauzl.fromBufferPromise(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), { lazyEntries: true, validateEntrySizes: true });
    if (zip.entryCount > FILE_LIMITS.zipEntries) return 'too-large';
    let total = 0;
    for await (const entry of zip.eachEntry()) {
      total += entry.uncompressedSize;
      if (total > FILE_LIMITS.unzippedBytes) return 'too-large';
      // The sizes in the directory are only claims: unpacking holds each entry to its own.
      for await (const _ of await zip.openReadStreamPromise(entry));
    }
    return 'ok';
  } catch {
    return 'unreadable';
  }
}

/** exceljs's cell value as a plain cell: rich text joined, a formula's result, a link's text. */
function plain(value: ExcelJS.CellValue): Cell {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' || value instanceof Date) return value;
  if (typeof value === 'object') {
    if ('richText' in value) return value.richText.map((r) => r.text).join('');
    if ('result' in value) return plain(value.result);
    if ('text' in value && typeof value.text === 'string') return value.text;
    if ('error' in value) return null;
  }
  return null;
}

async function readXlsx(bytes: Uint8Array): Promise<GridRow[]> {
  const unzipped = await unzippedSizeOk(bytes);
  if (unzipped === 'too-large') throw new ExchangeRefusal(413, 'exchange.unpacks-too-large', { megabytes: FILE_LIMITS.unzippedBytes / 1024 / 1024 });
  const workbook = new ExcelJS.Workbook();
  try {
    if (unzipped === 'unreadable') throw new Error('unreadable zip');
    await workbook.xlsx.load(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer);
  } catch {
    throw new ExchangeRefusal(400, 'exchange.xlsx-unreadable');
  }
  const sheet = workbook.worksheets[0];
  const rows: GridRow[] = [];
  sheet?.eachRow({ includeEmpty: false }, (row) => {
    const values = row.values as ExcelJS.CellValue[];
    // exceljs numbers cells from 1: index 0 is always empty.
    rows.push({ number: row.number, cells: Array.from({ length: Math.max(0, values.length - 1) }, (_, i) => plain(values[i + 1])) });
  });
  return rows;
}

/** UTF-8 when the bytes are valid UTF-8 (with or without BOM); otherwise GB18030, a superset of GBK and GB2312. */
export function decodeText(bytes: Uint8Array): string {
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) return new TextDecoder('utf-8').decode(bytes.subarray(3));
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return iconv.decode(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), 'gb18030');
  }
}

function readCsv(bytes: Uint8Array): GridRow[] {
  let records: string[][];
  try {
    // Without `columns`, every record is an array of strings.
    const parsed: unknown = parseCsv(decodeText(bytes), { relax_column_count: true, skip_empty_lines: false, bom: true, trim: false });
    records = parsed as string[][];
  } catch (error) {
    const line = (error as { lines?: number }).lines ?? 0;
    throw new ExchangeRefusal(400, 'exchange.csv-unreadable', { line });
  }
  return records.map((cells, i) => ({ number: i + 1, cells: cells.map((c) => (c === '' ? null : c)) })).filter((r) => r.cells.some((c) => c !== null));
}

/** The first sheet of the file as rows, or a refusal that says what to do. */
export async function readGrid(fileName: string, bytes: Uint8Array): Promise<GridRow[]> {
  if (bytes.length > FILE_LIMITS.bytes) throw new ExchangeRefusal(413, 'exchange.file-too-large', { megabytes: FILE_LIMITS.bytes / 1024 / 1024 });
  const extension = /\.([a-z0-9]+)$/i.exec(fileName)?.[1]?.toLowerCase() ?? '';
  // The bytes decide, not the name: an old .xls renamed .xlsx is still an .xls.
  if (startsWith(bytes, OLE_MAGIC)) throw new ExchangeRefusal(415, 'exchange.xls-not-accepted');
  let rows: GridRow[];
  if (extension === 'xlsx') {
    if (!startsWith(bytes, ZIP_MAGIC)) throw new ExchangeRefusal(415, 'exchange.not-really-xlsx');
    rows = await readXlsx(bytes);
  } else if (extension === 'csv') {
    if (startsWith(bytes, ZIP_MAGIC)) throw new ExchangeRefusal(415, 'exchange.unsupported-file');
    rows = readCsv(bytes);
  } else if (extension === 'xls' || extension === 'et') {
    throw new ExchangeRefusal(415, 'exchange.xls-not-accepted');
  } else {
    throw new ExchangeRefusal(415, 'exchange.unsupported-file');
  }
  const filled = rows.filter((r) => r.cells.some((c) => c !== null && String(c).trim() !== ''));
  if (filled.length === 0) throw new ExchangeRefusal(400, 'exchange.empty-sheet');
  return filled;
}
