// The exports of the exchange (GET /api/exchange/:kind/export): streamed workbooks the server
// names, saved with `saveFile`. Who may take which, and in which scope, the server decides.

export type ExportKind = 'staff' | 'credits' | 'verification' | 'attendees' | 'ledger';

/** The address of an export, for `saveFile`. */
export function exportAddress(kind: ExportKind, query: Record<string, string | number>): string {
  const params = new URLSearchParams(Object.fromEntries(Object.entries(query).map(([k, v]) => [k, String(v)])));
  return `/api/exchange/${kind}/export?${params}`;
}
