import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { openApiDocument } from '../src/openapi';

type Doc = ReturnType<typeof openApiDocument>;
type Responses = Record<string, { content?: Record<string, unknown> }>;

/** A response as the checks see it: status, headers (for the content type) and the JSON body when it is JSON. */
export interface CheckedResponse {
  status: number;
  body: unknown;
  headers?: Record<string, string | string[] | undefined>;
}

/** Whether every segment of `pathname` is valid percent-encoding. */
function decodable(pathname: string): boolean {
  try {
    for (const segment of pathname.split('/')) decodeURIComponent(segment);
    return true;
  } catch {
    return false;
  }
}

const ptr = (s: string) => s.replace(/~/g, '~0').replace(/\//g, '~1');

/**
 * Checks responses against one OpenAPI document (the gateway's default one, or the one a gateway serves with its
 * own configuration). Each check returns what is wrong, or undefined.
 */
export function specChecker(doc: Doc) {
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats(ajv);
  ajv.addSchema(doc, 'openapi');
  const paths = doc.paths as Record<string, Record<string, { responses: Responses }>>;
  const validate = (ref: string, body: unknown, what: string): string | undefined =>
    ajv.validate({ $ref: ref }, body)
      ? undefined
      : `${what} body does not match the schema: ${ajv.errorsText(ajv.errors)}\n${JSON.stringify(body)?.slice(0, 2000)}`;
  const errorBody = 'openapi#/components/schemas/ErrorBody';

  /** A response of a documented operation: declared status, and a body valid against the declared content. */
  const operation = (route: string, method: string, res: CheckedResponse): string | undefined => {
    const what = `${method.toUpperCase()} ${route} ${res.status}`;
    const path = paths[route];
    const op = path?.[method];
    if (path && !op && res.status === 405) {
      // A method the path does not have: the document's shared MethodNotAllowed response applies.
      return validate(
        'openapi#/components/responses/MethodNotAllowed/content/application~1json/schema',
        res.body,
        what,
      );
    }
    if (!op) return `no operation ${method.toUpperCase()} ${route} in the OpenAPI document`;
    const declared = op.responses[String(res.status)];
    if (!declared) return `${what}: status not declared in the OpenAPI document`;
    const types = Object.keys(declared.content ?? {});
    if (!types.includes('application/json')) {
      const got = String(res.headers?.['content-type'] ?? '');
      if (res.headers && types.length && !types.some((t) => got.startsWith(t))) {
        return `${what}: content type ${got} is none of ${types.join(', ')}`;
      }
      return undefined;
    }
    return validate(
      `openapi#/paths/${ptr(route)}/${method}/responses/${res.status}/content/application~1json/schema`,
      res.body,
      what,
    );
  };

  /**
   * Any response to any request: a documented operation's as above; HEAD as its GET without a body; OPTIONS a 204
   * with `Allow` (or a CORS preflight's answer); a path outside the document a 4xx with the JSON error body.
   */
  const anyResponse = (route: string | undefined, method: string, res: CheckedResponse): string | undefined => {
    const m = method.toLowerCase();
    const what = `${method.toUpperCase()} ${route ?? '(undocumented path)'} ${res.status}`;
    // A CORS preflight of an allowed origin is answered on any path (the browser's real request then gets its
    // answer from the route).
    if (m === 'options' && res.status === 204 && res.headers?.['access-control-allow-methods']) return undefined;
    if (route && m === 'head') {
      const get = paths[route]?.['get'];
      if (!get) return res.status === 405 ? undefined : `${what}: a path without GET answered HEAD`;
      return String(res.status) in get.responses ? undefined : `${what}: status not declared for GET`;
    }
    if (route && m === 'options') {
      return res.status === 204 && res.headers?.['allow'] ? undefined : `${what}: OPTIONS is a 204 with Allow`;
    }
    if (route) return operation(route, m, res);
    if (res.status < 400 || res.status >= 500) return `${what}: an undocumented path answered ${res.status}`;
    if (m === 'head') return undefined;
    return validate(errorBody, res.body, what);
  };

  // Express matches paths case-insensitively, with an optional trailing slash, a parameter being one segment.
  const templates = Object.keys(paths).map((route) => ({
    route,
    re: new RegExp(`^${route.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{[^}]+\}/g, '[^/]+')}/?$`, 'i'),
  }));
  /**
   * The documented path template a request path (as the server sees it) falls under, if any. A path that is not
   * valid percent-encoding falls under none: the server refuses it (400) before it matches a route or a method.
   */
  const routeOf = (pathname: string): string | undefined =>
    decodable(pathname) ? templates.find((t) => t.re.test(pathname))?.route : undefined;

  return { operation, anyResponse, routeOf };
}

const defaultChecker = specChecker(openApiDocument());

/**
 * Asserts that a response matches the OpenAPI document: the operation must declare the status, and a JSON body
 * must validate against the declared schema. A 405 for a method a documented path lacks must match the document's
 * MethodNotAllowed response.
 */
export function expectMatchesSpec(route: string, method: string, res: { status: number; body: unknown }): void {
  const problem = defaultChecker.operation(route, method, res);
  if (problem) throw new Error(problem);
}
