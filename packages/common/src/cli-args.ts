/**
 * The arguments of a command-line program, without node and the script, and without a leading `--`.
 *
 * `pnpm bench -- --out x` hands the program `['--', '--out', 'x']` (pnpm passes the separator through), and
 * node's `parseArgs` reads everything after `--` as positionals, so `--out` would be refused as unexpected. Only
 * a leading `--` is dropped: one later on still ends the options as usual.
 */
export function cliArgs(argv: readonly string[] = process.argv.slice(2)): string[] {
  return argv[0] === '--' ? argv.slice(1) : [...argv];
}
