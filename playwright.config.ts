import os from 'node:os';
import { defineConfig } from '@playwright/test';
import { CHROMIUM, CHROMIUM_ARGS, FULL_BROWSER_SPECS, HEADLESS_SHELL } from './e2e/browsers.ts';

// End-to-end tests in real Chromium (Debian's, never a downloaded one). Each test file starts
// its own server process, because several tests stop and restart the server on purpose.
export default defineConfig({
  testDir: 'e2e',
  testMatch: '*.e2e.ts',
  globalSetup: './e2e/global-setup.ts',
  forbidOnly: !!process.env.CI,
  // Each spec has its own server on a free port and its own data folder, so specs can run side by
  // side: one worker per core (a worker is a headless shell and a server, about one core between
  // them), OPENCME_E2E_WORKERS to choose. On a quiet 2-core machine two workers ran the suite in
  // 6.6 min instead of 8.1, the specs that time key bursts (reader, proxy-alert) included; under
  // heavy outside load (load 8) those specs failed, so a busy machine should ask for one.
  workers: Number(process.env.OPENCME_E2E_WORKERS ?? Math.max(1, os.availableParallelism())),
  timeout: 120_000,
  reporter: [['list'], ['json', { outputFile: 'test-results/e2e.json' }]],
  use: {
    // No trace by default: recording one for every test cost a quarter of the suite's CPU, to be
    // thrown away when the test passes. To look into a failure: `playwright test --trace on`.
    trace: 'off',
    screenshot: 'only-on-failure',
    locale: 'zh-CN',
    timezoneId: 'Asia/Shanghai',
  },
  projects: [
    { name: 'headless shell', testIgnore: FULL_BROWSER_SPECS, use: { launchOptions: { executablePath: HEADLESS_SHELL, args: CHROMIUM_ARGS } } },
    { name: 'chromium', testMatch: FULL_BROWSER_SPECS, use: { launchOptions: { executablePath: CHROMIUM, args: CHROMIUM_ARGS } } },
  ],
});
