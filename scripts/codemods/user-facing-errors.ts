// Rewrites the old bilingual form of the server's user-facing errors,
//
//   new UserFacingError('CONFLICT', '这张卡已绑定给其他人员', 'This card is already bound to someone', 'uid')
//
// into the message-key form, with the two texts moved into the kiosk's catalogues:
//
//   new UserFacingError('CONFLICT', 'registry.card-already-bound-someone', {}, 'uid')
//
// Texts with ${…} become `{name}` placeholders and the expressions become parameters. Server tests
// that assert on the Chinese text of such an error (`.toThrow('已绑定')`, `message: '…'`) are
// rewritten to assert on the key. It is re-runnable: code already in the new form is left alone, so
// a second run changes nothing, and a run after a merge converts only what the merge brought in.
// Calls it cannot convert (texts that are not literals) are listed for a person to convert.
//
// Run from the repository root:  npm run pnpm --silent -- exec node scripts/codemods/user-facing-errors.ts
// (Node 24 strips the types; `--check` only reports what it would change and exits 1 if anything.)
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { basename, join, relative, resolve } from 'node:path';
import ts from 'typescript';

const ROOT = resolve(import.meta.dirname, '../..');
const SOURCES = join(ROOT, 'apps/server/src');
const TESTS = join(ROOT, 'apps/server/test');
const ZH = join(ROOT, 'apps/kiosk/src/lib/i18n/zh.ts');
const EN = join(ROOT, 'apps/kiosk/src/lib/i18n/en.ts');
const CONSOLE = join(ROOT, 'apps/kiosk/src/lib/i18n/console.ts');
const MARK = 'scripts/codemods/user-facing-errors.ts adds entries above this line.';
const KEY = /^[a-z0-9-]+(\.[a-z0-9-]+)+$/;
const HAN = /\p{Script=Han}/u;
/** A file's area names its keys; the middleware's errors are about access, not about tRPC. */
const AREA_OF_FILE: Record<string, string> = { trpc: 'access', errors: 'error' };
const STOP = new Set(['the', 'a', 'an', 'is', 'are', 'was', 'be', 'this', 'that', 'it', 'its', 'of', 'to', 'or', 'and', 'for', 'your', 'you', 'on', 'at', 'by', 'as', 'there', 'has', 'have', 'can', 'must', 'may', 'with', 'from', 'so', 'please']);

const checkOnly = process.argv.includes('--check');

function filesUnder(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...filesUnder(path));
    else if (name.endsWith('.ts') && !name.endsWith('.d.ts')) out.push(path);
  }
  return out.sort();
}

function parse(path: string, text: string): ts.SourceFile {
  return ts.createSourceFile(path, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
}

function walk(node: ts.Node, visit: (node: ts.Node) => void): void {
  visit(node);
  node.forEachChild((child) => walk(child, visit));
}

/** The string entries of a catalogue file (`'key': 'text'`), in order. */
function readCatalogue(path: string): Map<string, string> {
  const entries = new Map<string, string>();
  walk(parse(path, readFileSync(path, 'utf8')), (node) => {
    if (ts.isPropertyAssignment(node) && ts.isStringLiteral(node.name) && ts.isStringLiteralLike(node.initializer)) {
      entries.set(node.name.text, node.initializer.text);
    }
  });
  return entries;
}

const zh = readCatalogue(ZH);
const en = readCatalogue(EN);
for (const [key, text] of readCatalogue(CONSOLE)) if (!zh.has(key)) zh.set(key, text);
const added: { key: string; zh: string; en: string }[] = [];

// ---- texts and their parameters -------------------------------------------------------------

type Text = { text: string; params: Map<string, string> };

const camel = (name: string) => name.toLowerCase().replace(/[_-]+([a-z0-9])/g, (_, c: string) => c.toUpperCase());

function paramName(expression: ts.Expression): string {
  if (ts.isIdentifier(expression)) return /^[A-Z0-9_]+$/.test(expression.text) ? camel(expression.text) : expression.text.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
  if (ts.isPropertyAccessExpression(expression)) return paramName(expression.name);
  if (ts.isCallExpression(expression) || ts.isNonNullExpression(expression) || ts.isParenthesizedExpression(expression) || ts.isAsExpression(expression)) return paramName(expression.expression);
  return 'value';
}

/**
 * The text of a string argument with `{name}` for each ${…}; `names` (expression → name) is shared
 * by the Chinese and English texts of one call, so the same expression has the same name in both.
 */
function textOf(node: ts.Expression, names: Map<string, string>): Text | null {
  if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) return { text: node.text, params: new Map() };
  if (!ts.isTemplateExpression(node)) return null;
  let text = node.head.text;
  const params = new Map<string, string>();
  for (const span of node.templateSpans) {
    const expression = span.expression.getText();
    let name = names.get(expression);
    if (!name) {
      const base = paramName(span.expression);
      name = base;
      for (let n = 2; [...names.values()].includes(name); n++) name = `${base}${n}`;
      names.set(expression, name);
    }
    params.set(name, expression);
    text += `{${name}}${span.literal.text}`;
  }
  return { text, params };
}

