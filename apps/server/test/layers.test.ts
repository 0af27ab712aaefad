// The server's layers, checked on the source: routers parse and delegate, the organisation tree is
// walked in one repository, and no module imports itself through others. Each of these was broken
// once (nine copies of the tree query, SQL in routers, a type circle through db/schema.ts).
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const SRC = path.resolve(import.meta.dirname, '../src');

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(full);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts') ? [full] : [];
  });
}

const relative = (file: string) => path.relative(SRC, file).split(path.sep).join('/');
/** Each line that matches, as `file:line: text`, for a failure that says where to look. */
function linesMatching(files: readonly string[], pattern: RegExp): string[] {
  return files.flatMap((file) =>
    fs
      .readFileSync(file, 'utf8')
      .split('\n')
      .flatMap((line, i) => (pattern.test(line) ? [`${relative(file)}:${i + 1}: ${line.trim()}`] : [])),
  );
}

describe('server layers', () => {
  it('walks the organisation tree only in the organisations repository', () => {
    const others = sourceFiles(SRC).filter((f) => relative(f) !== 'repositories/organisations.ts');
    expect(linesMatching(others, /with\s+recursive|withRecursive/i)).toEqual([]);
  });

  it('keeps SQL and transactions out of the routers', () => {
    const routers = sourceFiles(path.join(SRC, 'routers'));
    expect(linesMatching(routers, /\b(selectFrom|insertInto|updateTable|deleteFrom|selectNoFrom)\(|\.transaction\(|\bsql`/)).toEqual([]);
  });

  it('has no import circles', () => {
    const files = new Set(sourceFiles(SRC));
    const imports = new Map<string, string[]>();
    for (const file of files) {
      const text = fs.readFileSync(file, 'utf8');
      const targets = [...text.matchAll(/(?:^|\n)\s*(?:import|export)\s[^;]*?from\s+'(\.{1,2}\/[^']+)'/g)].map((m) => path.resolve(path.dirname(file), m[1]!));
      imports.set(
        file,
        targets.filter((t) => files.has(t)),
      );
    }
    const circles: string[] = [];
    const state = new Map<string, 'open' | 'done'>();
    const visit = (file: string, trail: string[]) => {
      if (state.get(file) === 'done') return;
      if (state.get(file) === 'open') {
        circles.push([...trail.slice(trail.indexOf(file)), file].map(relative).join(' → '));
        return;
      }
      state.set(file, 'open');
      for (const next of imports.get(file) ?? []) visit(next, [...trail, file]);
      state.set(file, 'done');
    };
    for (const file of files) visit(file, []);
    expect(circles).toEqual([]);
  });
});
