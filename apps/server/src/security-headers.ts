// The browser's half of the defence: what a page of ours may load and run, and who may frame it.
import { createHash } from 'node:crypto';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import helmet from 'helmet';

/**
 * The SvelteKit shell starts the app with an inline script; a strict policy names that script by
 * its hash, so it runs and nothing injected does.
 */
export function inlineScriptHashes(html: string): string[] {
  const hashes = [];
  for (const match of html.matchAll(/<script(?![^>]*\ssrc=)[^>]*>([\s\S]*?)<\/script>/gi)) {
    hashes.push(`'sha256-${createHash('sha256').update(match[1]!, 'utf8').digest('base64')}'`);
  }
  return hashes;
}

/** `shellHtml`: the app shell served to browsers (null when only the API is served). */
export function securityHeaders(shellHtml: string | null): RequestHandler[] {
  const policy = helmet({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'", ...(shellHtml ? inlineScriptHashes(shellHtml) : [])],
        scriptSrcAttr: ["'none'"],
        // Svelte sets style attributes and transitions add style elements at run time.
        styleSrc: ["'self'", "'unsafe-inline'"],
        // The door's roster keeps thumbnails as data: URLs; cropped photos and evidence show from blob: URLs.
        imgSrc: ["'self'", 'data:', 'blob:'],
        fontSrc: ["'self'", 'data:'],
        connectSrc: ["'self'"],
        workerSrc: ["'self'"],
        // The print preview shows a PDF the page fetched, from a blob: URL; nothing else is framed.
        frameSrc: ["'self'", 'blob:'],
        manifestSrc: ["'self'"],
        objectSrc: ["'none'"],
        baseUri: ["'self'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
      },
    },
    xFrameOptions: { action: 'deny' },
    // Kiosks on a hospital LAN are often reached over plain HTTP: HSTS only where TLS is (below).
    strictTransportSecurity: false,
  });
  const hsts = helmet.strictTransportSecurity({ maxAge: 365 * 86_400 });
  // `req.secure` believes X-Forwarded-Proto only from the proxies TRUST_PROXY names.
  const overTls = (req: Request, res: Response, next: NextFunction) => (req.secure ? hsts(req, res, next) : next());
  return [policy, overTls];
}
