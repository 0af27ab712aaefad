// One lint for the whole repository (`npm run pnpm -- run lint`, and a step of `npm test`).
// typescript-eslint reads the types (each file through its own workspace's tsconfig.json, found by
// the project service), so it can tell a promise nobody waits for; eslint-plugin-svelte reads the
// components of the kiosk and packages/ui; eslint-config-prettier, last, leaves layout to Prettier.
import js from '@eslint/js';
import { defineConfig } from 'eslint/config';
import prettier from 'eslint-config-prettier';
import svelte from 'eslint-plugin-svelte';
import globals from 'globals';
import ts from 'typescript-eslint';

export default defineConfig(
  {
    ignores: ['**/node_modules/', '.toolchain/', '**/build/', '**/dist/', '**/.svelte-kit/', 'test-results/', 'playwright-report/', 'data/', 'keys/'],
  },
  js.configs.recommended,
  ts.configs.recommendedTypeChecked,
  // The Svelte rules for components only (some wrap core rules that trip over plain CommonJS).
  ...svelte.configs.recommended.map((config) => ({ ...config, files: ['**/*.svelte', '**/*.svelte.ts'] })),
  {
    languageOptions: {
      globals: { ...globals.node, ...globals.browser },
      parserOptions: {
        projectService: {
          // The two config files that no workspace's tsconfig includes.
          allowDefaultProject: ['apps/server/vitest.config.ts', 'packages/ui/vitest.config.ts', 'packages/reader-webhid/bench/*.ts'],
          defaultProject: 'tsconfig.json',
        },
        tsconfigRootDir: import.meta.dirname,
        extraFileExtensions: ['.svelte'],
      },
    },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      // An unused name is a mistake, except the deliberate ones: `_`-prefixed arguments, and the
      // rest sibling that drops a field from a copy (`const { secret, ...rest } = row`).
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', ignoreRestSiblings: true }],
      // Off: an async function without an await is still chosen on purpose: a throw in it becomes
      // a rejection, which its callers (tRPC procedures, transports, handlers) are written to catch.
      '@typescript-eslint/require-await': 'off',
      // Passing on a caught `unknown` as the rejection is forwarding, not inventing, a reason.
      '@typescript-eslint/prefer-promise-reject-errors': ['error', { allowThrowingUnknown: true }],
    },
  },
  {
    // Svelte components (and runes modules) with TypeScript in <script lang="ts">.
    files: ['**/*.svelte', '**/*.svelte.ts'],
    languageOptions: {
      parserOptions: { parser: ts.parser, extraFileExtensions: ['.svelte'] },
    },
    rules: {
      // Off: state here is replaced, not mutated (a new Set is made and assigned to the $state), and
      // a Date is made to be formatted once; SvelteSet/SvelteDate would track what nothing reads.
      'svelte/prefer-svelte-reactivity': 'off',
    },
  },
  {
    // Components are linted without types; svelte-check (--fail-on-warnings, in each typecheck)
    // types them fully. With types, each component's generated TypeScript made the project service
    // build a new program and checker: about 1 s a component, 4 of the lint's 7 minutes on a fresh
    // clone, against 5 s without (routes/admin: 72 s → 5 s). The price: a promise nobody waits for
    // inside a component's own script is not reported; every .ts and .svelte.ts module keeps every
    // typed rule. (The unsafe-* rules were off in components already: typescript-eslint did not see
    // the types of snippets and callback props.)
    files: ['**/*.svelte'],
    extends: [ts.configs.disableTypeChecked],
    rules: {
      // Off: the kiosk is served at the root of its origin (no `paths.base`), so resolve() would
      // return every path unchanged.
      'svelte/no-navigation-without-resolve': 'off',
      // Off for speed: it alone took a fifth of the lint's time, and found nothing.
      'svelte/no-unused-props': 'off',
    },
  },
  {
    // Vitest's asymmetric matchers (expect.any, expect.stringContaining, …) are typed `any` by design.
    files: ['**/*.test.ts', 'e2e/**'],
    rules: { '@typescript-eslint/no-unsafe-assignment': 'off' },
  },
  {
    // A migration runs against the schema as it was then, not today's: Kysely<any> is Kysely's own
    // advice for migrations, and for tests that read a database file as it lies.
    files: ['apps/server/src/db/migrations.ts', 'apps/server/test/**'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  {
    // Old migrations are never edited, and they take Kysely's expression builder apart
    // (`({ not, exists, selectFrom }) =>`), as Kysely's own examples do: its functions need no `this`.
    files: ['apps/server/src/db/migrations.ts'],
    rules: { '@typescript-eslint/unbound-method': 'off' },
  },
  {
    // The toolchain launcher runs on whatever old Node the machine has, as CommonJS, before
    // TypeScript is installed: plain rules only.
    files: ['**/*.cjs', '**/*.js'],
    extends: [ts.configs.disableTypeChecked],
    languageOptions: { sourceType: 'commonjs' },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    files: ['eslint.config.js'],
    languageOptions: { sourceType: 'module' },
  },
  prettier,
  ...svelte.configs.prettier.map((config) => ({ ...config, files: ['**/*.svelte', '**/*.svelte.ts'] })),
);
