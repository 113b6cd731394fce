import { spawnSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { ROOT, find, ofKind, podTemplate, render, selects, type LabelSelector } from './render';

const PROM_DIR = path.join(ROOT, 'infra/prometheus');
const hasPromtool = spawnSync('promtool', ['--version']).status === 0;
// CI installs promtool (.ci/run); elsewhere these two checks are skipped rather than failed.
const withPromtool = hasPromtool || process.env['CI'] ? it : it.skip;

/** Every metric name the apps export: `name: '...'` in apps/<app>/src/metrics.ts, plus histogram series. */
function exportedMetrics(): Set<string> {
  const names = new Set<string>(['up']);
  for (const app of readdirSync(path.join(ROOT, 'apps'))) {
    let src: string;
    try {
      src = readFileSync(path.join(ROOT, 'apps', app, 'src/metrics.ts'), 'utf8');
    } catch {
      continue;
    }
    const histograms = new Set([...src.matchAll(/new Histogram\(\{\s*name: '([a-z_:]+)'/g)].map((m) => m[1] as string));
    for (const m of src.matchAll(/name: '([a-z_:]+)'/g)) {
      const name = m[1] as string;
      names.add(name);
      if (histograms.has(name)) for (const s of ['_bucket', '_sum', '_count']) names.add(name + s);
    }
    // Gauges made by a helper: gauge('drift_score', ...).
    for (const m of src.matchAll(/gauge\(\s*'([a-z_:]+)'/g)) names.add(m[1] as string);
  }
  return names;
}

interface RuleFile {
  groups: { name: string; rules: { record?: string; alert?: string; expr: string }[] }[];
}
const rules = parse(readFileSync(path.join(PROM_DIR, 'rules.yml'), 'utf8')) as RuleFile;
const recorded = new Set(rules.groups.flatMap((g) => g.rules.flatMap((r) => (r.record ? [r.record] : []))));

const PROMQL_WORDS = new Set(['and', 'or', 'unless', 'by', 'without', 'on', 'ignoring', 'bool', 'offset', 'inf']);

/** Metric names an expression reads: identifiers that are not functions, keywords, labels or durations. */
function metricsOf(expr: string): string[] {
  const bare = expr
    .replace(/"[^"]*"/g, '""')
    .replace(/\{[^}]*\}/g, '')
    .replace(/\[[^\]]*\]/g, '')
    .replace(/\b(by|without|on|ignoring)\s*\([^)]*\)/g, '');
  return [...bare.matchAll(/([a-zA-Z_:][a-zA-Z0-9_:]*)\s*(\()?/g)]
    .filter((m) => !m[2] && !PROMQL_WORDS.has((m[1] as string).toLowerCase()))
    .map((m) => m[1] as string)
    .filter((name) => !/^[0-9.e+-]+$/.test(name));
}

describe('Prometheus rules (infra/prometheus)', () => {
  withPromtool('pass promtool check rules', () => {
    const r = spawnSync('promtool', ['check', 'rules', 'rules.yml'], { cwd: PROM_DIR, encoding: 'utf8' });
    expect(`${r.stdout}${r.stderr}`).toContain('SUCCESS');
    expect(r.status).toBe(0);
  });

  withPromtool('pass their promtool unit tests, which cover every alert', () => {
    const r = spawnSync('promtool', ['test', 'rules', 'rules.test.yml'], { cwd: PROM_DIR, encoding: 'utf8' });
    expect(`${r.stdout}${r.stderr}`).toContain('SUCCESS');
    expect(r.status).toBe(0);
    const tests = readFileSync(path.join(PROM_DIR, 'rules.test.yml'), 'utf8');
    const alerts = rules.groups.flatMap((g) => g.rules.flatMap((x) => (x.alert ? [x.alert] : [])));
    expect(alerts.length).toBeGreaterThanOrEqual(7);
    expect(alerts.filter((a) => !new RegExp(`alertname: ${a}\\b`).test(tests))).toEqual([]);
  });

  it('read only metrics the apps export or rules record', () => {
    const known = exportedMetrics();
    expect(known.has('worker_job_queued_seconds_bucket')).toBe(true);
    expect(known.has('drift_score')).toBe(true);
    const unknown = rules.groups.flatMap((g) =>
      g.rules.flatMap((r) => metricsOf(r.expr).filter((m) => !known.has(m) && !recorded.has(m))),
    );
    expect(unknown).toEqual([]);
    // The check can fail: a misspelt metric is caught.
    expect(metricsOf('sum(rate(worker_jobz_total[5m]))').filter((m) => !known.has(m))).toEqual(['worker_jobz_total']);
  });
});

interface Panel {
  type: string;
  title: string;
  targets?: { expr: string }[];
}

describe('Grafana dashboard (infra/grafana/mserve.json)', () => {
  const dash = JSON.parse(readFileSync(path.join(ROOT, 'infra/grafana/mserve.json'), 'utf8')) as {
    uid: string;
    panels: Panel[];
  };

  it('parses, and every panel queries only metrics the apps export or the rules record', () => {
    expect(dash.uid).toBeTruthy();
    const graphs = dash.panels.filter((p) => p.type !== 'row');
    expect(graphs.length).toBeGreaterThan(8);
    const known = exportedMetrics();
    const bad = graphs.flatMap((p) => {
      if (!p.targets?.length) return [`${p.title}: no query`];
      return p.targets.flatMap((t) =>
        metricsOf(t.expr)
          .filter((m) => !known.has(m) && !recorded.has(m))
          .map((m) => `${p.title}: ${m}`),
      );
    });
    expect(bad).toEqual([]);
  });

  it('shows the drift gauges and the backlog age', () => {
    const exprs = dash.panels.flatMap((p) => p.targets ?? []).map((t) => t.expr);
    for (const m of [
      'drift_estimated_accuracy',
      'drift_realised_accuracy',
      'drift_ood_rate',
      'mserve:drift_score:max',
    ]) {
      expect(exprs.some((e) => e.includes(m))).toBe(true);
    }
  });
});

describe('PodMonitors (infra/k8s/overlays/prod-monitoring)', () => {
  it('scrape each app on a port its pods declare, in the namespace of the pods', () => {
    const objects = render('overlays/prod-monitoring');
    const monitors = ofKind(objects, 'PodMonitor');
    expect(monitors.map((m) => m.metadata.name).sort()).toEqual(['mserve-gateway', 'mserve-notifier', 'mserve-worker']);
    for (const m of monitors) {
      const spec = (
        m as unknown as { spec: { selector: LabelSelector; podMetricsEndpoints: { port: string; path: string }[] } }
      ).spec;
      const deployment = find(objects, 'Deployment', m.metadata.name);
      const pod = podTemplate(deployment);
      expect(pod && selects(spec.selector, pod.labels)).toBe(true);
      const ports = pod?.spec.containers.flatMap((c) => (c.ports ?? []).map((p) => p.name)) ?? [];
      for (const e of spec.podMetricsEndpoints) {
        expect(ports).toContain(e.port);
        expect(e.path).toBe('/metrics');
      }
      expect(m.metadata.namespace).toBe(deployment.metadata.namespace);
    }
  });
});
