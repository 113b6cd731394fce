import { Kind, Type, TypeRegistry, type SchemaOptions, type TUnsafe } from '@sinclair/typebox';

const KIND = 'StringEnum';

// TypeBox checks (Value.Check, TypeCompiler) dispatch on the kind; registered once for every schema below.
if (!TypeRegistry.Has(KIND)) {
  TypeRegistry.Set<{ enum: string[] }>(
    KIND,
    (schema, value) => typeof value === 'string' && schema.enum.includes(value),
  );
}

/**
 * A string out of a fixed list as a plain JSON Schema `enum`. TypeBox's own way, a union of literals, would read as
 * an `anyOf` of one-value schemas in the OpenAPI document and in every generated type; the static type is the same.
 */
export function StringEnum<const T extends readonly string[]>(
  values: T,
  options: SchemaOptions = {},
): TUnsafe<T[number]> {
  return Type.Unsafe<T[number]>({ ...options, [Kind]: KIND, type: 'string', enum: [...values] });
}
