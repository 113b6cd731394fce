import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { cpuPerRequest, type BenchReport } from './report';

interface Scores {
  misclassificationAuroc: number;
  fashionAuroc: number;
  correctVsWrongOrFashionAuroc: number;
  ece15: number | null;
  aurc: number;
}
interface EvalReport {
  command: string;
  reference: { model: string; samples: number; accuracy: number; maxMeanProbability: Scores };
  ours: Record<string, { accuracy: number; reliability: Scores; maxSoftmax: Scores; ood: { fashionAuroc: number } }>;
  speed: { model: string; batch: number; samples: number; predictMs: number; fastMcMs: number; fastMcRatio: number }[];
  targets: { name: string; value: number; target: string; met: boolean }[];
}

function read<T>(file: string): T | undefined {
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as T) : undefined;
}

const f4 = (x: number | null): string => (x === null || !Number.isFinite(x) ? 'n/a' : x.toFixed(4));
const f1 = (x: number): string => (Number.isFinite(x) ? x.toFixed(1) : 'n/a');

function scoreRow(name: string, acc: number, s: Scores): string {
  return `| ${name} | ${(acc * 100).toFixed(2)}% | ${f4(s.misclassificationAuroc)} | ${f4(s.fashionAuroc)} | ${f4(s.correctVsWrongOrFashionAuroc)} | ${f4(s.ece15)} |`;
}

/** The uncertainty comparison table of docs/design.md, from reports/eval.json. */
export function uncertaintySection(reportsDir: string): string {
  const ev = read<EvalReport>(path.join(reportsDir, 'eval.json'));
  if (!ev) return 'report missing: run `pnpm eval`';
  const lines = [
    `From \`${ev.command}\` (reports/eval.json): evaluation split = MNIST test odd indices, OOD = Fashion-MNIST test.`,
    '',
    '| approach | accuracy | misclassification AUROC | Fashion-MNIST AUROC | correct vs (wrong + Fashion) AUROC | ECE (15 bins) |',
    '| --- | --- | --- | --- | --- | --- |',
  ];
  const model = ev.ours['mnist_model'];
  if (model) lines.push(scoreRow('raw max softmax, mnist_model', model.accuracy, model.maxSoftmax));
  lines.push(
    scoreRow(
      `MC dropout T=${ev.reference.samples} (max mean probability), ${ev.reference.model}`,
      ev.reference.accuracy,
      ev.reference.maxMeanProbability,
    ),
  );
  for (const [name, o] of Object.entries(ev.ours))
    lines.push(scoreRow(`ours (reliability), ${name}`, o.accuracy, o.reliability));
  lines.push('');
  for (const s of ev.speed) {
    lines.push(
      `- ${s.model}, batch ${s.batch}: one deterministic pass ${s.predictMs.toFixed(2)} ms, fast MC path at T=${s.samples} ${s.fastMcMs.toFixed(2)} ms (pass + MC = ${s.fastMcRatio.toFixed(1)}x the pass).`,
    );
  }
  const missed = ev.targets.filter((t) => !t.met);
  lines.push(
    missed.length === 0
      ? `- Every target of \`${ev.command}\` met.`
      : `- Targets missed: ${missed.map((t) => `${t.name} = ${t.value.toFixed(4)} (target ${t.target})`).join('; ')}; the ${ev.targets.length - missed.length} others met.`,
  );
  return lines.join('\n');
}

