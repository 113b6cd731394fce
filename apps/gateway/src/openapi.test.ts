import { ERROR_STATUS, parseEnv } from '@mserve/common';
import { API_SCHEMAS } from '@mserve/contracts';
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { gatewayEnvSpec } from './config';
import { openApiDocument } from './openapi';

type Json = Record<string, unknown>;
interface Operation {
  parameters?: Array<{ name: string }>;
  responses: Record<string, { description: string; headers?: Json; content?: Record<string, Json> }>;
}

const doc = openApiDocument();
const paths = doc.paths as unknown as Record<string, Record<string, Operation>>;
const operations = Object.entries(paths).flatMap(([path, ops]) =>
  Object.entries(ops).map(([method, op]) => ({ path, method, op })),
);
const SCHEMAS = '#/components/schemas/';

/** `schema` with every `$ref` into the components replaced by the component, recursively. */
function inline(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(inline);
  if (!node || typeof node !== 'object') return node;
  const ref = (node as Json)['$ref'];
  if (typeof ref === 'string') {
    const target = (doc.components.schemas as Json)[ref.slice(SCHEMAS.length)];
    if (!ref.startsWith(SCHEMAS) || !target) throw new Error(`unresolved ${ref}`);
    return inline(target);
  }
  return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, inline(v)]));
}

