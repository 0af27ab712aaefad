import { describe, expect, it } from 'vitest';
import { ACCESS } from '../../../../server/src/authz.ts';
import { KINDS } from '../../../../server/src/exchange/kinds/index.ts';
import { IMPORT_KINDS, importKindsFor } from './import-kinds.ts';

describe('the import kinds the console offers', () => {
  it('offers every kind the server has that is not about one record', () => {
    // A kind about one record (a project's assessment results) is offered on that record's page instead.
    expect(IMPORT_KINDS.map((k) => k.name).sort()).toEqual(
      Object.values(KINDS)
        .filter((k) => !k.subject)
        .map((k) => k.name)
        .sort(),
    );
  });

  it.each(IMPORT_KINDS.map((k) => [k.name, k] as const))('%s is offered to exactly the roles and scope the server gives it', (name, kind) => {
    const server = KINDS[name]!;
    const rule = ACCESS[server.access as keyof typeof ACCESS];
    expect(rule?.kind).toBe('user');
    expect([...kind.roles].sort()).toEqual([...(rule as { roles: readonly string[] }).roles].sort());
    expect(kind.scope).toBe(server.scope);
  });

  it('gives the province its national list, and a unit its staff and outside credits', () => {
    expect(importKindsFor('province-admin').map((k) => k.name)).toContain('national-projects');
    expect(importKindsFor('unit-admin').map((k) => k.name)).toEqual(['staff', 'external-credits']);
    expect(importKindsFor('city-admin').map((k) => k.name)).toEqual(['staff', 'external-credits']);
    expect(importKindsFor('department-reviewer')).toEqual([]);
  });
});
