// Security headers on the app shell and on the API; behind a TLS proxy named by TRUST_PROXY,
// HSTS and a Secure session cookie, and neither on the word of a proxy nobody named.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_ADMIN } from '../../src/seed.ts';
import { startServer, type TestServer } from '../harness.ts';

// A shell like SvelteKit's: one inline bootstrap script.
const BOOT = `\n  import("/_app/start.js").then((kit) => kit.start());\n`;
const SHELL = `<!doctype html><html><head><title>OpenCME</title></head><body><div style="display: contents"><script>${BOOT}</script></div></body></html>`;

let staticDir: string;
let direct: TestServer;
let proxied: TestServer;

beforeAll(async () => {
  staticDir = fs.mkdtempSync(path.join(os.tmpdir(), 'opencme-shell-'));
  fs.writeFileSync(path.join(staticDir, 'index.html'), SHELL);
  direct = await startServer({ staticDir });
  proxied = await startServer({ staticDir, trustProxy: 'loopback' });
}, 60_000);
afterAll(async () => {
  await Promise.all([direct.close(), proxied.close()]);
  fs.rmSync(staticDir, { recursive: true, force: true });
});

const login = (server: TestServer, headers: Record<string, string> = {}) =>
  fetch(`${server.url}/trpc/auth.login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ json: DEMO_ADMIN }),
  });

function directives(res: Response): Map<string, string> {
  const policy = res.headers.get('content-security-policy') ?? '';
  return new Map(
    policy
      .split(';')
      .map((d) => d.trim())
      .filter(Boolean)
      .map((d) => [d.split(/\s+/)[0]!, d.slice(d.indexOf(' ') + 1)]),
  );
}

describe('security headers', () => {
  it('on the app shell: a strict policy that still lets the shell’s own script run', async () => {
    const res = await fetch(`${direct.url}/admin`);
    expect(res.status).toBe(200);
    const csp = directives(res);
    expect(csp.get('frame-ancestors')).toBe("'none'");
    expect(csp.get('object-src')).toBe("'none'");
    const hash = `'sha256-${createHash('sha256').update(BOOT).digest('base64')}'`;
    expect(csp.get('script-src')!.split(' ').sort()).toEqual(["'self'", hash].sort());
    expect(csp.get('script-src')).not.toContain('unsafe-inline');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('x-frame-options')).toBe('DENY');
    expect(res.headers.get('referrer-policy')).toBe('no-referrer');
  });

  it('on the API', async () => {
    for (const res of [await fetch(`${direct.url}/api/health`), await login(direct)]) {
      expect(directives(res).get('frame-ancestors')).toBe("'none'");
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    }
  });

  it('no HSTS and no Secure cookie over plain HTTP, even when a client claims a TLS proxy', async () => {
    const res = await login(direct, { 'x-forwarded-proto': 'https' });
    expect(res.headers.get('strict-transport-security')).toBeNull();
    expect(res.headers.get('set-cookie')).not.toMatch(/;\s*Secure/i);
  });

  it('behind the TLS proxy TRUST_PROXY names: HSTS and a Secure, HttpOnly session cookie', async () => {
    const res = await login(proxied, { 'x-forwarded-proto': 'https' });
    expect(res.headers.get('strict-transport-security')).toMatch(/max-age=\d{7,}/);
    expect(res.headers.get('set-cookie')).toMatch(/;\s*Secure/i);
    expect(res.headers.get('set-cookie')).toMatch(/;\s*HttpOnly/i);
    const shell = await fetch(`${proxied.url}/`, { headers: { 'x-forwarded-proto': 'https' } });
    expect(shell.headers.get('strict-transport-security')).toMatch(/max-age=/);
  });
});
