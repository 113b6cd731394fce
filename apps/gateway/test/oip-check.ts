/**
 * Conformance to the Open Inference Protocol's official REST document (`<ASSETS_DIR>/specs/open_inference_rest.yaml`,
 * Apache-2.0, from kserve/open-inference-protocol): every response is validated with ajv against the schema the
 * document gives its path and status (the error schema of the operation for a 4xx/5xx), and the paths driven are
 * recorded so a suite can assert it drove every endpoint of the document.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { resolveAssetsDir } from '@mserve/common';
import Ajv from 'ajv';
import { parse } from 'yaml';

type Op = { responses: Record<string, { content?: Record<string, { schema: { $ref: string } }> }> };
const doc = parse(readFileSync(path.join(resolveAssetsDir(), 'specs/open_inference_rest.yaml'), 'utf8')) as {
  paths: Record<string, Record<string, Op>>;
};
const ajv = new Ajv({ strict: false, allErrors: true });
ajv.addSchema(doc, 'oip');

/** The document's paths, as `METHOD template`. */
export const OIP_OPERATIONS = Object.entries(doc.paths).flatMap(([p, ops]) =>
  Object.keys(ops)
    .filter((m) => ['get', 'post'].includes(m))
    .map((m) => `${m.toUpperCase()} ${p}`),
);
const driven = new Set<string>();

/** The document's template of a concrete URL path (the unversioned model paths map to the versioned ones). */
function templateOf(urlPath: string): string {
  const p = urlPath.replace(/\/$/, '') || '/';
  if (p === '/v2') return '/v2/';
  const m = /^\/v2\/models\/[^/]+(?:\/versions\/[^/]+)?(\/ready|\/infer)?$/.exec(p);
  if (m) return `/v2/models/\${MODEL_NAME}/versions/\${MODEL_VERSION}${m[1] ?? ''}`;
  return p;
}

const ERROR_SCHEMA: Record<string, string> = {
  '/v2/': 'metadata_server_error_response',
  '/v2/models/${MODEL_NAME}/versions/${MODEL_VERSION}': 'metadata_model_error_response',
  '/v2/models/${MODEL_NAME}/versions/${MODEL_VERSION}/infer': 'inference_error_response',
};

/** Asserts `res` conforms to the document for `method urlPath`, and records the endpoint as driven. */
export function expectOip(method: string, urlPath: string, res: { status: number; body: unknown }): void {
  const tpl = templateOf(urlPath);
  const op = doc.paths[tpl]?.[method.toLowerCase()];
  if (!op) throw new Error(`${method} ${urlPath}: no operation ${tpl} in the Open Inference Protocol document`);
  driven.add(`${method.toUpperCase()} ${tpl}`);
  let ref = op.responses[String(res.status)]?.content?.['application/json']?.schema.$ref;
  if (!ref && res.status >= 400) {
    // Errors the document does not list per status take the operation's error object, `{"error": "..."}`.
    const name = ERROR_SCHEMA[tpl] ?? 'inference_error_response';
    ref = `#/components/schemas/${name}`;
  }
  if (!ref) return; // an operation answering without a body schema (health, model ready)
  const ok = ajv.validate({ $ref: `oip${ref}` }, res.body);
  if (!ok)
    throw new Error(`${method} ${urlPath} ${res.status}: ${ajv.errorsText(ajv.errors)}\n${JSON.stringify(res.body)}`);
}

/** Operations of the document no test drove. */
export function undrivenOip(): string[] {
  return OIP_OPERATIONS.filter((o) => !driven.has(o));
}
