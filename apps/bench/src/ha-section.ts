import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

function read<T>(dir: string, file: string): T | undefined {
  const p = path.join(dir, file);
  return existsSync(p) ? (JSON.parse(readFileSync(p, 'utf8')) as T) : undefined;
}

interface Sentinel {
  command: string;
  machine: string;
  failover?: {
    requestsPerSAsked: number;
    requestsPerSOffered: number;
    submitPerS: number;
    closedLoopPredictPerS: number;
    answeredOkBeforeKillPerS: number;
    sentinelFailoverMs: number;
    recoveredAfterMs: number | null;
    byStatus: Record<string, number>;
    serverErrors500: number;
    hung: number;
    maxLatencyMs: number;
    acknowledgedSubmissions: number;
    acknowledgedLost: number;
  };
  durableAcksOn?: { repetitions: number; acknowledged: number; lost: number };
  durableAcksOff?: { repetitions: number; acknowledged: number; lost: number };
}
interface Persistence {
  command: string;
  rows: Array<{ mode: string; acknowledged: number; lost: number; submitP50Ms: number | null }>;
}
interface ClusterRun {
  command: string;
  primaries: number;
  jobs: number;
  jobsPerShard: number[];
  jobsPerPrimary: number[];
}

/** docs/design.md, "Past one Redis": failover, durability and cluster results from reports/ha-*.json. */
export function haSection(reportsDir: string): string {
  const s = read<Sentinel>(reportsDir, 'ha-sentinel.json');
  const p = read<Persistence>(reportsDir, 'ha-persistence.json');
  const c = read<ClusterRun>(reportsDir, 'ha-cluster.json');
  const lines: string[] = [];
  if (s?.failover) {
    const f = s.failover;
    lines.push(
      `From \`${s.command}\` (reports/ha-sentinel.json; ${s.machine}).`,
      '',
      '| primary killed (SIGKILL) under load | value |',
      '| --- | --- |',
      `| requests/s asked / offered (open loop) | ${f.requestsPerSAsked} / ${f.requestsPerSOffered} |`,
      `| of which submissions/s (checked for loss); the rest synchronous predictions | ${f.submitPerS} |`,
      `| synchronous predictions/s this machine answers in a closed loop (16 in flight), measured just before | ${f.closedLoopPredictPerS} |`,
      `| answered 2xx per second before the kill | ${f.answeredOkBeforeKillPerS} |`,
      `| sentinels name a new primary after | ${f.sentinelFailoverMs} ms |`,
      `| service answers again after | ${f.recoveredAfterMs ?? 'never'} ms |`,
      `| answers by status | ${Object.entries(f.byStatus)
        .map(([k, v]) => `${k}: ${v}`)
        .join(', ')} |`,
      `| 500s / hung requests / slowest request | ${f.serverErrors500} / ${f.hung} / ${f.maxLatencyMs} ms |`,
      `| acknowledged submissions lost | ${f.acknowledgedLost} of ${f.acknowledgedSubmissions} |`,
    );
  }
  if (s?.durableAcksOn && s.durableAcksOff) {
    lines.push(
      '',
      '| `REDIS_DURABLE_ACKS` | failovers | acknowledged jobs | lost |',
      '| --- | --- | --- | --- |',
      `| on | ${s.durableAcksOn.repetitions} | ${s.durableAcksOn.acknowledged} | ${s.durableAcksOn.lost} |`,
      `| off | ${s.durableAcksOff.repetitions} | ${s.durableAcksOff.acknowledged} | ${s.durableAcksOff.lost} |`,
    );
  }
  if (p) {
    lines.push(
      '',
      `Redis killed and restarted from its own files, \`${p.command}\` (reports/ha-persistence.json):`,
      '',
      '| persistence | acknowledged jobs | lost | submit p50 |',
      '| --- | --- | --- | --- |',
      ...p.rows.map((r) => `| ${r.mode} | ${r.acknowledged} | ${r.lost} | ${r.submitP50Ms ?? 'n/a'} ms |`),
    );
  }
  if (c) {
    lines.push(
      '',
      `\`${c.command}\` (reports/ha-cluster.json): ${c.jobs} jobs over ${c.jobsPerShard.length} shards on a ${c.primaries}-primary cluster, per shard ${c.jobsPerShard.join(' / ')}, on ${c.jobsPerPrimary.length} primaries.`,
    );
  }
  return lines.length ? lines.join('\n') : 'report missing: run `REPORTS=1 pnpm test:ha`';
}
