// A single-page app: everything renders in the browser, which is what lets it run offline.
export const ssr = false;
export const prerender = false;