/** The measured serving numbers of docs/design.md, from reports/bench.json. */
export function servingSection(reportsDir: string): string {
  const b = read<BenchReport>(path.join(reportsDir, 'bench.json'));
  if (!b) return 'report missing: run `pnpm bench`';
  const c1 = b.sync.all.find((r) => r.connections === 1);
  const e1 = b.echo.all.find((r) => r.connections === 1);
  const lines = [
    `From \`${b.command}\` (reports/bench.json, ${b.generatedAt}), load generator on the same ${b.machine.cpus}-core machine.`,
    '',
    '| measure | value |',
    '| --- | --- |',
    `| bare Express echo of the same upload, best | ${f1(b.echo.best.rps)} req/s |`,
    `| POST /v1/predict closed loop, best (${b.sync.best.connections} connections, 1 worker) | ${f1(b.sync.best.rps)} req/s = ${f1((b.sync.best.rps / b.echo.best.rps) * 100)}% of echo |`,
    `| 100 req/s open loop: p50 / p90 / p99 / max | ${f1(b.open.latency.p50)} / ${f1(b.open.latency.p90)} / ${f1(b.open.latency.p99)} / ${f1(b.open.latency.max)} ms, ${b.open.errors} errors of ${b.open.sent} |`,
    `| mean batch size at 100 req/s | ${b.open.meanBatchSize.toFixed(2)} |`,
    `| async submit + long-poll (${b.async.clients} clients) | ${f1(b.async.rps)} req/s, p50 ${f1(b.async.latency.p50)} ms, p99 ${f1(b.async.latency.p99)} ms |`,
  ];
  const eo = b.echo.open?.latency;
  if (eo) {
    // The same arrivals against the bare echo: the tail this machine and client add with no service behind them.
    lines.push(
      `| the bare echo under the same 100 req/s open loop: p50 / p90 / p99 / max | ${f1(eo.p50)} / ${f1(eo.p90)} / ${f1(eo.p99)} / ${f1(eo.max)} ms |`,
    );
  }
  if (c1 && e1) {
    lines.push(
      `| one request at a time: predict p50 vs echo p50 (cost of validation, preprocessing, queue round trips and inference; autocannon's latency has 1 ms resolution) | ${f1(c1.latency.p50)} ms vs ${f1(e1.latency.p50)} ms |`,
    );
  }
  if (b.mixed) {
    const m = b.mixed;
    lines.push(
      `| mixed workload (${m.description}), ${m.service.connections} connections: service vs echo of the same mix | ${f1(m.service.rps)} vs ${f1(m.echo.rps)} req/s = ${f1((m.service.rps / m.echo.rps) * 100)}%, p99 ${f1(m.service.latency.p99)} ms |`,
    );
  }
  for (const x of b.redis?.sync ?? []) {
    lines.push(
      `| Redis per prediction, POST /v1/predict at ${x.connections} connections: commands / scripts / bytes in+out | ${f1(x.cost.commands)} / ${x.cost.scripts.toFixed(2)} / ${Math.round(x.cost.bytesIn + x.cost.bytesOut)} |`,
    );
  }
  for (const [name, c] of [
    ['async submit + long-poll', b.redis?.async],
    ['async with a webhook', b.redis?.webhook],
  ] as const) {
    if (c)
      lines.push(
        `| Redis per prediction, ${name}: commands / scripts / bytes in+out | ${f1(c.commands)} / ${c.scripts.toFixed(2)} / ${Math.round(c.bytesIn + c.bytesOut)} |`,
      );
  }
  for (const s of b.samples)
    lines.push(`| MC samples T=${s.samples} | ${f1(s.result.rps)} req/s, p99 ${f1(s.result.latency.p99)} ms |`);
  if (b.workers.two)
    lines.push(
      `| 1 vs 2 worker processes (same connections) | ${f1(b.workers.one.rps)} vs ${f1(b.workers.two.rps)} req/s |`,
    );
  lines.push(
    '',
    `| process at 100 req/s | CPU, % of one core (mean / max) | RSS MiB (mean / max) | CPU ms per request: at 100 req/s / at the best closed loop (${f1(b.sync.best.rps)} req/s) |`,
    '| --- | --- | --- | --- |',
  );
  for (const p of b.processes) {
    const cost = cpuPerRequest(b, p);
    lines.push(
      `| ${p.name} | ${f1(p.cpuPercentMean)} / ${f1(p.cpuPercentMax)} | ${f1(p.rssMbMean)} / ${f1(p.rssMbMax)} | ${cost.light} / ${cost.busy} |`,
    );
  }
  return lines.join('\n');
}
