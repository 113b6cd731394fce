import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { BenchReport } from './report';

interface ServingLoad {
  command: string;
  redisBytesPerFinishedJob: number;
  jobs: number;
}
interface PredictGroups {
  command: string;
  requests: number;
  batchJobs: number;
  meanGroup: number;
  redisBytesPerPrediction: number;
}
interface Containers {
  command: string;
  statsAfterLoad: { name: string; memUsage: string }[];
}

function read<T>(dir: string, file: string): T | undefined {
  const p = path.join(dir, file);
  return existsSync(p) ? (JSON.parse(readFileSync(p, 'utf8')) as T) : undefined;
}

const f1 = (x: number): string => (Number.isFinite(x) ? x.toFixed(1) : 'n/a');

/**
 * docs/design.md, costs per job and the sizing of Redis and the notifier, from the serving tests'
 * reports/serving-*.json, reports/bench.json and reports/containers.json.
 */
export function sizingSection(reportsDir: string): string {
  const load = read<ServingLoad>(reportsDir, 'serving-load.json');
  const groups = read<PredictGroups>(reportsDir, 'serving-predict-groups.json');
  const b = read<BenchReport>(reportsDir, 'bench.json');
  const ct = read<Containers>(reportsDir, 'containers.json');
  const lines = ['| measure | value | source |', '| --- | --- | --- |'];
  if (load) {
    lines.push(
      `| Redis per finished async job (input tensor, result, indexes) | ${load.redisBytesPerFinishedJob.toLocaleString('en-US')} bytes | \`${load.command}\` (reports/serving-load.json) |`,
    );
  }
  if (groups) {
    lines.push(
      `| synchronous predictions per batch job, ${groups.requests} concurrent requests | ${f1(groups.meanGroup)} (${groups.batchJobs} batch jobs) | \`${groups.command}\` (reports/serving-predict-groups.json) |`,
      `| Redis per synchronous prediction | ${groups.redisBytesPerPrediction.toLocaleString('en-US')} bytes | \`${groups.command}\` (reports/serving-predict-groups.json) |`,
    );
  }
  const redisAtMax = b?.processesAtMax?.find((p) => p.name === 'redis');
  if (b && redisAtMax) {
    lines.push(
      `| Redis during the best closed-loop step (${f1(b.sync.best.rps)} req/s): CPU mean, RSS peak | ${f1(redisAtMax.cpuPercentMean)}% of a core, ${f1(redisAtMax.rssMbMax)} MiB | \`${b.command}\` (reports/bench.json) |`,
    );
  }
  if (ct) {
    const mem = (service: string): string =>
      ct.statsAfterLoad
        .filter((s) => s.name.includes(`_${service}_`))
        .map((s) => s.memUsage.split(' / ')[0])
        .join(', ') || 'n/a';
    lines.push(
      `| memory after the container test's load: notifier / Redis / gateway / worker | ${['notifier', 'redis', 'gateway', 'worker'].map(mem).join(' / ')} | \`${ct.command}\` (reports/containers.json) |`,
    );
  }
  return lines.length > 2 ? lines.join('\n') : 'report missing: run the serving tests with REPORTS=1';
}
