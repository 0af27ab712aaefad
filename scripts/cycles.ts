// `npm run pnpm -- run cycles`, and a step of `npm test`: fails when modules import each other in
// a circle. A circle makes the order in which modules start matter (a value read before its module
// ran is undefined) and means two modules are one in disguise: the layers must point one way.
// Type-only imports count too, since they tie the modules' meanings together all the same.
// Every workspace's src is read, Svelte components included (their <script> blocks), with
// TypeScript's own resolver and each file's nearest tsconfig.json, so `#lib/…` imports, tsconfig paths
// and `@opencme/*` packages lead where the compiler says; imports of outside packages are left out.
import fs from 'node:fs';
import path from 'node:path';
import ts from 'typescript';

const ROOT = path.resolve(import.meta.dirname, '..');
const WORKSPACES = ['apps', 'packages'].flatMap((dir) => fs.readdirSync(path.join(ROOT, dir)).map((name) => path.join(ROOT, dir, name)));
const SOURCE = /\.(ts|svelte)$/;

function sourceFiles(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => SOURCE.test(f))
    .map((f) => path.join(dir, f));
}

function nearest(file: string, name: string): string | null {
  for (let dir = path.dirname(file); dir.startsWith(ROOT); dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, name))) return path.join(dir, name);
  }
  return null;
}

const compilerOptions = new Map<string, ts.CompilerOptions>();
function optionsFor(file: string): ts.CompilerOptions {
  const config = nearest(file, 'tsconfig.json') ?? path.join(ROOT, 'tsconfig.json');
  let options = compilerOptions.get(config);
  if (!options) {
    const host = { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => {} };
    options = ts.getParsedCommandLineOfConfigFile(config, {}, host)?.options ?? {};
    compilerOptions.set(config, options);
  }
  return options;
}

// TypeScript resolves `X.svelte` to X.svelte.ts or X.svelte.d.ts only: the component itself is
// found by hand, relative or through package.json's "imports" ("#lib/*": "./src/lib/*").
function resolveComponent(specifier: string, from: string): string | null {
  if (specifier.startsWith('.')) return path.resolve(path.dirname(from), specifier);
  if (!specifier.startsWith('#')) return null;
  const manifest = nearest(from, 'package.json');
  if (!manifest) return null;
  const imports = (JSON.parse(fs.readFileSync(manifest, 'utf8')) as { imports?: Record<string, string> }).imports ?? {};
  const dir = path.dirname(manifest);
  for (const [pattern, target] of Object.entries(imports)) {
    const star = pattern.indexOf('*');
    if (star < 0) {
      if (specifier === pattern) return path.resolve(dir, target);
      continue;
    }
    const [prefix, suffix] = [pattern.slice(0, star), pattern.slice(star + 1)];
    if (specifier.startsWith(prefix) && specifier.endsWith(suffix)) {
      return path.resolve(dir, target.replace('*', specifier.slice(prefix.length, specifier.length - suffix.length)));
    }
  }
  return null;
}

function resolve(specifier: string, from: string): string | null {
  const found = specifier.endsWith('.svelte')
    ? resolveComponent(specifier, from)
    : (ts.resolveModuleName(specifier, from, optionsFor(from), ts.sys).resolvedModule?.resolvedFileName ?? null);
  if (!found || !fs.existsSync(found)) return null;
  const real = fs.realpathSync(found); // a workspace package is a symbolic link in node_modules
  return real.startsWith(ROOT + path.sep) && !real.includes(`${path.sep}node_modules${path.sep}`) ? real : null;
}

function imports(file: string): string[] {
  const text = fs.readFileSync(file, 'utf8');
  const scripts = file.endsWith('.svelte') ? [...text.matchAll(/<script\b[^>]*>([\s\S]*?)<\/script>/g)].map((m) => m[1] ?? '') : [text];
  return scripts
    .flatMap((script) => ts.preProcessFile(script, true, true).importedFiles.map((i) => i.fileName))
    .map((specifier) => resolve(specifier, file))
    .filter((target): target is string => target !== null);
}

// The import graph, from every workspace's src through whatever in the repository it reaches.
const graph = new Map<string, string[]>();
const queue = WORKSPACES.flatMap((ws) => sourceFiles(path.join(ws, 'src'))).map((f) => fs.realpathSync(f));
for (let file = queue.pop(); file !== undefined; file = queue.pop()) {
  if (graph.has(file)) continue;
  const targets = [...new Set(imports(file))];
  graph.set(file, targets);
  queue.push(...targets.filter((t) => !graph.has(t)));
}

// Tarjan's strongly connected components: each component of more than one module (or a module
// that imports itself) is one or more circles.
const index = new Map<string, number>();
const low = new Map<string, number>();
const stack: string[] = [];
const onStack = new Set<string>();
const components: string[][] = [];
function visit(node: string): void {
  index.set(node, index.size);
  low.set(node, index.get(node)!);
  stack.push(node);
  onStack.add(node);
  for (const next of graph.get(node) ?? []) {
    if (!index.has(next)) {
      visit(next);
      low.set(node, Math.min(low.get(node)!, low.get(next)!));
    } else if (onStack.has(next)) {
      low.set(node, Math.min(low.get(node)!, index.get(next)!));
    }
  }
  if (low.get(node) === index.get(node)) {
    const component: string[] = [];
    let member: string;
    do {
      member = stack.pop()!;
      onStack.delete(member);
      component.push(member);
    } while (member !== node);
    if (component.length > 1 || graph.get(node)?.includes(node)) components.push(component);
  }
}
for (const node of [...graph.keys()].sort()) if (!index.has(node)) visit(node);

// One shortest circle through the component's first module, to show the way round.
function circleThrough(start: string, members: Set<string>): string[] {
  const cameFrom = new Map<string, string>();
  const frontier = [start];
  while (frontier.length > 0) {
    const node = frontier.shift()!;
    for (const next of graph.get(node) ?? []) {
      if (!members.has(next)) continue;
      if (next === start) {
        const way = [node];
        while (way[0] !== start) way.unshift(cameFrom.get(way[0]!)!);
        return [...way, start];
      }
      if (!cameFrom.has(next)) {
        cameFrom.set(next, node);
        frontier.push(next);
      }
    }
  }
  return [start];
}

const name = (file: string) => path.relative(ROOT, file);
for (const component of components) {
  const members = component.map(name).sort();
  const start = path.join(ROOT, members[0]!);
  console.log(`import circle: ${circleThrough(start, new Set(component)).map(name).join(' → ')}`);
  if (members.length > 3) console.log(`  (${members.length} modules are tied together: ${members.join(', ')})`);
}
console.log(`${graph.size} modules read, ${components.length} import circle${components.length === 1 ? '' : 's'}`);
process.exit(components.length > 0 ? 1 : 0);
