import { defineProject } from 'vitest/config';

// Each server test file boots the real app on a real SQLite file and seeds the demo's 200 staff
// with portraits: seconds on a quiet machine, much more on a loaded 2-core one. The limits are for
// hangs, not for speed (speed belongs in `npm run bench`).
export default defineProject({
  test: {
    name: '@opencme/server',
    testTimeout: 60_000,
    hookTimeout: 180_000,
  },
});
