import type { Snippet } from 'svelte';

/** One column of a `DataTable`. */
export interface Column<Row> {
  key: string;
  /** The header's words (also what a screen reader reads for the column). */
  label: string;
  /** The header is read by screen readers only (a column of checkboxes or of buttons). */
  hideLabel?: boolean;
  /** The header's own content (a select-all checkbox), in place of the label. */
  header?: Snippet;
  /** The value the column sorts by; without it the column does not sort. */
  sortBy?: (row: Row) => string | number | null | undefined;
}

export type Direction = 'ascending' | 'descending';

export interface Sorting {
  key: string;
  direction: Direction;
}

/** The table's own words, in the app's language. */
export interface TableTexts {
  previous: string;
  next: string;
  /** 第 2 / 5 页 */
  page: (page: number, pages: number) => string;
  /** The filter box's label, when the table filters its rows itself. */
  filter?: string;
  /** Shown instead of rows when there are none. */
  empty?: string;
}

const collator = new Intl.Collator('zh-CN', { numeric: true });

/** Rows in a column's order; empty values last whichever the direction. */
export function sortRows<Row>(rows: readonly Row[], column: Column<Row> | undefined, direction: Direction): Row[] {
  const by = column?.sortBy;
  if (!by) return [...rows];
  const sign = direction === 'ascending' ? 1 : -1;
  return [...rows].sort((a, b) => {
    const x = by(a);
    const y = by(b);
    if (x == null || x === '') return y == null || y === '' ? 0 : 1;
    if (y == null || y === '') return -1;
    return sign * (typeof x === 'number' && typeof y === 'number' ? x - y : collator.compare(String(x), String(y)));
  });
}

/** The rows of one page (1-based), and how many pages there are (at least one). */
export function pageOf<Row>(rows: readonly Row[], page: number, pageSize: number): { rows: Row[]; page: number; pages: number } {
  const pages = Math.max(1, Math.ceil(rows.length / pageSize));
  const at = Math.min(Math.max(1, page), pages);
  return { rows: rows.slice((at - 1) * pageSize, at * pageSize), page: at, pages };
}
