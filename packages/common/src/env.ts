import { AppError } from './errors';

/** One environment variable: how to parse it, its default, its unit and what it is for. */
export interface EnvVarSpec<T> {
  readonly doc: string;
  readonly unit?: string;
  /** Undefined default means the variable is required. */
  readonly default?: T;
  parse(raw: string): T | { error: string };
  show(value: T): string;
}

type Spec = Record<string, EnvVarSpec<unknown>>;
/** The typed config object described by a spec. */
export type EnvConfig<S extends Spec> = { readonly [K in keyof S]: S[K] extends EnvVarSpec<infer T> ? T : never };

interface NumOpts {
  doc: string;
  unit?: string;
  default?: number;
  min?: number;
  max?: number;
}

function numberVar(opts: NumOpts, integer: boolean): EnvVarSpec<number> {
  return {
    doc: opts.doc,
    ...(opts.unit !== undefined ? { unit: opts.unit } : {}),
    ...(opts.default !== undefined ? { default: opts.default } : {}),
    parse(raw) {
      const n = Number(raw.trim());
      if (raw.trim() === '' || !Number.isFinite(n)) return { error: `expected a number, got "${raw}"` };
      if (integer && !Number.isInteger(n)) return { error: `expected an integer, got "${raw}"` };
      if (opts.min !== undefined && n < opts.min) return { error: `must be >= ${opts.min}, got ${n}` };
      if (opts.max !== undefined && n > opts.max) return { error: `must be <= ${opts.max}, got ${n}` };
      return n;
    },
    show: String,
  };
}

/** Builders for typed environment variables. */
export const env = {
  int: (opts: NumOpts): EnvVarSpec<number> => numberVar(opts, true),
  float: (opts: NumOpts): EnvVarSpec<number> => numberVar(opts, false),
  str: (opts: { doc: string; default?: string; unit?: string; secret?: boolean }): EnvVarSpec<string> => ({
    doc: opts.doc,
    ...(opts.unit !== undefined ? { unit: opts.unit } : {}),
    ...(opts.default !== undefined ? { default: opts.default } : {}),
    parse: (raw) => raw,
    show: (v) => (opts.secret ? '***' : v),
  }),
  bool: (opts: { doc: string; default?: boolean }): EnvVarSpec<boolean> => ({
    doc: opts.doc,
    ...(opts.default !== undefined ? { default: opts.default } : {}),
    parse(raw) {
      const v = raw.trim().toLowerCase();
      if (['1', 'true', 'yes', 'on'].includes(v)) return true;
      if (['0', 'false', 'no', 'off'].includes(v)) return false;
      return { error: `expected true or false, got "${raw}"` };
    },
    show: String,
  }),
  oneOf: <T extends string>(values: readonly T[], opts: { doc: string; default?: T }): EnvVarSpec<T> => ({
    doc: `${opts.doc} (one of: ${values.join(', ')})`,
    ...(opts.default !== undefined ? { default: opts.default } : {}),
    parse: (raw) =>
      (values as readonly string[]).includes(raw)
        ? (raw as T)
        : { error: `expected one of ${values.join('|')}, got "${raw}"` },
    show: String,
  }),
  list: (opts: { doc: string; default?: string[]; secret?: boolean }): EnvVarSpec<string[]> => ({
    doc: opts.doc,
    ...(opts.default !== undefined ? { default: opts.default } : {}),
    parse: (raw) =>
      raw
        .split(',')
        .map((s) => s.trim())
        .filter((s) => s.length > 0),
    show: (v) => (opts.secret ? `${v.length} values` : v.join(',')),
  }),
};

function isError(v: unknown): v is { error: string } {
  return typeof v === 'object' && v !== null && 'error' in v && Object.keys(v).length === 1;
}

/**
 * Parses every variable of `spec` from `source` at once. Throws one `CONFIG_INVALID` error whose message lists
 * every missing or malformed variable, so an operator fixes them all in one go instead of one per restart.
 */
export function parseEnv<S extends Spec>(spec: S, source: NodeJS.ProcessEnv = process.env): EnvConfig<S> {
  const out: Record<string, unknown> = {};
  const problems: string[] = [];
  for (const [name, v] of Object.entries(spec)) {
    const raw = source[name];
    if (raw === undefined || raw === '') {
      if (v.default === undefined) problems.push(`${name}: required (${v.doc})`);
      else out[name] = v.default;
      continue;
    }
    const parsed = v.parse(raw);
    if (isError(parsed)) problems.push(`${name}: ${parsed.error}`);
    else out[name] = parsed;
  }
  if (problems.length > 0) {
    throw new AppError('CONFIG_INVALID', `invalid configuration: ${problems.join('; ')}`, { problems });
  }
  return out as EnvConfig<S>;
}

/** Markdown table documenting a spec (name, default, unit, meaning) for READMEs and `--help`. */
export function describeEnv(spec: Spec): string {
  const rows = Object.entries(spec).map(([name, v]) => {
    const def = v.default === undefined ? '(required)' : `\`${v.show(v.default) || '""'}\``;
    return `| \`${name}\` | ${def} | ${v.unit ?? ''} | ${v.doc} |`;
  });
  return ['| variable | default | unit | meaning |', '| --- | --- | --- | --- |', ...rows].join('\n');
}
