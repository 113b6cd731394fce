import type { EnvVarSpec } from '@mserve/common';
import type { RequestHandler } from 'express';

/** Which browser origins may call the API: none (CORS off), any, or a list. */
export type CorsPolicy = { kind: 'off' } | { kind: 'any' } | { kind: 'list'; origins: Set<string> };

/** Methods and request headers a preflight allows: what the API's operations use. */
const ALLOW_METHODS = 'GET, POST, DELETE';
const ALLOW_HEADERS = 'Authorization, Content-Type, Idempotency-Key, Cancel-After, Prefer, X-Request-Id';
/** Response headers a browser script may read. */
const EXPOSE_HEADERS =
  'Location, Retry-After, X-Request-Id, Idempotent-Replayed, Preference-Applied, RateLimit, RateLimit-Policy';
/** How long a browser may cache a preflight answer. */
const MAX_AGE_S = 600;

/**
 * Parses `CORS_ORIGINS`: empty is off, `*` any origin, otherwise comma-separated origins (`https://app.example`,
 * `http://localhost:3000`): scheme, host and port only, as a browser sends them in `Origin`.
 */
export function parseCorsOrigins(value: string): CorsPolicy | { error: string } {
  const entries = value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (entries.length === 0) return { kind: 'off' };
  if (entries.includes('*')) return { kind: 'any' };
  const bad = entries.filter((e) => {
    try {
      return new URL(e).origin !== e;
    } catch {
      return true;
    }
  });
  if (bad.length) return { error: `not an origin (scheme://host[:port], no path or slash): ${bad.join(', ')}` };
  return { kind: 'list', origins: new Set(entries) };
}

/** The `CORS_ORIGINS` variable of the gateway's env spec. */
export const corsOriginsEnv: EnvVarSpec<CorsPolicy> = {
  doc: 'browser origins allowed to call the API, comma-separated (`https://app.example,http://localhost:3000`), `*` any; empty: CORS off',
  default: { kind: 'off' },
  parse: parseCorsOrigins,
  show: (p) => (p.kind === 'off' ? '' : p.kind === 'any' ? '*' : [...p.origins].join(',')),
};

/**
 * CORS for browser callers of the API, off unless configured. For an allowed `Origin` every response says so
 * (`Access-Control-Allow-Origin`, exposed headers), and a preflight (`OPTIONS` with
 * `Access-Control-Request-Method`) is answered here with 204 and what may be sent. Any other origin gets no CORS
 * headers, so the browser keeps its same-origin rule; its preflight falls through to the route's plain OPTIONS
 * answer. No credentials mode: API keys travel in `Authorization`, not cookies.
 */
export function cors(policy: CorsPolicy): RequestHandler {
  return (req, res, next) => {
    const origin = req.headers.origin;
    if (policy.kind === 'off' || !origin) return next();
    if (policy.kind === 'list') {
      res.vary('Origin');
      if (!policy.origins.has(origin)) return next();
    }
    res.setHeader('Access-Control-Allow-Origin', policy.kind === 'any' ? '*' : origin);
    if (req.method === 'OPTIONS' && req.headers['access-control-request-method']) {
      res.setHeader('Access-Control-Allow-Methods', ALLOW_METHODS);
      res.setHeader('Access-Control-Allow-Headers', ALLOW_HEADERS);
      res.setHeader('Access-Control-Max-Age', String(MAX_AGE_S));
      res.status(204).end();
      return;
    }
    res.setHeader('Access-Control-Expose-Headers', EXPOSE_HEADERS);
    next();
  };
}
