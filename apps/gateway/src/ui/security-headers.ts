import type { RequestHandler } from 'express';

/**
 * The Content-Security-Policy of the gateway's HTML pages: scripts, styles, fonts and requests from the gateway
 * only (no CDN, no inline script), images also from `data:` and `blob:` URLs (a dropped photo's preview, Swagger
 * UI's icons), and no page may frame them.
 */
export const HTML_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data: blob:",
  "font-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/**
 * Security headers of every HTML page the gateway serves (the playground, `/docs`, `/admin/queues`) and their
 * assets: the CSP above, no MIME sniffing, no framing (X-Frame-Options for browsers without frame-ancestors), and no
 * full URLs in Referer headers sent elsewhere.
 */
export function htmlSecurityHeaders(): RequestHandler {
  return (_req, res, next) => {
    res.set({
      'Content-Security-Policy': HTML_CSP,
      'X-Content-Type-Options': 'nosniff',
      'X-Frame-Options': 'DENY',
      'Referrer-Policy': 'no-referrer',
    });
    next();
  };
}
