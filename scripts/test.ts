// `npm test`: typecheck, unit and integration tests (Vitest; the server's on SQLite and again on
// PostgreSQL), the kiosk build, and end-to-end tests in real Chromium (Playwright). Ends with one line that adds up every suite.
// Steps that do not depend on each other run two at a time (the machines it runs on have two
// cores or more), each one's output held and printed whole when it ends, so that logs stay readable.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { stripVTControlCharacters } from 'node:util';

const ROOT = path.resolve(import.meta.dirname, '..');
const results = path.join(ROOT, 'test-results');
fs.mkdirSync(results, { recursive: true });

let passed = 0;
let failed = 0;
// What failed, by name, repeated at the very end: CI logs are often read from their tail only.
const failures: string[] = [];

function run(cmd: string, args: string[], env: Record<string, string> = {}): number {
  const res = spawnSync(cmd, args, { cwd: ROOT, stdio: 'inherit', env: { ...process.env, ...env } });
  return res.status ?? 1;
}

interface Step {
  name: string;
  cmd: string;
  args: string[];
  env?: Record<string, string>;
}

/** Runs the steps `at` a time; prints each one's output when it ends; the exit codes, in the steps' order. */
async function parallel(steps: Step[], at = 2): Promise<number[]> {
  const codes: number[] = Array.from({ length: steps.length }, () => 1);
  let next = 0;
  async function worker() {
    while (next < steps.length) {
      const i = next++;
      const step = steps[i]!;
      const started = Date.now();
      const child = spawn(step.cmd, step.args, { cwd: ROOT, env: { ...process.env, ...step.env }, stdio: ['ignore', 'pipe', 'pipe'] });
      const output: Buffer[] = [];
      child.stdout.on('data', (d: Buffer) => output.push(d));
      child.stderr.on('data', (d: Buffer) => output.push(d));
      codes[i] = await new Promise<number>((resolve) => {
        child.once('error', () => resolve(1));
        child.once('close', (code) => resolve(code ?? 1));
      });
      process.stdout.write(`\n-- ${step.name} (${Math.round((Date.now() - started) / 1000)} s) --\n`);
      process.stdout.write(Buffer.concat(output));
    }
  }
  await Promise.all(Array.from({ length: Math.min(at, steps.length) }, worker));
  return codes;
}

function finish(): never {
  if (failures.length > 0) console.log(`\nNot passed:\n${failures.map((f) => `  - ${f}`).join('\n')}`);
  console.log(`\n${passed} passed, ${failed} failed`);
  process.exit(failed > 0 ? 1 : 0);
}

