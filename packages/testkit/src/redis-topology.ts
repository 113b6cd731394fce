import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { freePort } from '@mserve/common';
import { waitUntil } from './harness';

/** A redis-server or redis-sentinel process of a test topology, restartable on its port. */
export interface RedisNode {
  port: number;
  /** Kills it (SIGKILL by default: a crash, nothing flushed) and waits for the exit. */
  kill(signal?: NodeJS.Signals): Promise<void>;
  /** Starts it again on the same port with the same arguments plus `extra`. */
  restart(extra?: string[]): Promise<void>;
  alive(): boolean;
}

function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1', () => {
      s.end();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

/** Runs redis-cli against `port` and returns its output (throws on a non-zero exit). */
export function redisCli(port: number, ...args: string[]): string {
  const r = spawnSync('redis-cli', ['-h', '127.0.0.1', '-p', String(port), ...args], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`redis-cli ${args.join(' ')}: ${r.stderr}`);
  return r.stdout.trim();
}

/** A field of `INFO <section>` of the node on `port`. */
export function infoField(port: number, section: string, field: string): string | undefined {
  const text = redisCli(port, 'INFO', section);
  return new RegExp(`^${field}:(.*)$`, 'm').exec(text)?.[1]?.trim();
}

/** Spawns a Redis process, failing the wait at once when the executable is missing. */
function spawnRedis(bin: string, args: string[]) {
  const child = spawn(bin, args, { stdio: ['ignore', 'ignore', 'ignore'] });
  let failed: Error | undefined;
  child.once('error', (e) => (failed = e));
  const exited = new Promise<void>((r) => {
    child.once('exit', () => r());
    child.once('error', () => r());
  });
  return { child, exited, failed: () => failed };
}

/** Starts `bin args` (a redis-server, or one in sentinel mode) and waits until its port accepts connections. */
async function startNode(bin: string, port: number, args: () => string[]): Promise<RedisNode> {
  let run = spawnRedis(bin, args());
  const up = async () => {
    const e = run.failed();
    if (e) throw new Error(`${bin}: ${e.message}`);
    return portOpen(port);
  };
  await waitUntil(up, 10_000, `${bin} on ${port}`);
  const node: RedisNode = {
    port,
    alive: () => run.child.exitCode === null && run.child.signalCode === null && !run.failed(),
    async kill(signal = 'SIGKILL') {
      if (!node.alive()) return;
      run.child.kill(signal);
      await run.exited;
    },
    async restart(extra = []) {
      await node.kill();
      run = spawnRedis(bin, [...args(), ...extra]);
      await waitUntil(up, 10_000, `${bin} on ${port}`);
    },
  };
  return node;
}

/** Options for a data node: persistence off unless asked. */
export interface DataNodeOptions {
  /** Extra redis-server arguments (`--appendonly yes`, `--replicaof ...`). */
  args?: string[];
}

/** A temporary directory removed by `cleanup`. */
function tempDir(tag: string): string {
  return mkdtempSync(path.join(os.tmpdir(), `mserve-${tag}-`));
}

/** Starts one redis-server on a free port, its files in a directory of its own. */
export async function startDataNode(opts: DataNodeOptions = {}): Promise<RedisNode & { dir: string }> {
  const port = await freePort();
  const dir = tempDir(`redis-${port}`);
  const args = () => [
    '--port',
    String(port),
    '--bind',
    '127.0.0.1',
    '--dir',
    dir,
    // Kept for a failing wait to quote (see `logTail`).
    '--logfile',
    path.join(dir, 'redis.log'),
    '--save',
    '',
    ...(opts.args ?? ['--appendonly', 'no']),
  ];
  return Object.assign(await startNode('redis-server', port, args), { dir });
}

/** The last lines of a data node's log (for the message of a wait that timed out). */
export function logTail(node: { dir?: string }, lines = 15): string {
  const file = node.dir ? path.join(node.dir, 'redis.log') : '';
  if (!file || !existsSync(file)) return '(no log)';
  return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
}

