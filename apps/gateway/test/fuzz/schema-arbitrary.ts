import fc from 'fast-check';

/** The JSON Schema subset the gateway's OpenAPI document uses for parameters and request bodies. */
export interface Schema {
  $ref?: string;
  type?: string;
  enum?: unknown[];
  const?: unknown;
  format?: string;
  pattern?: string;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  properties?: Record<string, Schema>;
  required?: string[];
  items?: Schema;
  minItems?: number;
  maxItems?: number;
  uniqueItems?: boolean;
  anyOf?: Schema[];
  oneOf?: Schema[];
}

/** How to build values the subset leaves open: `$ref` targets and string formats. */
export interface SchemaArbitraryOptions {
  /** Resolves a `$ref` such as `#/components/schemas/X` to its schema. */
  resolve: (ref: string) => Schema;
  /** Arbitraries for string formats (overriding the built-in ones: uuid, date-time, uri). */
  formats?: Record<string, fc.Arbitrary<unknown>>;
  /** Longest string or array made for a schema without `maxLength`/`maxItems`. */
  maxSize?: number;
}

/** Resolves a JSON pointer into `root` (`#/a/b~1c`). */
export function refResolver(root: unknown): (ref: string) => Schema {
  return (ref) => {
    if (!ref.startsWith('#/')) throw new Error(`only local $refs are supported: ${ref}`);
    let node: unknown = root;
    for (const raw of ref.slice(2).split('/')) {
      const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
      node = (node as Record<string, unknown> | undefined)?.[key];
    }
    if (node === undefined) throw new Error(`unresolved $ref ${ref}`);
    return node as Schema;
  };
}

const BUILTIN_FORMATS: Record<string, fc.Arbitrary<unknown>> = {
  uuid: fc.uuid(),
  'date-time': fc
    .date({ min: new Date('2000-01-01T00:00:00Z'), max: new Date('2100-01-01T00:00:00Z'), noInvalidDate: true })
    .map((d) => d.toISOString()),
  uri: fc.webUrl(),
};

/** Numbers within the schema's bounds; integers when `integer`. */
function numberArbitrary(s: Schema, integer: boolean): fc.Arbitrary<number> {
  if (integer) {
    const min = Math.ceil(s.exclusiveMinimum !== undefined ? s.exclusiveMinimum + 1e-9 : (s.minimum ?? -1e6));
    const max = Math.floor(s.exclusiveMaximum !== undefined ? s.exclusiveMaximum - 1e-9 : (s.maximum ?? 1e6));
    return fc.integer({ min, max });
  }
  const min = s.exclusiveMinimum ?? s.minimum ?? -1e6;
  const max = s.exclusiveMaximum ?? s.maximum ?? 1e6;
  return fc.double({
    min,
    max,
    minExcluded: s.exclusiveMinimum !== undefined,
    maxExcluded: s.exclusiveMaximum !== undefined,
    noNaN: true,
    noDefaultInfinity: true,
  });
}

/**
 * A fast-check arbitrary of values valid against `schema` (within the subset above): `$ref`, `anyOf`/`oneOf`
 * (one branch), `enum`/`const`, the JSON types with their bounds, `pattern`, `format`, objects with required and
 * optional properties, arrays with bounds and uniqueness. Anything outside the subset throws, so a document
 * growing a keyword the fuzz cannot honour fails loudly instead of fuzzing something else.
 */
