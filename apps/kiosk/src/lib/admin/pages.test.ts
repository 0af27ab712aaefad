import { describe, expect, it } from 'vitest';
import { ACCESS } from '../../../../server/src/authz.ts';
import { CONSOLE_PAGES, homeOf, navigationFor, pageAt } from './pages.ts';

describe('the console’s pages', () => {
  it.each(CONSOLE_PAGES.map((p) => [p.path, p] as const))('%s is open to exactly the roles the server lets call its procedure', (_, page) => {
    const rule = ACCESS[page.procedure as keyof typeof ACCESS];
    expect(rule?.kind).toBe('user');
    expect([...page.roles].sort()).toEqual([...(rule as { roles: readonly string[] }).roles].sort());
  });

  it('sends each role home to a page it may use, and finds the page of a nested path', () => {
    expect(homeOf('unit-admin')).toBe('/admin/review');
    expect(homeOf('city-admin')).toBe('/admin/units');
    expect(homeOf('staff')).toBe('/me');
    expect(navigationFor('department-reviewer').map((p) => p.path)).not.toContain('/admin/audit');
    expect(pageAt('/admin/staff/0192')?.path).toBe('/admin/staff');
    expect(pageAt('/admin/staffing')).toBeUndefined();
    expect(pageAt('/admin')).toBeUndefined();
  });
});
