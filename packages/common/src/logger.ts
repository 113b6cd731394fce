import pino, { type Logger } from 'pino';

export type { Logger } from 'pino';

/**
 * Structured JSON logger shared by all processes. `LOG_LEVEL` is read here rather than in each app's config so
 * that library code logging before config parsing (backend selection, model load) honours it too. Lines go to
 * stdout unless a `destination` is given (tests capture them that way).
 */
export function createLogger(
  name: string,
  level: string = process.env['LOG_LEVEL'] ?? 'info',
  destination?: pino.DestinationStream,
): Logger {
  const options: pino.LoggerOptions = {
    name,
    level,
    base: { service: name, pid: process.pid },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
  };
  return destination ? pino(options, destination) : pino(options);
}
