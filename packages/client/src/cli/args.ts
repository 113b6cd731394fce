/** Parsed command line: a command, its positional arguments and `--flag value` / `--switch` options. */
export interface ParsedArgs {
  command: string | undefined;
  positionals: string[];
  flags: Record<string, string | true>;
}

const SWITCHES = new Set(['json', 'help', 'no-progress', 'wait']);

/**
 * Parses `cmd a b --url http://x --json --concurrency=8`. Unknown flags are kept (the command validates them), a
 * flag that needs a value and has none is reported by the caller through {@link flagValue}. A leading `--` (what
 * `pnpm cli -- predict x --json` passes) is dropped; a later one makes everything after it positional.
 */
export function parseArgs(argv: readonly string[]): ParsedArgs {
  const positionals: string[] = [];
  const flags: Record<string, string | true> = {};
  for (let i = argv[0] === '--' ? 1 : 0; i < argv.length; i++) {
    const a = argv[i] ?? '';
    if (a === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (a.startsWith('--')) {
      const eq = a.indexOf('=');
      const name = eq >= 0 ? a.slice(2, eq) : a.slice(2);
      if (eq >= 0) flags[name] = a.slice(eq + 1);
      else if (SWITCHES.has(name) || i + 1 >= argv.length || (argv[i + 1] ?? '').startsWith('--')) flags[name] = true;
      else flags[name] = argv[++i] ?? '';
    } else if (a === '-h') {
      flags['help'] = true;
    } else {
      positionals.push(a);
    }
  }
  const [command, ...rest] = positionals;
  return { command, positionals: rest, flags };
}

/** A string flag's value, `undefined` when absent; throws when given as a bare switch. */
export function flagValue(args: ParsedArgs, name: string): string | undefined {
  const v = args.flags[name];
  if (v === true) throw new Error(`--${name} needs a value`);
  return v;
}

/** A numeric flag's value within bounds, or `fallback` when absent. */
export function numberFlag(args: ParsedArgs, name: string, fallback: number, min: number, max: number): number {
  const raw = flagValue(args, name);
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < min || n > max) throw new Error(`--${name} must be a number in [${min}, ${max}]`);
  return n;
}
