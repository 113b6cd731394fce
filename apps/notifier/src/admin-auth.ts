import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

/** How a request to an admin endpoint fares against `NOTIFIER_ADMIN_TOKEN`. */
export type AdminAccess = 'disabled' | 'missing' | 'denied' | 'granted';

const digest = (s: string): Buffer => createHash('sha256').update(s, 'utf8').digest();

/**
 * Checks `Authorization: Bearer <token>` against the configured token. With no token configured the admin
 * endpoints are disabled altogether (dead letters hold webhook URLs, which may carry secrets in their paths).
 * The comparison is constant-time: both sides are hashed to a fixed length first, so neither the token's
 * length nor its prefix can be learned from response times.
 */
export function adminAccess(headers: IncomingHttpHeaders, token: string): AdminAccess {
  if (token === '') return 'disabled';
  const m = /^Bearer\s+(\S+)\s*$/i.exec(headers.authorization ?? '');
  if (!m) return 'missing';
  return timingSafeEqual(digest(m[1] ?? ''), digest(token)) ? 'granted' : 'denied';
}