// What the tests need from Debian: Chromium and its old headless shell for end-to-end tests
// (e2e/browsers.ts says which runs what), the CJK font that proofs are printed in, and
// poppler-utils (pdftoppm, pdftotext) with which the proof tests read PDFs back.
const DEBIAN_NEEDS = [
  { pkg: 'chromium', file: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium' },
  { pkg: 'chromium-headless-shell', file: process.env.CHROMIUM_SHELL_PATH ?? '/usr/bin/chromium-headless-shell' },
  { pkg: 'fonts-noto-cjk', file: '/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc' },
  { pkg: 'poppler-utils', file: '/usr/bin/pdftoppm' },
];

function ensureChromium(): string {
  const configured = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
  const missing = DEBIAN_NEEDS.filter((n) => !fs.existsSync(n.file));
  if (missing.length === 0) return configured;
  const isRoot = process.getuid?.() === 0;
  if (isRoot && fs.existsSync('/usr/bin/apt-get')) {
    console.log(`[opencme] installing from Debian for the tests: ${missing.map((n) => n.pkg).join(' ')}`);
    if (run('apt-get', ['update', '-qq']) === 0 && run('apt-get', ['install', '-y', '-qq', ...missing.map((n) => n.pkg)]) === 0) return configured;
  }
  console.error(
    `[opencme] The tests need ${missing.map((n) => n.file).join(', ')}.\n` + `  Debian/Ubuntu: sudo apt-get install ${missing.map((n) => n.pkg).join(' ')}`,
  );
  process.exit(1);
}

const chromium = ensureChromium();

console.log('\n== typecheck, lint and the kiosk build ==');
// One typecheck per workspace, plus the root (e2e, scripts, configs); ESLint (with the types:
// promises nobody waits for), Prettier's layout, and no import circles; and the kiosk's build for
// the end-to-end tests. SvelteKit's generated types first, once, which the kiosk's typecheck,
// ESLint and the build all read (each syncs again, but only writes what changed).
run('pnpm', ['--dir', 'apps/kiosk', 'exec', 'svelte-kit', 'sync']);
// The longest first, so that the short ones fill in beside them.
const workspaces = ['apps/kiosk', 'apps/server', 'packages/ui', 'packages/core', 'packages/words', 'packages/reader-webhid'];
const KIOSK_BUILD = 'kiosk build';
const checks: Step[] = [
  { name: 'lint', cmd: 'pnpm', args: ['run', '--silent', 'lint'] },
  ...workspaces.map((dir) => ({ name: `typecheck ${dir}`, cmd: 'pnpm', args: ['--dir', dir, 'run', 'typecheck'] })),
  { name: KIOSK_BUILD, cmd: 'pnpm', args: ['--dir', 'apps/kiosk', 'run', 'build'] },
  { name: 'typecheck (root)', cmd: 'pnpm', args: ['exec', 'tsc', '-p', 'tsconfig.json'] },
  { name: 'format:check', cmd: 'pnpm', args: ['run', '--silent', 'format:check'] },
  { name: 'cycles', cmd: 'pnpm', args: ['run', '--silent', 'cycles'] },
];
let kioskBuilt = false;
for (const [i, code] of (await parallel(checks)).entries()) {
  const name = checks[i]!.name;
  if (name === KIOSK_BUILD) {
    // The build is what the end-to-end tests run on, not a count of its own (as before): only its failure counts.
    kioskBuilt = code === 0;
    if (!kioskBuilt) failed += 1;
  } else if (code === 0) passed += 1;
  else failed += 1;
  if (code !== 0) {
    console.error(`${name} failed: see its output above`);
    failures.push(name);
  }
}

interface VitestReport {
  numPassedTests: number;
  numFailedTests: number;
  success: boolean;
  testResults: { name: string; status: string; message?: string; assertionResults: { status: string; fullName: string; failureMessages?: string[] }[] }[];
}

/** The first line of a failure message, without its colours, short enough for a summary line. */
function firstLine(message: string | undefined): string {
  return (
    stripVTControlCharacters(message ?? '')
      .split('\n')
      .find((l) => l.trim() !== '')
      ?.trim()
      .slice(0, 200) ?? ''
  );
}

/** Runs Vitest with a JSON report, adds its counts to the total and returns the report (null if none came). */
function vitest(name: string, args: string[], env: Record<string, string> = {}): VitestReport | null {
  const json = path.join(results, `${name}.json`);
  fs.rmSync(json, { force: true });
  run('pnpm', ['exec', 'vitest', 'run', ...args, '--reporter=default', '--reporter=json', `--outputFile.json=${json}`], env);
  if (!fs.existsSync(json)) {
    failed += 1;
    failures.push(`${name}: no report was written`);
    return null;
  }
  const report = JSON.parse(fs.readFileSync(json, 'utf8')) as VitestReport;
  passed += report.numPassedTests;
  failed += report.numFailedTests;
  if (!report.success && report.numFailedTests === 0) failed += 1; // a file that failed to load
  for (const file of report.testResults) {
    const where = `${name}: ${path.relative(ROOT, file.name)}`;
    const bad = file.assertionResults.filter((t) => t.status === 'failed');
    for (const t of bad) failures.push(`${where} › ${t.fullName} — ${firstLine(t.failureMessages?.[0])}`);
    if (bad.length === 0 && file.status === 'failed') failures.push(`${where} — ${firstLine(file.message)}`);
  }
  return report;
}

/** The server integration tests' counts in a report, to say which database they ran on. */
function serverCounts(report: VitestReport | null): string {
  const server = (report?.testResults ?? []).filter((f) => f.name.includes(`${path.sep}apps${path.sep}server${path.sep}test${path.sep}`));
  const tests = server.flatMap((f) => f.assertionResults);
  const ok = tests.filter((t) => t.status === 'passed').length;
  return `${ok} passed, ${tests.length - ok} not passed, in ${server.length} files`;
}

console.log('\n== unit and integration tests (Vitest; the server on SQLite) ==');
const sqliteStarted = Date.now();
const sqliteRun = vitest('vitest', []);
const sqliteSeconds = Math.round((Date.now() - sqliteStarted) / 1000);

// The server's integration tests once more on a real PostgreSQL, which the run starts itself
// (apps/server/test/postgres/global-setup.ts) and stops after; SQLite-only files are listed with
// their reasons in apps/server/vitest.config.ts.
console.log('\n== server integration tests on PostgreSQL (Vitest) ==');
const postgresStarted = Date.now();
const postgresRun = vitest('vitest-postgres', ['--project', '@opencme/server (PostgreSQL)'], { OPENCME_TEST_DB: 'postgres' });
console.log(`\n[opencme] server tests on SQLite: ${serverCounts(sqliteRun)} (the whole Vitest run: ${sqliteSeconds} s)`);
console.log(`[opencme] server tests on PostgreSQL: ${serverCounts(postgresRun)} (${Math.round((Date.now() - postgresStarted) / 1000)} s)`);

if (!kioskBuilt) finish();

console.log('\n== end-to-end tests (Playwright, Chromium) ==');
const e2eJson = path.join(results, 'e2e.json');
fs.rmSync(e2eJson, { force: true });
run('pnpm', ['exec', 'playwright', 'test'], { CHROMIUM_PATH: chromium });
interface PlaywrightSuite {
  title: string;
  specs: { title: string; line: number; tests: { status: string; results: { errors: { message?: string }[] }[] }[] }[];
  suites?: PlaywrightSuite[];
}
function e2eFailures(suite: PlaywrightSuite, file: string) {
  for (const spec of suite.specs) {
    for (const t of spec.tests.filter((t) => t.status === 'unexpected')) {
      failures.push(`e2e: ${file}:${spec.line} › ${spec.title} — ${firstLine(t.results.at(-1)?.errors[0]?.message)}`);
    }
  }
  for (const inner of suite.suites ?? []) e2eFailures(inner, file);
}
if (fs.existsSync(e2eJson)) {
  const report = JSON.parse(fs.readFileSync(e2eJson, 'utf8')) as {
    stats: { expected: number; unexpected: number; flaky: number };
    errors: { message?: string }[];
    suites: PlaywrightSuite[];
  };
  passed += report.stats.expected + report.stats.flaky;
  failed += report.stats.unexpected + report.errors.length;
  for (const suite of report.suites) e2eFailures(suite, suite.title);
  for (const error of report.errors) failures.push(`e2e: ${firstLine(error.message)}`);
} else {
  failed += 1;
  failures.push('e2e: no report was written');
}

finish();
