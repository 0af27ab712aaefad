// The kinds of import (批量导入) the console offers, and who may use each: a kind's roles are those
// the server's access table gives its row `exchange.<kind>`, and its scope is the server kind's
// (import-kinds.test.ts holds both to the server). An institution kind goes into one unit (an
// office picks it); a province kind goes into the caller's own province.
import type { MessageKey } from '../i18n.svelte.ts';
import type { Role } from '../session.svelte.ts';

export interface ImportKind {
  /** The name in the server's address (/api/exchange/<name>/preview). */
  name: string;
  label: MessageKey;
  scope: 'institution' | 'province';
  roles: readonly Role[];
}

const ADMINS = ['province-admin', 'city-admin', 'unit-admin'] as const;

export const IMPORT_KINDS: readonly ImportKind[] = [
  { name: 'staff', label: 'imports.kind.staff', scope: 'institution', roles: ADMINS },
  { name: 'national-projects', label: 'imports.kind.nationalProjects', scope: 'province', roles: ['province-admin'] },
  { name: 'external-credits', label: 'imports.kind.externalCredits', scope: 'institution', roles: ADMINS },
];

export const importKindsFor = (role: Role): ImportKind[] => IMPORT_KINDS.filter((k) => k.roles.includes(role));