export function schemaArbitrary(schema: Schema, opts: SchemaArbitraryOptions): fc.Arbitrary<unknown> {
  const formats = { ...BUILTIN_FORMATS, ...opts.formats };
  const maxSize = opts.maxSize ?? 16;
  const go = (s: Schema): fc.Arbitrary<unknown> => {
    if (s.$ref) return go(opts.resolve(s.$ref));
    if (s.const !== undefined) return fc.constant(s.const);
    if (s.enum) return fc.constantFrom(...s.enum);
    const branches = s.anyOf ?? s.oneOf;
    if (branches) return fc.oneof(...branches.map(go));
    switch (s.type) {
      case 'string': {
        if (s.format && s.format in formats) return formats[s.format]!;
        if (s.pattern) return fc.stringMatching(new RegExp(s.pattern));
        return fc.string({
          minLength: s.minLength ?? 0,
          maxLength: s.maxLength ?? Math.max(maxSize, s.minLength ?? 0),
        });
      }
      case 'integer':
        return numberArbitrary(s, true);
      case 'number':
        return numberArbitrary(s, false);
      case 'boolean':
        return fc.boolean();
      case 'null':
        return fc.constant(null);
      case 'array': {
        const item = go(s.items ?? {});
        const bounds = { minLength: s.minItems ?? 0, maxLength: s.maxItems ?? Math.max(maxSize, s.minItems ?? 0) };
        return s.uniqueItems
          ? fc.uniqueArray(item, { ...bounds, selector: (v) => JSON.stringify(v) })
          : fc.array(item, bounds);
      }
      case 'object': {
        const props = s.properties ?? {};
        const model = Object.fromEntries(Object.entries(props).map(([k, v]) => [k, go(v)]));
        return fc.record(model, { requiredKeys: (s.required ?? []).filter((k) => k in props) });
      }
      case undefined:
        // A schema of only a description accepts anything; one with other keywords but no type is outside the subset.
        if (Object.keys(s).every((k) => k === 'description')) return fc.jsonValue();
        throw new Error(`schemaArbitrary: unsupported schema ${JSON.stringify(s).slice(0, 200)}`);
      default:
        throw new Error(`schemaArbitrary: unsupported schema ${JSON.stringify(s).slice(0, 200)}`);
    }
  };
  return go(schema);
}

/**
 * Values that break `schema` in one way each: the wrong JSON type, a number out of bounds, a string past
 * `maxLength` or off its enum, an object missing a required property. Each is invalid against the schema (the unit
 * test checks it with ajv), which is what lets the fuzz expect a 4xx for them.
 */
export function invalidArbitrary(schema: Schema, opts: SchemaArbitraryOptions): fc.Arbitrary<unknown> {
  const s = schema.$ref ? opts.resolve(schema.$ref) : schema;
  const wrongType: fc.Arbitrary<unknown>[] = [];
  const types =
    s.anyOf || s.oneOf ? (s.anyOf ?? s.oneOf)!.map((b) => (b.$ref ? opts.resolve(b.$ref) : b).type) : [s.type];
  if (!types.includes('string')) wrongType.push(fc.string({ maxLength: 8 }).filter((x) => Number.isNaN(Number(x))));
  if (!types.includes('number') && !types.includes('integer')) wrongType.push(fc.integer());
  if (!types.includes('object')) wrongType.push(fc.constant({ unexpected: true }));
  if (!types.includes('array')) wrongType.push(fc.constant([1, 'two']));
  if (!types.includes('boolean') && !types.includes('string')) wrongType.push(fc.boolean());
  const variants: fc.Arbitrary<unknown>[] = [...wrongType];
  if (s.type === 'integer' || s.type === 'number') {
    if (s.maximum !== undefined) variants.push(fc.integer({ min: Math.floor(s.maximum) + 1, max: 1e9 }));
    if (s.exclusiveMaximum !== undefined) variants.push(fc.constant(s.exclusiveMaximum));
    if (s.minimum !== undefined) variants.push(fc.integer({ min: -1e9, max: Math.ceil(s.minimum) - 1 }));
    if (s.exclusiveMinimum !== undefined) variants.push(fc.constant(s.exclusiveMinimum));
    if (s.type === 'integer') variants.push(fc.constant(1.5));
  }
  if (s.type === 'string' && s.maxLength !== undefined) {
    variants.push(fc.constant('x'.repeat(s.maxLength + 1)));
  }
  if (s.type === 'string' && s.minLength !== undefined && s.minLength > 0) variants.push(fc.constant(''));
  if (s.enum) variants.push(fc.string({ maxLength: 12 }).filter((x) => !s.enum!.includes(x)));
  if (s.type === 'object' && s.required?.length) {
    const valid = schemaArbitrary(s, opts) as fc.Arbitrary<Record<string, unknown>>;
    variants.push(
      fc.tuple(valid, fc.constantFrom(...s.required)).map(([v, k]) => {
        const { [k]: _dropped, ...rest } = v;
        return rest;
      }),
    );
  }
  return fc.oneof(...variants);
}
