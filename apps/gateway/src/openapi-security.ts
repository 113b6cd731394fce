/**
 * The bearer security of the OpenAPI document: the scheme, and on every /v1 operation its requirement and the
 * answers authentication adds (401, 403, 429 of the rate limit and tenant quota). Applied to the finished document,
 * so the operations in `openapi.ts` stay about what they do.
 */
import { error, retryAfter } from './openapi-errors';

const rateLimitHeaders = {
  ...retryAfter,
  'RateLimit-Policy': {
    description: 'draft-ietf-httpapi-ratelimit-headers: the key\u2019s policy, `"per-key";q=<burst>;w=<seconds>`',
    schema: { type: 'string' },
  },
  RateLimit: {
    description: 'draft-ietf-httpapi-ratelimit-headers: what is left, `"per-key";r=<remaining>;t=<seconds>`',
    schema: { type: 'string' },
  },
};

const challenge = {
  'WWW-Authenticate': { description: 'RFC 6750 Bearer challenge', schema: { type: 'string' } },
};

/** The scheme, as `components.securitySchemes` lists it. */
export const BEARER_SCHEME = {
  bearerAuth: {
    type: 'http',
    scheme: 'bearer',
    bearerFormat: 'msk_<id>_<secret>',
    description:
      'API key of a tenant, with scopes predict (submit, cancel), read (jobs, batches, models) and admin (all). ' +
      'Required when the gateway runs with AUTH_MODE=required; ignored with AUTH_MODE=off. Another tenant\u2019s ' +
      'job or batch id answers 404 exactly like an unknown one.',
  },
};

type Doc = { paths: Record<string, Record<string, { responses: Record<string, unknown> }>>; components: object };

/** Adds the bearer requirement and the 401/403/429 answers to every /v1 operation. */
export function withBearerAuth<D extends Doc>(doc: D, mode: 'off' | 'required' = 'required'): D {
  for (const [path, ops] of Object.entries(doc.paths)) {
    if (!path.startsWith('/v1/')) continue;
    for (const op of Object.values(ops)) {
      // With auth off a request without a key is served too (`{}`: no requirement).
      Object.assign(op, { security: mode === 'off' ? [{}, { bearerAuth: [] }] : [{ bearerAuth: [] }] });
      op.responses['401'] = error(401, 'no API key, or one that is malformed, unknown or revoked', challenge);
      op.responses['403'] = error(403, 'the API key lacks the scope this operation needs');
      op.responses['429'] ??= error(429, 'the API key is over its request rate', rateLimitHeaders);
    }
  }
  Object.assign(doc.components, { securitySchemes: BEARER_SCHEME });
  return doc;
}