const ajv = new Ajv2020({ strict: false, allErrors: true });
addFormats(ajv);
ajv.addSchema(doc, 'openapi');
const ptr = (s: string) => s.replace(/~/g, '~0').replace(/\//g, '~1');
const responseSchema = (path: string, method: string, status: string) =>
  ajv.compile({
    $ref: `openapi#/paths/${ptr(path)}/${method}/responses/${status}/content/application~1json/schema`,
  });

describe('the OpenAPI document', () => {
  it("has exactly the contracts' schemas as components.schemas (nested named schemas as $refs)", () => {
    expect(Object.keys(doc.components.schemas).sort()).toEqual(Object.keys(API_SCHEMAS).sort());
    for (const [name, schema] of Object.entries(API_SCHEMAS)) {
      expect([name, inline((doc.components.schemas as Json)[name])]).toEqual([
        name,
        JSON.parse(JSON.stringify(schema)),
      ]);
    }
    // Named, not repeated: the completed job refers to the uncertainty block rather than copying it.
    expect(JSON.stringify(doc.components.schemas.JobCompleted)).toContain(`"${SCHEMAS}Prediction"`);
    expect(JSON.stringify(doc.components.schemas.Prediction)).toContain(`"${SCHEMAS}Uncertainty"`);
  });

  it('keeps every path, parameter and status it documented', () => {
    const submit = ['202', '400', '409', '413', '415', '422', '429', '503'];
    const expected: Array<[string, string, string[], string[]]> = [
      [
        '/v1/jobs',
        'post',
        ['samples', 'alpha', 'priority', 'include', 'deadline', 'Cancel-After', 'Idempotency-Key'],
        ['200', ...submit],
      ],
      ['/v1/jobs/{id}', 'get', ['id', 'wait', 'include'], ['200', '400', '404', '503']],
      [
        '/v1/predict',
        'post',
        ['samples', 'alpha', 'priority', 'include', 'deadline', 'Cancel-After', 'Idempotency-Key', 'Prefer'],
        ['200', ...submit, '410', '500', '504'],
      ],
      ['/v1/jobs/{id}/cancel', 'post', ['id'], ['200', '400', '404', '409', '503']],
      ['/v1/batches/{id}', 'get', ['id', 'wait'], ['200', '400', '404', '503']],
      ['/v1/jobs/{id}', 'delete', ['id'], ['200', '400', '404', '409', '503']],
      ['/v1/models', 'get', [], ['200', '503']],
      ['/healthz', 'get', [], ['200']],
      ['/readyz', 'get', [], ['200', '503']],
      ['/metrics', 'get', [], ['200']],
    ];
    for (const [path, method, params, statuses] of expected) {
      const op = paths[path]?.[method];
      expect(op && (op.parameters ?? []).map((p) => p.name)).toEqual(params);
      expect(Object.keys(op?.responses ?? {})).toEqual(expect.arrayContaining(statuses));
    }
  });

  it('resolves every $ref: each JSON response schema compiles', () => {
    let compiled = 0;
    for (const { path, method, op } of operations) {
      for (const [status, response] of Object.entries(op.responses)) {
        if (!response.content?.['application/json']) continue;
        expect(() => responseSchema(path, method, status)).not.toThrow();
        compiled++;
      }
    }
    expect(compiled).toBeGreaterThan(20);
  });

  it('lists on each error response exactly the codes its status stands for in ERROR_STATUS', () => {
    for (const { path, method, op } of operations) {
      for (const [status, response] of Object.entries(op.responses)) {
        if (Number(status) < 400 || path === '/readyz') continue;
        const codes = Object.keys(ERROR_STATUS).filter(
          (c) => ERROR_STATUS[c as keyof typeof ERROR_STATUS] === Number(status),
        );
        const check = responseSchema(path, method, status);
        for (const code of codes) {
          expect([path, status, code, check({ error: { code, message: 'm' } })]).toEqual([path, status, code, true]);
          expect(response.description).toContain(code);
        }
        expect(check({ error: { code: status === '400' ? 'NOT_FOUND' : 'VALIDATION_FAILED', message: 'm' } })).toBe(
          false,
        );
      }
    }
    expect(paths['/v1/jobs']?.['post']?.responses['422']?.description).toContain('IMAGE_BLANK');
  });

  it('documents 405 with Allow for any other method, and 431 on every API operation', () => {
    expect(doc.info.description).toMatch(/405 METHOD_NOT_ALLOWED with an Allow header/);
    expect(doc.components.responses.MethodNotAllowed.headers).toHaveProperty('Allow');
    const notAllowed = ajv.compile({
      $ref: 'openapi#/components/responses/MethodNotAllowed/content/application~1json/schema',
    });
    expect(notAllowed({ error: { code: 'METHOD_NOT_ALLOWED', message: 'GET /v1/predict: use POST' } })).toBe(true);
    expect(notAllowed({ error: { code: 'NOT_FOUND', message: 'm' } })).toBe(false);
    for (const path of ['/v1/jobs', '/v1/jobs/{id}', '/v1/predict', '/v1/models']) {
      const op = Object.values(paths[path] ?? {})[0];
      expect(op?.responses['431']?.description).toContain('HEADERS_TOO_LARGE');
    }
  });

  it('documents the upload forms: the multipart field image, and base64 or a data: URL in JSON', () => {
    const body = (paths['/v1/jobs']?.['post'] as unknown as { requestBody: { content: Record<string, Json> } })
      .requestBody.content;
    expect(JSON.stringify(body['multipart/form-data'])).toMatch(/other field name is refused with 400/);
    expect(JSON.stringify(body['application/json'])).toContain(`"${SCHEMAS}JsonSubmission"`);
    expect(JSON.stringify(body['application/json'])).toContain('"images"');
    expect(API_SCHEMAS.JsonSubmission.properties.image.description).toMatch(/data: URL/);
    expect(paths['/v1/jobs']?.['post']?.responses['400']?.description).toMatch(/base64/);
  });

  it('quotes the configured limits: MAX_WAIT_S bounds wait, MAX_UPLOAD_BYTES is the 413 limit', () => {
    const settings = { ...parseEnv(gatewayEnvSpec, {}), MAX_WAIT_S: 120, MAX_UPLOAD_BYTES: 2048 };
    const custom = openApiDocument(settings).paths;
    const wait = custom['/v1/jobs/{id}'].get.parameters.find((p) => p.name === 'wait');
    expect(wait?.schema).toMatchObject({ maximum: 120 });
    expect(custom['/v1/jobs/{id}'].get.summary).toContain('?wait=120');
    expect(custom['/v1/jobs'].post.responses['413'].description).toContain('2048 bytes');
    expect(openApiDocument().paths['/v1/jobs/{id}'].get.summary).toContain('?wait=30');
  });

  it('shows examples that match their response schemas', () => {
    let checked = 0;
    for (const { path, method, op } of operations) {
      for (const [status, response] of Object.entries(op.responses)) {
        const media = response.content?.['application/json'] as
          { example?: unknown; examples?: Record<string, { value: unknown }> } | undefined;
        const values = [
          ...(media?.example ? [media.example] : []),
          ...Object.values(media?.examples ?? {}).map((e) => e.value),
        ];
        for (const value of values) {
          expect([path, status, responseSchema(path, method, status)(value)]).toEqual([path, status, true]);
          checked++;
        }
      }
    }
    expect(checked).toBeGreaterThanOrEqual(6);
  });

  it('describes the multipart image of both submissions as a binary file (a file picker in Swagger UI)', () => {
    for (const path of ['/v1/predict', '/v1/jobs']) {
      const body = (
        paths[path]?.['post'] as unknown as {
          requestBody: { content: Record<string, { schema: { properties: Record<string, unknown> } }> };
        }
      ).requestBody;
      const image = body.content['multipart/form-data']?.schema.properties.image;
      expect([path, image]).toEqual([path, expect.objectContaining({ type: 'string', format: 'binary' })]);
    }
  });
});