function slug(english: string): string {
  const words = english
    .replace(/\{\w+\}/g, ' ')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((w) => w && !STOP.has(w));
  return words.slice(0, 5).join('-') || 'error';
}

/** The key for a pair of texts: an existing one with the same texts, or a new one, added to both catalogues. */
function keyFor(area: string, zhText: string, enText: string): string {
  const base = `${area}.${slug(enText)}`;
  const same = (key: string) => zh.get(key) === zhText && en.get(key) === enText;
  if (same(base)) return base;
  const existing = [...zh.keys()].find((key) => key.startsWith(`${area}.`) && same(key)) ?? [...zh.keys()].find(same);
  if (existing) return existing;
  let key = base;
  for (let n = 2; zh.has(key) || en.has(key); n++) key = `${base}-${n}`;
  zh.set(key, zhText);
  en.set(key, enText);
  added.push({ key, zh: zhText, en: enText });
  return key;
}

// ---- rewriting ------------------------------------------------------------------------------

type Edit = { start: number; end: number; text: string };
const leftForHand: string[] = [];
let changedFiles = 0;

function applyEdits(path: string, text: string, edits: Edit[]): void {
  if (edits.length === 0) return;
  let out = text;
  for (const edit of [...edits].sort((a, b) => b.start - a.start)) out = out.slice(0, edit.start) + edit.text + out.slice(edit.end);
  changedFiles++;
  console.log(`${checkOnly ? 'would rewrite' : 'rewrote'} ${relative(ROOT, path)} (${edits.length})`);
  if (!checkOnly) writeFileSync(path, out);
}

const where = (source: ts.SourceFile, node: ts.Node) => `${relative(ROOT, source.fileName)}:${source.getLineAndCharacterOfPosition(node.getStart()).line + 1}`;

function convertSource(path: string): void {
  const text = readFileSync(path, 'utf8');
  const source = parse(path, text);
  const edits: Edit[] = [];
  const file = basename(path, '.ts');
  const area = AREA_OF_FILE[file] ?? file;
  walk(source, (node) => {
    if (!ts.isNewExpression(node) || node.expression.getText() !== 'UserFacingError') return;
    const args = node.arguments ?? [];
    if (args.length < 2) return;
    const [, second, third] = args;
    // The new form: a key (a literal or an expression), then parameters as an object or a variable.
    const newForm = !third || ts.isObjectLiteralExpression(third) || /params$/i.test(third.getText());
    if (newForm && !HAN.test(second!.getText())) return;
    const names = new Map<string, string>();
    const zhText = third ? textOf(second!, names) : null;
    const enText = third ? textOf(third, names) : null;
    if (!zhText || !enText) {
      leftForHand.push(`${where(source, node)}  ${node.getText().replace(/\s+/g, ' ').slice(0, 160)}`);
      return;
    }
    // A parameter in one language only (`${zh}`, `${list.join('、')}`) is a piece of a sentence
    // the server still writes in that language: a person has to give it a code instead.
    const same = (a: Map<string, string>, b: Map<string, string>) => a.size === b.size && [...a.keys()].every((name) => b.has(name));
    if (!same(zhText.params, enText.params) || /^(\{\w+\}\W*)*$/.test(enText.text)) {
      leftForHand.push(`${where(source, node)}  language-specific parameters: ${node.getText().replace(/\s+/g, ' ').slice(0, 160)}`);
      return;
    }
    const key = keyFor(area, zhText.text, enText.text);
    const params = zhText.params;
    const paramsText = params.size === 0 ? '{}' : `{ ${[...params].map(([name, expression]) => (name === expression ? name : `${name}: ${expression}`)).join(', ')} }`;
    const more = args.length > 3;
    edits.push({ start: second!.getStart(), end: third!.getEnd(), text: `'${key}'${params.size > 0 || more ? `, ${paramsText}` : ''}` });
  });
  applyEdits(path, text, edits);
}

