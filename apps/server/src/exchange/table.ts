// From a grid of cells to validated rows: the header row found among the first rows by its names
// (never by position), each column by its header or a synonym, each cell parsed by its column's
// rule. A column whose values fail its rule but fit a neighbour's is reported once as shifted
// (the Shanghai case), not as one error per row.
import type { Cell, GridRow } from './files.ts';
import type { ColumnSpec, ExchangeKind, ValidRow } from './kind.ts';
import { type ExchangeError, exchangeError } from './messages.ts';
import { FILE_LIMITS } from './files.ts';
import { cellText } from './values.ts';

/** How far down a header row may sit: below a merged title row, a date line, notes. */
export const HEADER_SEARCH_ROWS = 10;

export interface HeaderReport {
  /** The headers recognised, as the file writes them, in the file's order. */
  found: string[];
  /** Required columns not in the file, by their template header. */
  missing: string[];
  /** Headers the kind does not know (ignored). */
  unknown: string[];
}

export interface Table<Values> {
  header: HeaderReport;
  /** Problems of the file as a whole (no header, a missing or duplicated column): nothing can be imported. */
  fatal: ExchangeError[];
  valid: ValidRow<Values>[];
  /** Rows that failed, by row number. */
  rejected: Set<number>;
  /** The errors to show, in row order; a column reported as a whole stands for its rows. */
  errors: ExchangeError[];
  dataRows: number;
}

/** A header as people write it: without spaces, asterisks marking required ones, or a trailing (必填) / （选填）. */
export const normaliseHeader = (text: string) =>
  text
    .replace(/[\s\u3000*＊]/g, '')
    .replace(/[（(][^）)]*[）)]$/u, '')
    .toLowerCase();

const isEmpty = (cell: Cell | undefined): cell is null | undefined => cell === null || cell === undefined || (typeof cell === 'string' && cell.trim() === '');

/** How many of a column's values must fail, and fit a neighbour, for the column to be called shifted. */
const SHIFT_SHARE = 0.6;
const SHIFT_MIN_ROWS = 3;

