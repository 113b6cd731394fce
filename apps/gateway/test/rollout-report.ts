/**
 * The rollout load test's report: its shape (reports/rollout.json) and its Markdown rendering, shared by the load
 * test (which writes reports/rollout.md with REPORTS=1) and the README check that quotes it in a generated block.
 */

/** What one phase of the rollout saw: answers counted in the phase their request was sent in. */
export interface PhaseTally {
  sent: number;
  ok: number;
  non2xx: number;
  errors: Record<string, number>;
  byVersion: Record<string, number>;
  p50Ms: number | null;
  p99Ms: number | null;
}

/** reports/rollout.json. */
export interface RolloutReport {
  measuredAt: string;
  command: string;
  rps: number;
  host: { cpus: number; loadavg1: number };
  /** Copy of the new version's folder → its state `ready` in the gateway's `/v1/models`. */
  versionReadyAfterCopyMs: number;
  /** Whether the new version was seen `calibrating` (its calibration fitted in the background) before `ready`. */
  calibratedInBackground: boolean;
  statesSeen: string[];
  canary: { asked: number; measured: number; tolerance: number };
  non2xx: number;
  sent: number;
  durationS: number;
  phases: Record<string, PhaseTally>;
}

const PHASE_TEXT: Record<string, string> = {
  warm: 'version 1 alone',
  rollout: 'version 2 copied in, until this suite saw it ready',
  switch: 'version 2 ready, traffic moving',
  onNew: 'on version 2',
  canarySettle: 'canary label set (settling)',
  canary: 'canary on version 2',
  rollback: 'rollback label set (settling)',
  afterRollback: 'after the rollback',
};

const ms = (v: number | null) => (v === null ? '-' : `${v} ms`);

/** The Markdown of a report (reports/rollout.md, and the README's `rollout` block). */
export function rolloutMarkdown(r: RolloutReport | null): string {
  if (!r) return 'Not measured yet: run `REPORTS=1 pnpm test:rollout`.';
  const versions = (t: PhaseTally) =>
    Object.entries(t.byVersion)
      .map(([v, n]) => `v${v}: ${n}`)
      .join(', ') || '-';
  const errors = (t: PhaseTally) =>
    Object.entries(t.errors)
      .map(([e, n]) => `${e.trim()}: ${n}`)
      .join(', ') || '-';
  return [
    `From \`${r.command}\` (reports/rollout.json, ${r.measuredAt}, ${r.host.cpus} CPUs, load average ` +
      `${r.host.loadavg1.toFixed(1)}): open-loop \`POST /v1/predict\` at ${r.rps} req/s for ${r.durationS} s, ` +
      `${r.sent} requests, ${r.non2xx} non-2xx.`,
    '',
    `Version 2 was copied into the repository ${r.calibratedInBackground ? 'without a calibration (fitted in the background)' : 'with its calibration'}; ` +
      `states seen: ${r.statesSeen.join(' → ')}; ready ${(r.versionReadyAfterCopyMs / 1000).toFixed(1)} s after the copy. ` +
      `Canary share asked ${r.canary.asked}, measured ${r.canary.measured.toFixed(3)} (bar ± ${r.canary.tolerance}).`,
    '',
    '| phase | sent | 2xx | non-2xx | answered by | p50 | p99 | errors |',
    '| --- | --- | --- | --- | --- | --- | --- | --- |',
    ...Object.entries(r.phases).map(
      ([name, t]) =>
        `| ${PHASE_TEXT[name] ?? name} | ${t.sent} | ${t.ok} | ${t.non2xx} | ${versions(t)} | ${ms(t.p50Ms)} | ${ms(t.p99Ms)} | ${errors(t)} |`,
    ),
  ].join('\n');
}
