import net from 'node:net';

/** Redis' own counters at one moment: calls per command (INFO commandstats) and bytes in and out (INFO stats). */
export interface RedisCounters {
  calls: Record<string, number>;
  netInputBytes: number;
  netOutputBytes: number;
}

/** What the queue hop cost Redis per prediction over one measured step. */
export interface RedisCost {
  /** Predictions answered during the step. */
  predictions: number;
  /** Commands Redis ran per prediction, those run inside Lua scripts included. */
  commands: number;
  /** Scripts (EVALSHA/EVAL/FCALL) per prediction: each is one round trip that runs many commands. */
  scripts: number;
  /** Bytes Redis received and sent per prediction. */
  bytesIn: number;
  bytesOut: number;
  /** Calls per prediction of each command, largest first (at most 12). */
  byCommand: Array<{ command: string; perPrediction: number }>;
}

const SCRIPT_COMMANDS = new Set(['evalsha', 'eval', 'evalsha_ro', 'eval_ro', 'fcall', 'fcall_ro']);

/** Parses INFO output (`key:value` lines) into the counters. */
export function parseRedisInfo(text: string): RedisCounters {
  const calls: Record<string, number> = {};
  let netInputBytes = 0;
  let netOutputBytes = 0;
  for (const line of text.split(/\r?\n/)) {
    const stat = /^cmdstat_([^:]+):calls=(\d+)/.exec(line);
    if (stat) calls[stat[1] as string] = Number(stat[2]);
    const net = /^total_net_(input|output)_bytes:(\d+)/.exec(line);
    if (net?.[1] === 'input') netInputBytes = Number(net[2]);
    if (net?.[1] === 'output') netOutputBytes = Number(net[2]);
  }
  return { calls, netInputBytes, netOutputBytes };
}

/** The difference of two readings divided by the predictions answered between them. */
export function redisCost(before: RedisCounters, after: RedisCounters, predictions: number): RedisCost {
  const n = Math.max(1, predictions);
  const delta: Array<{ command: string; calls: number }> = [];
  for (const [command, calls] of Object.entries(after.calls)) {
    const d = calls - (before.calls[command] ?? 0);
    // The readings' own INFO calls are the bench's, not the service's.
    if (d > 0 && command !== 'info') delta.push({ command, calls: d });
  }
  delta.sort((a, b) => b.calls - a.calls);
  const sum = (rows: typeof delta) => rows.reduce((a, r) => a + r.calls, 0) / n;
  return {
    predictions,
    commands: sum(delta),
    scripts: sum(delta.filter((r) => SCRIPT_COMMANDS.has(r.command))),
    bytesIn: (after.netInputBytes - before.netInputBytes) / n,
    bytesOut: (after.netOutputBytes - before.netOutputBytes) / n,
    byCommand: delta.slice(0, 12).map((r) => ({ command: r.command, perPrediction: r.calls / n })),
  };
}

/** Reads the counters of the Redis at `port` with one plain RESP request (no client library needed). */
export function readRedisCounters(port: number, host = '127.0.0.1'): Promise<RedisCounters> {
  return new Promise((resolve, reject) => {
    const sock = net.connect(port, host);
    const chunks: Buffer[] = [];
    let wanted = -1;
    sock.setTimeout(5000, () => sock.destroy(new Error('INFO timed out')));
    sock.on('error', reject);
    sock.on('data', (c) => {
      chunks.push(c);
      const buf = Buffer.concat(chunks);
      if (wanted < 0) {
        const eol = buf.indexOf('\r\n');
        if (eol < 0) return;
        if (buf[0] !== 0x24) return sock.destroy(new Error(`unexpected INFO reply ${buf.toString('utf8', 0, eol)}`));
        wanted = eol + 2 + Number(buf.toString('utf8', 1, eol));
      }
      if (buf.length >= wanted) {
        sock.end();
        resolve(parseRedisInfo(buf.toString('utf8')));
      }
    });
    // One INFO per section: `INFO everything` would also work but costs Redis more.
    sock.write('*3\r\n$4\r\nINFO\r\n$12\r\ncommandstats\r\n$5\r\nstats\r\n');
  });
}