export function readTable<Values>(kind: Pick<ExchangeKind<Values>, 'columns' | 'checkRow'>, grid: readonly GridRow[]): Table<Values> {
  const columns = kind.columns as readonly ColumnSpec[];
  const names = new Map<string, ColumnSpec>();
  for (const spec of columns) for (const name of [spec.header, ...(spec.synonyms ?? [])]) names.set(normaliseHeader(name), spec);
  const specOf = (cell: Cell | undefined) => (isEmpty(cell) ? undefined : names.get(normaliseHeader(cellText(cell))));

  // The header row: the one of the first rows that names the most columns.
  let headerIndex = -1;
  let best = 0;
  for (const [i, row] of grid.slice(0, HEADER_SEARCH_ROWS).entries()) {
    const count = new Set(row.cells.map(specOf).filter(Boolean)).size;
    if (count > best) [headerIndex, best] = [i, count];
  }
  const header: HeaderReport = { found: [], missing: [], unknown: [] };
  const empty = (fatal: ExchangeError[]): Table<Values> => ({ header, fatal, valid: [], rejected: new Set(), errors: [], dataRows: 0 });
  if (headerIndex < 0 || best < Math.min(2, columns.length)) {
    const expected = columns
      .filter((c) => c.required)
      .map((c) => `“${c.header}”`)
      .join('、');
    header.missing = columns.filter((c) => c.required).map((c) => c.header);
    return empty([exchangeError(null, null, 'exchange.no-header-row', { rows: HEADER_SEARCH_ROWS, expected })]);
  }
  const headerRow = grid[headerIndex]!;
  const positions = new Map<string, { index: number; text: string }[]>();
  for (const [index, cell] of headerRow.cells.entries()) {
    if (isEmpty(cell)) continue;
    const text = cellText(cell);
    const spec = specOf(cell);
    if (!spec) {
      header.unknown.push(text);
      continue;
    }
    header.found.push(text);
    positions.set(spec.key, [...(positions.get(spec.key) ?? []), { index, text }]);
  }
  const fatal: ExchangeError[] = [];
  for (const spec of columns) {
    const at = positions.get(spec.key) ?? [];
    if (at.length === 0 && spec.required) {
      header.missing.push(spec.header);
      fatal.push(exchangeError(headerRow.number, spec.header, 'exchange.missing-column'));
    }
    if (at.length > 1) fatal.push(exchangeError(headerRow.number, spec.header, 'exchange.duplicate-column', { headers: at.map((a) => a.text).join('、') }));
  }
  const located = columns.flatMap((spec) => {
    const at = positions.get(spec.key)?.[0];
    return at ? [{ spec, index: at.index }] : [];
  });
  // The template's example row, left in by mistake, is no one to import.
  const isExample = (row: GridRow) => located.every(({ spec, index }) => (isEmpty(row.cells[index]) ? '' : cellText(row.cells[index])) === spec.example);
  const data = grid.slice(headerIndex + 1).filter((row) => !isExample(row));
  if (fatal.length === 0 && data.length === 0) fatal.push(exchangeError(null, null, 'exchange.no-data-rows'));
  if (data.length > FILE_LIMITS.rows) fatal.push(exchangeError(null, null, 'exchange.too-many-rows', { limit: FILE_LIMITS.rows }));
  if (fatal.length > 0) return empty(fatal);

  const values = data.map((): Record<string, unknown> => ({}));
  const cellErrors = new Map<string, ExchangeError[]>();
  const rejected = new Set<number>();
  const errors: ExchangeError[] = [];

  for (const { spec, index } of located) {
    const failures: ExchangeError[] = [];
    const failed: Exclude<Cell, null>[] = [];
    let filled = 0;
    for (const [i, row] of data.entries()) {
      const cell = row.cells[index];
      if (isEmpty(cell)) {
        if (spec.required) failures.push(exchangeError(row.number, spec.header, 'exchange.cell.required'));
        continue;
      }
      filled++;
      const parsed = spec.parse(cell);
      if (parsed.ok) values[i]![spec.key] = parsed.value;
      else {
        failures.push(exchangeError(row.number, spec.header, parsed.key, parsed.params));
        failed.push(cell);
      }
    }
    for (const f of failures) rejected.add(f.row!);
    // A column that fails as a whole is one error, not one per row.
    if (spec.required && filled === 0) errors.push(exchangeError(null, spec.header, 'exchange.column-empty'));
    else if (failed.length >= SHIFT_MIN_ROWS && failed.length >= filled * SHIFT_SHARE) {
      const neighbours = located
        .filter((n) => n.spec !== spec && Math.abs(n.index - index) <= 2)
        .sort((a, b) => Math.abs(a.index - index) - Math.abs(b.index - index));
      const fits = neighbours.find((n) => failed.filter((cell) => n.spec.parse(cell).ok).length >= failed.length * SHIFT_SHARE);
      if (fits) errors.push(exchangeError(null, spec.header, 'exchange.column-shifted', { looksLike: fits.spec.header }));
      else cellErrors.set(spec.key, failures);
    } else cellErrors.set(spec.key, failures);
  }

  // A value that must be unique, twice in the file: an error on each of its rows.
  for (const { spec } of located.filter((l) => l.spec.unique)) {
    const rowsOf = new Map<string, number[]>();
    for (const [i, row] of data.entries()) {
      // Unique columns hold text (an ID number, a card number): the parsed value is its own key.
      const value = values[i]![spec.key] as string | undefined;
      if (value !== undefined) rowsOf.set(value, [...(rowsOf.get(value) ?? []), row.number]);
    }
    for (const rows of rowsOf.values()) {
      if (rows.length < 2) continue;
      for (const row of rows) {
        rejected.add(row);
        const list = cellErrors.get(spec.key) ?? [];
        list.push(exchangeError(row, spec.header, 'exchange.cell.duplicate-in-file', { rows: rows.join('、') }));
        cellErrors.set(spec.key, list);
      }
    }
  }

  const valid: ValidRow<Values>[] = [];
  for (const [i, row] of data.entries()) {
    if (rejected.has(row.number)) continue;
    const rowValues = values[i] as Values;
    const problems = kind.checkRow?.(rowValues) ?? [];
    if (problems.length > 0) {
      rejected.add(row.number);
      for (const p of problems) {
        const column = p.column ? (columns.find((c) => c.key === p.column)?.header ?? p.column) : null;
        errors.push(exchangeError(row.number, column, p.key, p.params));
      }
    } else valid.push({ row: row.number, values: rowValues });
  }
  errors.push(...[...cellErrors.values()].flat());
  errors.sort((a, b) => (a.row ?? 0) - (b.row ?? 0));
  return { header, fatal: [], valid, rejected, errors, dataRows: data.length };
}
