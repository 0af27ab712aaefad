// The browsers the end-to-end tests run in, both Debian's (Playwright's own download is not
// reachable here). Most specs run in the old headless shell: the same engine without the browser
// around it, which is what Playwright itself runs headless tests in; a spec took about a third
// less CPU there than in the full browser, and the suite is CPU-bound on a 2-core machine. The
// full browser stays for what only it has: the PDF viewer that shows a proof's preview.
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const HEADLESS_SHELL = process.env.CHROMIUM_SHELL_PATH ?? '/usr/bin/chromium-headless-shell';

/** Root in CI, hence no sandbox; and nothing running in the background that a test did not ask for. */
export const CHROMIUM_ARGS = ['--no-sandbox', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/** Specs that need the full browser (its PDF viewer). */
export const FULL_BROWSER_SPECS = ['reports.e2e.ts'];
