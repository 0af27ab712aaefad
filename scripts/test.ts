// `npm test`: typecheck, unit and integration tests (Vitest; the server's on SQLite and again on
// PostgreSQL), the kiosk build, and end-to-end tests in real Chromium (Playwright). Ends with one line that adds up every suite.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const ROOT = path.resolve(import.meta.dirname, '..');
const results = path.join(ROOT, 'test-results');
fs.mkdirSync(results, { recursive: true });

let passed = 0;
let failed = 0;

function run(cmd: string, args: string[], env: Record<string, string> = {}): number {
  const res = spawnSync(cmd, args, { cwd: ROOT, stdio: 'inherit', env: { ...process.env, ...env } });
  return res.status ?? 1;
}

function finish(): never {
  console.log(`\n${passed} passed, ${failed} failed`);
  process.exit(failed > 0 ? 1 : 0);
}

// What the tests need from Debian: Chromium for end-to-end tests, the CJK font that proofs are
// printed in, and poppler-utils (pdftoppm, pdftotext) with which the proof tests read PDFs back.
const DEBIAN_NEEDS = [
  { pkg: 'chromium', file: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium' },
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

console.log('\n== typecheck ==');
// One check per workspace, plus the root (e2e, scripts, configs).
const workspaces = ['packages/core', 'packages/words', 'packages/reader-webhid', 'packages/ui', 'apps/server', 'apps/kiosk'];
for (const dir of workspaces) {
  const ok = run('pnpm', ['--dir', dir, 'run', 'typecheck']) === 0;
  if (ok) passed += 1;
  else {
    failed += 1;
    console.error(`typecheck failed in ${dir}`);
  }
}
if (run('pnpm', ['exec', 'tsc', '-p', 'tsconfig.json']) === 0) passed += 1;
else failed += 1;

console.log('\n== lint ==');
// ESLint (with the types: promises nobody waits for), Prettier's layout, and no import circles.
for (const script of ['lint', 'format:check', 'cycles']) {
  if (run('pnpm', ['run', '--silent', script]) === 0) passed += 1;
  else {
    failed += 1;
    console.error(`${script} failed: see above (npm run pnpm -- run ${script})`);
  }
}

interface VitestReport {
  numPassedTests: number;
  numFailedTests: number;
  success: boolean;
  testResults: { name: string; assertionResults: { status: string }[] }[];
}

/** Runs Vitest with a JSON report, adds its counts to the total and returns the report (null if none came). */
function vitest(name: string, args: string[], env: Record<string, string> = {}): VitestReport | null {
  const json = path.join(results, `${name}.json`);
  fs.rmSync(json, { force: true });
  run('pnpm', ['exec', 'vitest', 'run', ...args, '--reporter=default', '--reporter=json', `--outputFile.json=${json}`], env);
  if (!fs.existsSync(json)) {
    failed += 1;
    return null;
  }
  const report = JSON.parse(fs.readFileSync(json, 'utf8')) as VitestReport;
  passed += report.numPassedTests;
  failed += report.numFailedTests;
  if (!report.success && report.numFailedTests === 0) failed += 1; // a file that failed to load
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

console.log('\n== kiosk build ==');
if (run('pnpm', ['--dir', 'apps/kiosk', 'run', 'build']) !== 0) {
  failed += 1;
  finish();
}

console.log('\n== end-to-end tests (Playwright, Chromium) ==');
const e2eJson = path.join(results, 'e2e.json');
fs.rmSync(e2eJson, { force: true });
run('pnpm', ['exec', 'playwright', 'test'], { CHROMIUM_PATH: chromium });
if (fs.existsSync(e2eJson)) {
  const report = JSON.parse(fs.readFileSync(e2eJson, 'utf8')) as { stats: { expected: number; unexpected: number; flaky: number }; errors: unknown[] };
  passed += report.stats.expected + report.stats.flaky;
  failed += report.stats.unexpected + report.errors.length;
} else {
  failed += 1;
}

finish();