/** A catalogue text as a pattern that a test's fragment of it (placeholders filled) matches. */
function patternOf(text: string): RegExp {
  const parts = text.split(/\{\w+\}/).map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  return new RegExp(parts.join('[\\s\\S]*?'));
}

/** Server errors' keys (those of the area block), to point a test's Chinese fragment at. */
function serverKeysMatching(fragment: string): string[] {
  const probe = fragment.replace(/\$\{[^}]*\}/g, '');
  const pieces = probe.split(/\u0000/);
  return [...zh]
    .filter(([key, zhText]) => serverKeys.has(key) && pieces.every((piece) => zhText.includes(piece) || (/\{\w+\}/.test(zhText) && patternOf(zhText).test(piece))))
    .map(([key]) => key);
}

const serverKeys = new Set<string>();

/** Every catalogue key the server's code names, wherever (an error, a helper's argument, a table). */
function collectServerKeys(path: string): void {
  walk(parse(path, readFileSync(path, 'utf8')), (node) => {
    if (ts.isStringLiteralLike(node) && KEY.test(node.text) && zh.has(node.text)) serverKeys.add(node.text);
    if (ts.isTemplateExpression(node) && KEY.test(`${node.head.text}x`)) for (const key of zh.keys()) if (key.startsWith(node.head.text)) serverKeys.add(key);
  });
}

/** `.toThrow('…中文…')` and `message: '…中文…'` in server tests, pointed at the key of the one error they name. */
function convertTest(path: string): void {
  const text = readFileSync(path, 'utf8');
  const source = parse(path, text);
  const edits: Edit[] = [];
  walk(source, (node) => {
    let literal: ts.Expression | undefined;
    if (ts.isCallExpression(node) && ts.isPropertyAccessExpression(node.expression) && node.expression.name.text === 'toThrow') literal = node.arguments[0];
    else if (ts.isPropertyAssignment(node) && node.name.getText() === 'message') literal = node.initializer;
    if (!literal || !(ts.isStringLiteralLike(literal) || ts.isTemplateExpression(literal)) || !HAN.test(literal.getText())) return;
    const fragment = ts.isTemplateExpression(literal)
      ? [literal.head.text, ...literal.templateSpans.map((s) => s.literal.text)].filter(Boolean).join('\u0000')
      : literal.text;
    const keys = serverKeysMatching(fragment);
    if (keys.length === 1) edits.push({ start: literal.getStart(), end: literal.getEnd(), text: `'${keys[0]}'` });
    else if (keys.length > 1) leftForHand.push(`${where(source, literal)}  test text matches ${keys.length} keys (${keys.join(', ')}): ${literal.getText()}`);
  });
  applyEdits(path, text, edits);
}

const quote = (s: string) => `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'").replace(/\n/g, '\\n')}'`;

function addToCatalogue(path: string, texts: (entry: (typeof added)[number]) => string): void {
  if (added.length === 0) return;
  const text = readFileSync(path, 'utf8');
  const lines = text.split('\n');
  const at = lines.findIndex((line) => line.includes(MARK));
  if (at < 0) throw new Error(`${relative(ROOT, path)} has lost its marker line ("${MARK}")`);
  const byKey = [...added].sort((a, b) => a.key.localeCompare(b.key));
  lines.splice(at, 0, ...byKey.map((entry) => `  ${quote(entry.key)}: ${quote(texts(entry))},`));
  console.log(`${checkOnly ? 'would add' : 'added'} ${added.length} entries to ${relative(ROOT, path)}`);
  if (!checkOnly) writeFileSync(path, lines.join('\n'));
}

for (const path of filesUnder(SOURCES)) convertSource(path);
for (const path of filesUnder(SOURCES)) if (!checkOnly) collectServerKeys(path);
addToCatalogue(ZH, (entry) => entry.zh);
addToCatalogue(EN, (entry) => entry.en);
if (!checkOnly) for (const path of filesUnder(TESTS)) convertTest(path);

if (leftForHand.length > 0) {
  console.log(`\nLeft for a person to convert (${leftForHand.length}):`);
  for (const line of leftForHand) console.log(`  ${line}`);
}
if (changedFiles === 0 && added.length === 0) console.log('Nothing to convert.');
if (checkOnly && (changedFiles > 0 || added.length > 0)) process.exit(1);
