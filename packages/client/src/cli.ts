import { MnistApiError } from './errors';
import { parseArgs } from './cli/args';
import { cancelCommand, predictCommand, submitCommand, USAGE, waitCommand, type CliIO } from './cli/commands';
import { listenCommand } from './cli/listen';

/** Runs one CLI invocation; resolves with the exit status. */
export async function runCli(argv: readonly string[], io: CliIO): Promise<number> {
  const args = parseArgs(argv);
  if (args.flags['help'] !== undefined || args.command === undefined || args.command === 'help') {
    io.out.write(USAGE);
    return args.command === undefined && args.flags['help'] === undefined ? 1 : 0;
  }
  try {
    switch (args.command) {
      case 'predict':
        return await predictCommand(args, io);
      case 'submit':
        return await submitCommand(args, io);
      case 'wait':
        return await waitCommand(args, io);
      case 'cancel':
        return await cancelCommand(args, io);
      case 'listen':
        return await listenCommand(args, io);
      default:
        io.err.write(`unknown command "${args.command}"\n\n${USAGE}`);
        return 1;
    }
  } catch (err) {
    const msg = err instanceof MnistApiError ? `${err.code}: ${err.message}` : (err as Error).message;
    io.err.write(`error: ${msg}\n`);
    return 1;
  }
}

if (require.main === module) {
  // `pnpm cli predict dir | head` closes stdout early: that is the reader's choice, not a crash.
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw err;
  });
  const argv = process.argv.slice(2);
  // Ctrl-C ends `listen` cleanly (exit 0; a second one exits at once); other commands keep the default.
  const stop = new AbortController();
  if (parseArgs(argv).command === 'listen') {
    process.on('SIGINT', () => (stop.signal.aborted ? process.exit(130) : stop.abort()));
    process.on('SIGTERM', () => stop.abort());
  }
  runCli(argv, { out: process.stdout, err: process.stderr, env: process.env, signal: stop.signal }).then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      process.stderr.write(`error: ${String(err)}\n`);
      process.exitCode = 1;
    },
  );
}
