import { defineConfig } from 'vitest/config';

// One Vitest run over every workspace; end-to-end tests (e2e/) belong to Playwright instead.
export default defineConfig({
  test: {
    projects: ['packages/*', 'apps/server', 'apps/kiosk'],
  },
});
