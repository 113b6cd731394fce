import type { RequestHandler, Response } from 'express';

/**
 * The Content-Security-Policy of HTML pages: everything from this origin only, no framing, no plugins, forms and
 * `<base>` only to this origin. A page that needs more (a CDN, inline scripts) sets its own policy before it
 * sends, and this one steps aside.
 */
export const HTML_CSP =
  "default-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'; object-src 'none'";

/** Headers an HTML response gets unless its handler set them: CSP, and no Referer to wherever its links go. */
const HTML_HEADERS: Record<string, string> = {
  'Content-Security-Policy': HTML_CSP,
  'Referrer-Policy': 'no-referrer',
};

function isHtml(res: Response): boolean {
  return /^\s*text\/html\b/i.test(String(res.getHeader('content-type') ?? ''));
}

/**
 * Security headers for every response, independent of route: `X-Content-Type-Options: nosniff` on all of them
 * (a JSON error is never sniffed into HTML), and on HTML pages a self-only CSP with `frame-ancestors 'none'` and
 * `Referrer-Policy: no-referrer`. The HTML headers are decided when the head is written, from the content type
 * the handler chose, so any page (the API docs, a UI) gets them without registering itself; a header the handler
 * already set is kept.
 */
export function securityHeaders(): RequestHandler {
  return (_req, res, next) => {
    res.setHeader('X-Content-Type-Options', 'nosniff');
    const writeHead = res.writeHead;
    res.writeHead = function (this: Response, ...args: Parameters<Response['writeHead']>) {
      if (isHtml(this)) {
        for (const [name, value] of Object.entries(HTML_HEADERS)) {
          if (!this.hasHeader(name)) this.setHeader(name, value);
        }
      }
      return writeHead.apply(this, args);
    } as Response['writeHead'];
    next();
  };
}
