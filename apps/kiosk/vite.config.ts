import adapter from '@sveltejs/adapter-static';
import { sveltekit } from '@sveltejs/kit/vite';
import { defineConfig } from 'vite';

export default defineConfig({
  plugins: [
    sveltekit({
      // A single-page app: the server (apps/server) serves this build and answers every unknown
      // path with index.html, which the service worker also keeps for offline starts.
      adapter: adapter({ fallback: 'index.html' }),
    }),
  ],
  server: {
    proxy: { '/trpc': 'http://localhost:3000', '/api': 'http://localhost:3000' },
  },
});
