import fs from 'node:fs';
import path from 'node:path';
import { expect, it } from 'vitest';
import { AUDIT_ACTIONS } from './audit-words.ts';

/** The server's source files, where every audit line is written. */
function serverSources(dir = path.resolve(import.meta.dirname, '../../../../server/src')): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    return entry.isDirectory() ? serverSources(full) : entry.name.endsWith('.ts') ? [fs.readFileSync(full, 'utf8')] : [];
  });
}

it('has words for every action code the server writes to the audit log', () => {
  const written = new Set(serverSources().flatMap((source) => [...source.matchAll(/action: '([a-z-]+\.[a-z-]+)'/g)].map((m) => m[1]!)));
  expect(written.size).toBeGreaterThan(15);
  expect([...written].filter((code) => !(AUDIT_ACTIONS as readonly string[]).includes(code))).toEqual([]);
});
