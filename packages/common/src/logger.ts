import pino, { type Logger } from 'pino';

export type { Logger } from 'pino';

/**
 * Structured JSON logger shared by all processes. `LOG_LEVEL` is read here rather than in each app's config so
 * that library code logging before config parsing (backend selection, model load) honours it too. Lines go to
 * stderr unless a `destination` is given (tests capture them that way): stdout belongs to what a program prints
 * for its reader (a CLI's JSON or table), which must parse whatever the log level.
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
  return pino(options, destination ?? pino.destination({ dest: 2, sync: true }));
}
