// Keeps the whole app in the browser so that a kiosk starts and works with no network: every
// built file is precached at install, and every page navigation is answered with the app shell.
import { version } from '$app/env';
import { assets, immutable } from '$app/manifest';
import { self } from '$app/service-worker';
import { cleanupOutdatedCaches, createHandlerBoundToURL, precacheAndRoute } from 'workbox-precaching';
import { NavigationRoute, registerRoute } from 'workbox-routing';

precacheAndRoute([
  // Hashed file names change with their content: no revision needed.
  ...immutable.map((f) => ({ url: f.path, revision: null })),
  ...assets.map((f) => ({ url: f.path, revision: version })),
  // The SPA shell (adapter-static's fallback), served by the server at "/".
  { url: '/', revision: version },
]);
cleanupOutdatedCaches();

registerRoute(new NavigationRoute(createHandlerBoundToURL('/'), { denylist: [/^\/trpc\//, /^\/api\//] }));

// An unattended kiosk has nobody to click "update": a new version takes over at once.
self.addEventListener('install', () => void self.skipWaiting());
self.addEventListener('activate', (event) => event.waitUntil(self.clients.claim()));
