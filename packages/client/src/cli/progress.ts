/** Where the progress bar goes: stderr, so stdout stays clean for tables and JSON. */
export interface ProgressSink {
  write(text: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

/**
 * A progress bar over `total` items. On a terminal it redraws one line; elsewhere (CI logs, pipes) it prints a
 * line at every tenth so logs are not flooded with carriage returns.
 */
export function createProgress(total: number, sink: ProgressSink, started = Date.now()) {
  let lastDecile = -1;
  return {
    update(done: number, failed: number): void {
      const frac = total === 0 ? 1 : done / total;
      const secs = (Date.now() - started) / 1000;
      const rate = secs > 0 ? done / secs : 0;
      const tail = ` ${done}/${total}${failed ? ` (${failed} failed)` : ''} ${rate.toFixed(1)}/s`;
      if (sink.isTTY) {
        const width = Math.max(10, Math.min(40, (sink.columns ?? 80) - tail.length - 4));
        const filled = Math.round(frac * width);
        sink.write(`\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}]${tail}`);
        if (done === total) sink.write('\n');
      } else {
        const decile = Math.floor(frac * 10);
        if (decile !== lastDecile) {
          lastDecile = decile;
          sink.write(`progress:${tail}\n`);
        }
      }
    },
  };
}
