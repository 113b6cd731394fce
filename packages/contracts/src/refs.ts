/** A JSON Schema as plain JSON (TypeBox's symbol markers dropped). */
export type JsonSchema = { [key: string]: unknown };

/** JSON text of a value with object keys sorted, so equal schemas compare equal whatever their key order. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  );
}

/**
 * The named schemas as plain JSON, each nested occurrence of another named schema replaced by a `$ref` to
 * `refBase + name` (e.g. `#/components/schemas/`), outermost first. TypeBox builds a composite schema by copying
 * its parts in; this gives the parts their names back, so a document or generated code says `Uncertainty` where
 * the schema holds it instead of repeating it.
 */
export function schemasWithRefs(named: Record<string, unknown>, refBase: string): Record<string, JsonSchema> {
  const byText = new Map<string, string>();
  for (const [name, schema] of Object.entries(named)) byText.set(canonical(schema), name);

  const replace = (node: unknown, self: string, root: boolean): unknown => {
    if (Array.isArray(node)) return node.map((n) => replace(n, self, false));
    if (!node || typeof node !== 'object') return node;
    const name = root ? undefined : byText.get(canonical(node));
    if (name !== undefined && name !== self) return { $ref: `${refBase}${name}` };
    return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, replace(v, self, false)]));
  };

  const out: Record<string, JsonSchema> = {};
  for (const [name, schema] of Object.entries(named)) {
    out[name] = replace(JSON.parse(JSON.stringify(schema)), name, true) as JsonSchema;
  }
  return out;
}
