import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { openApiDocument } from '../src/openapi';

const doc = openApiDocument();
const ajv = new Ajv2020({ strict: false, allErrors: true });
addFormats(ajv);
ajv.addSchema(doc, 'openapi');

const ptr = (s: string) => s.replace(/~/g, '~0').replace(/\//g, '~1');

/**
 * Asserts that a response matches the OpenAPI document: the operation must declare the status, and a JSON body
 * must validate against the declared schema. A 405 for a method a documented path lacks must match the document's
 * MethodNotAllowed response.
 */
export function expectMatchesSpec(route: string, method: string, res: { status: number; body: unknown }): void {
  const path = (doc.paths as Record<string, Record<string, { responses: Record<string, unknown> }>>)[route];
  const op = path?.[method];
  if (path && !op && res.status === 405) {
    // A method the path does not have: the document's shared MethodNotAllowed response applies.
    const ok = ajv.validate(
      { $ref: 'openapi#/components/responses/MethodNotAllowed/content/application~1json/schema' },
      res.body,
    );
    if (!ok) throw new Error(`${method.toUpperCase()} ${route} 405 body does not match: ${ajv.errorsText(ajv.errors)}`);
    return;
  }
  if (!op) throw new Error(`no operation ${method.toUpperCase()} ${route} in the OpenAPI document`);
  if (!(String(res.status) in op.responses)) {
    throw new Error(`${method.toUpperCase()} ${route} answered ${res.status}, not declared in the OpenAPI document`);
  }
  const ref = `openapi#/paths/${ptr(route)}/${method}/responses/${res.status}/content/application~1json/schema`;
  const ok = ajv.validate({ $ref: ref }, res.body);
  if (!ok) {
    throw new Error(
      `${method.toUpperCase()} ${route} ${res.status} body does not match the schema: ${ajv.errorsText(ajv.errors)}\n` +
        JSON.stringify(res.body).slice(0, 2000),
    );
  }
}
