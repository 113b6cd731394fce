import type { Logger } from './logger';

/** What {@link installShutdown} logs at each step (each process words it for its own operators). */
export interface ShutdownMessages {
  /** On the first SIGTERM/SIGINT (default `shutting down`). */
  stopping?: string;
  /** When `timeoutMs` passed before the close finished (default `shutdown timed out; exiting`). */
  timedOut?: string;
  /** After a clean close (default `stopped`). */
  stopped?: string;
}

/** Options of {@link installShutdown}. */
export interface ShutdownOptions {
  /**
   * Longest wait for `close` and `onClosed`, in ms, after which the process exits with status 1 anyway; keep it
   * below the orchestrator's grace period so the exit is ours and not a SIGKILL.
   */
  timeoutMs: number;
  /** Runs after `close` resolved (release what outlives the server: queue connections, the model). */
  onClosed?: () => Promise<void> | void;
  messages?: ShutdownMessages;
  /** Ends the process; `process.exit` unless a test replaces it. */
  exit?: (code: number) => void;
  /** Where the signals come from; `process` unless a test replaces it. */
  signals?: { on(event: 'SIGTERM' | 'SIGINT', listener: () => void): unknown };
}

/**
 * Graceful stop on SIGTERM/SIGINT: calls `target.close()` once (a repeated signal, e.g. from a supervisor, does
 * not interrupt it), then `onClosed`, and exits 0; exits 1 when either fails or when `timeoutMs` passes first.
 */
export function installShutdown(target: { close(): Promise<void> }, logger: Logger, opts: ShutdownOptions): void {
  const exit = opts.exit ?? ((code: number) => process.exit(code));
  const messages = opts.messages ?? {};
  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, messages.stopping ?? 'shutting down');
    const force = setTimeout(() => {
      logger.error({ timeoutMs: opts.timeoutMs }, messages.timedOut ?? 'shutdown timed out; exiting');
      exit(1);
    }, opts.timeoutMs);
    force.unref();
    target
      .close()
      .then(() => opts.onClosed?.())
      .then(
        () => {
          clearTimeout(force);
          logger.info(messages.stopped ?? 'stopped');
          exit(0);
        },
        (err: unknown) => {
          clearTimeout(force);
          logger.error({ err }, 'shutdown failed');
          exit(1);
        },
      );
  };
  const signals = opts.signals ?? process;
  signals.on('SIGTERM', () => stop('SIGTERM'));
  signals.on('SIGINT', () => stop('SIGINT'));
}
