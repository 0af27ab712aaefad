/**
 * An address within the app with some query parameters changed: where a list's filter and page
 * live, so that a reload or Back finds them. An empty value, `null` or `undefined` removes one, and
 * so does page 1, the page a list opens on.
 */
export function withQuery(
  url: { pathname: string; search: string },
  changes: Record<string, string | number | null | undefined>,
  pathname = url.pathname,
): string {
  const params = new URLSearchParams(url.search);
  for (const [key, value] of Object.entries(changes)) {
    if (value === null || value === undefined || value === '' || (key === 'page' && value === 1)) params.delete(key);
    else params.set(key, String(value));
  }
  const search = params.toString();
  return search ? `${pathname}?${search}` : pathname;
}

/** A page number from the address: 1 unless a whole number above 1 is there. */
export function pageNumber(params: { get(name: string): string | null }): number {
  const n = Number(params.get('page'));
  return Number.isInteger(n) && n > 1 ? n : 1;
}