/** A primary, its replica and three sentinels watching them, all on free ports of this machine. */
export interface SentinelTopology {
  name: string;
  /** The data nodes; which one is the primary changes with failovers (see `primaryPort`). */
  nodes: RedisNode[];
  sentinels: RedisNode[];
  /** `host:port,...` of the sentinels, for `REDIS_SENTINELS`. */
  sentinelList: string;
  /** The port of the primary the sentinels name now. */
  primaryPort(): number;
  /** The data node the sentinels name as primary. */
  primary(): RedisNode;
  /**
   * Kills the primary (SIGKILL) and resolves once the sentinels name another one; returns the killed node, and
   * how long the sentinels took (down-after plus election).
   */
  killPrimary(): Promise<{ killed: RedisNode; failoverMs: number }>;
  /**
   * Restarts a killed node as a replica of the current primary and waits until its link is up. It comes back empty
   * (no persistence here), so the sentinels may not promote it before it has synchronized: a failover to it then
   * would replace every job with nothing. It starts with `replica-priority 0` (never chosen) and gets the default
   * priority once its link is up, as an operator restarting a replica without its data should do.
   */
  rejoin(node: RedisNode): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Starts a primary, a replica and three redis-sentinel processes with a quorum of two. `downAfterMs` is how long
 * the sentinels wait before they declare the primary down (production uses 5-30 s; tests want failovers fast).
 */
export async function startSentinelTopology(downAfterMs = 1000): Promise<SentinelTopology> {
  const name = 'mserve';
  const dirs: string[] = [];
  // Redis 7 waits 5 s (repl-diskless-sync-delay) before a full sync for more replicas to join: a rejoin here is
  // one replica, so start at once.
  const fast = ['--appendonly', 'no', '--repl-diskless-sync-delay', '0'];
  const primary = await startDataNode({ args: fast });
  const replica = await startDataNode({ args: [...fast, '--replicaof', '127.0.0.1', String(primary.port)] });
  dirs.push(primary.dir, replica.dir);
  const nodes: RedisNode[] = [primary, replica];
  await waitUntil(() => infoField(replica.port, 'replication', 'master_link_status') === 'up', 10_000, 'replica link');
  const sentinels: RedisNode[] = [];
  for (let i = 0; i < 3; i++) {
    const port = await freePort();
    const dir = tempDir(`sentinel-${port}`);
    dirs.push(dir);
    const conf = path.join(dir, 'sentinel.conf');
    // Sentinel rewrites its config file as it learns the topology: one file per sentinel, written once.
    writeFileSync(
      conf,
      [
        `port ${port}`,
        'bind 127.0.0.1',
        `dir ${dir}`,
        `sentinel monitor ${name} 127.0.0.1 ${primary.port} 2`,
        `sentinel down-after-milliseconds ${name} ${downAfterMs}`,
        `sentinel failover-timeout ${name} ${Math.max(3000, downAfterMs * 3)}`,
        `sentinel parallel-syncs ${name} 1`,
        `logfile ${path.join(dir, 'redis.log')}`,
        '',
      ].join('\n'),
    );
    // `redis-server <conf> --sentinel` is what Debian's redis-sentinel runs (the same binary), and needs no
    // second package.
    sentinels.push(Object.assign(await startNode('redis-server', port, () => [conf, '--sentinel']), { dir }));
  }
  const sentinelList = sentinels.map((s) => `127.0.0.1:${s.port}`).join(',');
  const askedPrimary = (): number | undefined => {
    for (const s of sentinels) {
      if (!s.alive()) continue;
      try {
        const out = redisCli(s.port, 'SENTINEL', 'get-master-addr-by-name', name).split('\n');
        const port = Number(out[1]);
        if (port > 0) return port;
      } catch {
        // ask the next sentinel
      }
    }
    return undefined;
  };
  const primaryPort = (): number => {
    const port = askedPrimary();
    if (port === undefined) throw new Error('no sentinel names a primary');
    return port;
  };
  const primaryNode = (): RedisNode => {
    const port = primaryPort();
    return nodes.find((n) => n.port === port) as RedisNode;
  };
  // Every sentinel must know the replica and the other sentinels before a failover can happen.
  await waitUntil(
    () =>
      sentinels.every((s) => {
        const info = redisCli(s.port, 'SENTINEL', 'master', name);
        const field = (f: string) => Number(new RegExp(`^${f}\\n(\\d+)$`, 'm').exec(info)?.[1] ?? -1);
        return field('num-slaves') >= 1 && field('num-other-sentinels') >= 2;
      }),
    20_000,
    'sentinels to discover each other',
  );
  return {
    name,
    nodes,
    sentinels,
    sentinelList,
    primaryPort,
    primary: primaryNode,
    async killPrimary() {
      const killed = primaryNode();
      const t0 = Date.now();
      await killed.kill('SIGKILL');
      await waitUntil(() => (askedPrimary() ?? killed.port) !== killed.port, 30_000, 'sentinels to fail over');
      return { killed, failoverMs: Date.now() - t0 };
    },
    async rejoin(node) {
      const primaryNow = primaryPort();
      await node.restart(['--replicaof', '127.0.0.1', String(primaryNow), '--replica-priority', '0']);
      await waitUntil(
        () => infoField(node.port, 'replication', 'master_link_status') === 'up',
        30_000,
        `rejoined replica link (to ${primaryNow})`,
      ).catch((e: Error) => {
        const primaryThen = askedPrimary();
        const replication = redisCli(node.port, 'INFO', 'replication').replace(/\r/g, '');
        const log = logTail(node as RedisNode & { dir?: string });
        const sentinelLogs = sentinels.map((s) => logTail(s as RedisNode & { dir?: string }, 25)).join('\n--\n');
        throw new Error(
          `${e.message}; sentinels now name ${primaryThen}\n${replication}\n${log}\nsentinels:\n${sentinelLogs}`,
        );
      });
      redisCli(node.port, 'CONFIG', 'SET', 'replica-priority', '100');
      await waitUntil(
        () => Number(infoField(primaryNow, 'replication', 'connected_slaves') ?? 0) >= 1,
        30_000,
        'primary to see its replica',
      );
    },
    async stop() {
      await Promise.all([...sentinels, ...nodes].map((n) => n.kill('SIGKILL')));
      for (const d of dirs) rmSync(d, { recursive: true, force: true });
    },
  };
}

/** A Redis Cluster of primaries only (no replicas), on free ports. */
export interface ClusterTopology {
  nodes: RedisNode[];
  /** `host:port,...`, for `REDIS_CLUSTER_NODES`. */
  nodeList: string;
  /** The port of the primary serving `key`'s slot. */
  portOfKey(key: string): number;
  stop(): Promise<void>;
}

/** Starts `primaries` redis-server processes in cluster mode and joins them (`redis-cli --cluster create`). */
export async function startClusterTopology(primaries = 3): Promise<ClusterTopology> {
  const nodes: Array<RedisNode & { dir: string }> = [];
  for (let i = 0; i < primaries; i++) {
    nodes.push(
      await startDataNode({
        args: ['--appendonly', 'no', '--cluster-enabled', 'yes', '--cluster-node-timeout', '2000'],
      }),
    );
  }
  const addrs = nodes.map((n) => `127.0.0.1:${n.port}`);
  const r = spawnSync('redis-cli', ['--cluster', 'create', ...addrs, '--cluster-replicas', '0', '--cluster-yes'], {
    encoding: 'utf8',
  });
  if (r.status !== 0) throw new Error(`redis-cli --cluster create failed: ${r.stdout}${r.stderr}`);
  const first = nodes[0] as RedisNode;
  await waitUntil(
    () => nodes.every((n) => /cluster_state:ok/.test(redisCli(n.port, 'CLUSTER', 'INFO'))),
    20_000,
    'cluster state ok',
  );
  const slotOwners = (): Array<{ from: number; to: number; port: number }> => {
    const out = redisCli(first.port, '--json', 'CLUSTER', 'SLOTS');
    const rows = JSON.parse(out) as Array<[number, number, [string, number, ...unknown[]]]>;
    return rows.map(([from, to, [, port]]) => ({ from, to, port }));
  };
  const owners = slotOwners();
  return {
    nodes,
    nodeList: addrs.join(','),
    portOfKey(key) {
      const slot = Number(redisCli(first.port, 'CLUSTER', 'KEYSLOT', key));
      const owner = owners.find((o) => slot >= o.from && slot <= o.to);
      if (!owner) throw new Error(`no owner for slot ${slot}`);
      return owner.port;
    },
    async stop() {
      await Promise.all(nodes.map((n) => n.kill('SIGKILL')));
      for (const n of nodes) rmSync(n.dir, { recursive: true, force: true });
    },
  };
}
