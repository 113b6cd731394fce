import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import fc from 'fast-check';
import { openApiDocument } from '../../src/openapi';
import { invalidArbitrary, refResolver, schemaArbitrary, type Schema } from './schema-arbitrary';

const doc = openApiDocument();
const ajv = new Ajv2020({ strict: false });
addFormats(ajv);
ajv.addSchema(doc, 'openapi');
const opts = { resolve: refResolver(doc) };

/** Every parameter and JSON request body schema of the document, with a name and an ajv $ref to it. */
const schemas: Array<[string, Schema, string]> = Object.entries(
  doc.paths as Record<
    string,
    Record<string, { parameters?: Array<{ name: string; schema: Schema }>; requestBody?: unknown }>
  >,
).flatMap(([route, ops]) =>
  Object.entries(ops).flatMap(([method, op]) => {
    const base = `openapi#/paths/${route.replace(/\//g, '~1')}/${method}`;
    const params = (op.parameters ?? []).map(
      (p, i) =>
        [`${method} ${route} ${p.name}`, p.schema, `${base}/parameters/${i}/schema`] as [string, Schema, string],
    );
    const body = op.requestBody
      ? [
          [
            `${method} ${route} JSON body`,
            (op.requestBody as { content: Record<string, { schema: Schema }> }).content['application/json']!.schema,
            `${base}/requestBody/content/application~1json/schema`,
          ] as [string, Schema, string],
        ]
      : [];
    return [...params, ...body];
  }),
);

describe('schema arbitraries from the OpenAPI document', () => {
  it('covers the parameters and bodies of the document', () => {
    expect(schemas.length).toBeGreaterThan(10);
  });

  it.each(schemas)('generates only values valid against %s', (_name, schema, ref) => {
    fc.assert(
      fc.property(schemaArbitrary(schema, opts), (v) => {
        expect(ajv.validate({ $ref: ref }, v) ? 'valid' : ajv.errorsText(ajv.errors)).toBe('valid');
      }),
      { numRuns: 100 },
    );
  });

  it.each(schemas)('generates only values invalid against %s', (_name, schema, ref) => {
    fc.assert(
      fc.property(invalidArbitrary(schema, opts), (v) => {
        expect(ajv.validate({ $ref: ref }, v)).toBe(false);
      }),
      { numRuns: 100 },
    );
  });

  it('refuses a schema outside the subset instead of fuzzing something else', () => {
    expect(() => schemaArbitrary({ allOf: [{ type: 'string' }] } as Schema, opts)).toThrow(/unsupported schema/);
  });
});
