import os from 'node:os';
import { defineConfig } from 'vitest/config';

// One Vitest run over every workspace; end-to-end tests (e2e/) belong to Playwright instead.
export default defineConfig({
  test: {
    projects: ['packages/*', 'apps/server', 'apps/kiosk'],
    // Vitest's default (one less than the cores) is a single worker on a 2-core CI machine. A
    // project with a config of its own does not inherit this: apps/server sets its own.
    maxWorkers: Math.max(2, os.availableParallelism() - 1),
  },
});
