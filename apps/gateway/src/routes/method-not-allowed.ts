import { AppError } from '@mserve/common';
import type { RequestHandler } from 'express';
import { clip } from '../clip';

/** The methods a route has handlers for (Express answers HEAD with the GET handler). */
function allowedOn(route: unknown): string[] {
  const methods = (route as { methods?: Record<string, boolean> } | undefined)?.methods ?? {};
  const names = Object.keys(methods)
    .filter((m) => m !== '_all' && methods[m])
    .map((m) => m.toUpperCase());
  if (names.includes('GET') && !names.includes('HEAD')) names.push('HEAD');
  return names;
}

/**
 * The last handler of every route (`router.route(path).get(...).all(methodNotAllowed)`): a method the route has no
 * handler for is a 405 METHOD_NOT_ALLOWED with an `Allow` header and the JSON error body, rather than the 404 of a
 * path that does not exist. OPTIONS gets a 204 with the `Allow` header, as Express would give it.
 */
export const methodNotAllowed: RequestHandler = (req, res) => {
  const allow = allowedOn(req.route);
  res.set('Allow', allow.join(', '));
  if (req.method === 'OPTIONS') {
    res.status(204).end();
    return;
  }
  throw new AppError(
    'METHOD_NOT_ALLOWED',
    `${clip(req.method, 16)} is not allowed on ${clip(req.path)}; allowed: ${allow.join(', ')}`,
  );
};
