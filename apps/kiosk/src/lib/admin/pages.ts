// The admin console's pages and who may use each: the one table the side navigation, the role's
// home page and the "no access" page are read from. A page's roles are those the server's access
// table (apps/server/src/authz.ts) gives the procedure it is built on; pages.test.ts holds them to it.
import type { MessageKey } from '../i18n.svelte.ts';
import type { Role } from '../session.svelte.ts';

export interface ConsolePage {
  path: string;
  label: MessageKey;
  /** The procedure without which the page shows nothing. */
  procedure: string;
  roles: readonly Role[];
  /** A page reached from another one (a print sheet) has no place in the navigation. */
  inNavigation: boolean;
}

const ADMINS = ['province-admin', 'city-admin', 'unit-admin'] as const;
const OFFICES = ['province-admin', 'city-admin'] as const;
const REVIEWERS = ['unit-admin', 'department-reviewer'] as const;
const CLAIM_REVIEWERS = [...ADMINS, 'department-reviewer'] as const;

const page = (path: string, label: MessageKey, procedure: string, roles: readonly Role[], inNavigation = true): ConsolePage => ({
  path,
  label,
  procedure,
  roles,
  inNavigation,
});

/** In the order of the navigation: a role's first page is its home. */
export const CONSOLE_PAGES: readonly ConsolePage[] = [
  page('/admin/review', 'admin.review', 'registry.review', REVIEWERS),
  page('/admin/units', 'admin.units', 'units.pending', OFFICES),
  page('/admin/staff', 'admin.staff', 'registry.staff', CLAIM_REVIEWERS),
  page('/admin/exchange', 'admin.exchange', 'exchange.batches', ADMINS),
  page('/admin/departments', 'admin.departments', 'units.addDepartment', ['unit-admin']),
  // A unit's administrators and reviewers; offices above make theirs through the API for now.
  page('/admin/accounts', 'accounts.title', 'accounts.list', ['unit-admin']),
  page('/admin/projects', 'admin.projectsPage', 'projects.list', ADMINS),
  page('/admin/sessions', 'admin.sessions', 'sessions.list', ['unit-admin']),
  page('/admin/devices', 'admin.devices', 'devices.list', ['unit-admin']),
  page('/admin/alerts', 'admin.alerts', 'alerts.list', ['unit-admin']),
  page('/admin/claims', 'review.title', 'claims.queue', CLAIM_REVIEWERS),
  page('/admin/compliance', 'compliance.title', 'verification.compliance', CLAIM_REVIEWERS),
  page('/admin/statistics', 'statistics.title', 'standing.statistics', ADMINS),
  page('/admin/proofs', 'print.title', 'proofs.printOrganisation', ADMINS),
  // The hand-off to HR (人社对接): accepted results to download, and HR systems' tokens.
  page('/admin/hr', 'hr.title', 'hr.tokens', ['province-admin', 'unit-admin']),
  page('/admin/rule-sets', 'rules.title', 'ruleSets.copyForYear', ['province-admin']),
  page('/admin/audit', 'admin.audit', 'registry.auditLog', ADMINS),
  page('/admin/card-sheet', 'sheet.title', 'registry.cardSheet', ['unit-admin'], false),
  // A staff member has no admin page: her own pages (/me, phone-first) lie outside the console.
  page('/me', 'me.title', 'me.profile', ['staff']),
  page('/claims', 'claims.title', 'claims.mine', ['staff']),
];

export const navigationFor = (role: Role) => CONSOLE_PAGES.filter((p) => p.inNavigation && p.roles.includes(role));

export const homeOf = (role: Role) => navigationFor(role)[0]?.path ?? '/';

/** The console page a path lies on (`/admin/staff/42` lies on `/admin/staff`); none for the console's home. */
export const pageAt = (pathname: string) => CONSOLE_PAGES.find((p) => pathname === p.path || pathname.startsWith(`${p.path}/`));
