import { svelte } from '@sveltejs/vite-plugin-svelte';
import { svelteTesting } from '@testing-library/svelte/vite';
import { defineConfig } from 'vitest/config';

// Components are tested in a DOM (jsdom), compiled for the browser as the apps compile them.
export default defineConfig({
  plugins: [svelte(), svelteTesting()],
  // Bits UI ships .svelte files, and it and its helpers must share the one Svelte: Vite compiles them.
  test: { environment: 'jsdom', server: { deps: { inline: ['bits-ui', 'runed', 'svelte-toolbelt'] } } },
});
