/**
 * `pnpm preprocess:speed`: the preprocessing of this checkout against the reference it must equal bit for bit
 * (REFERENCE_COMMIT, the one the calibration was fitted with), in one process on the same corpus: every output
 * compared, and the time per input of each, interleaved case by case so that a busy machine slows both alike and
 * the ratio stays meaningful. Writes reports/preprocess-speed.json and .md only with REPORTS=1.
 */
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { repoRoot } from '@mserve/common';
import * as current from '@mserve/preprocess';
import { buildCorpus, CORPUS_SIZES, outputBytes, runCase } from './preprocess-corpus';
import { loadReference, REFERENCE_COMMIT } from './preprocess-reference';

/** Timing of one corpus section, ms per input. */
export interface SectionSpeed {
  section: string;
  n: number;
  referenceMs: number;
  currentMs: number;
  /** referenceMs / currentMs: how many times faster this checkout is. */
  speedup: number;
}

export interface SpeedReport {
  reference: string;
  rounds: number;
  compared: number;
  mismatches: { section: string; name: string }[];
  /** sha256 per corpus section of the reference's outputs (the equivalence test's committed digests). */
  referenceDigests: Record<string, string>;
  sections: SectionSpeed[];
  seconds: number;
}

const LABELS: Record<string, string> = {
  'mnist-png': '28x28 MNIST digit as PNG (the typical upload)',
  pixels: 'MNIST digit as raw pixels',
  uploads: 'seeded realistic uploads (PNG and JPEG sheets)',
  shifted: 'shifted-digits fit split (photos, lined paper, boards...)',
  samples: 'shared sample images (up to 999x893)',
};

async function timeOne(run: () => Promise<unknown>): Promise<number> {
  const t = performance.now();
  await run();
  return performance.now() - t;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { rounds: { type: 'string', default: '3' }, reference: { type: 'string', default: REFERENCE_COMMIT } },
  });
  const rounds = Math.max(1, Number(values.rounds));
  const started = performance.now();
  const reference = await loadReference(values.reference);
  const cases = await buildCorpus(CORPUS_SIZES);
  process.stderr.write(`corpus: ${cases.length} cases\n`);

  // Equality on every case, every option variant included.
  const mismatches: { section: string; name: string }[] = [];
  const hashes = new Map<string, ReturnType<typeof createHash>>();
  for (const c of cases) {
    const a = outputBytes(await runCase(reference, c));
    const b = outputBytes(await runCase(current, c));
    if (!a.equals(b)) mismatches.push({ section: c.section, name: c.name });
    hashes.set(c.section, (hashes.get(c.section) ?? createHash('sha256')).update(a));
  }
  // What apps/eval/test/preprocess-equivalence.test.ts holds as REFERENCE_DIGESTS.
  const referenceDigests = Object.fromEntries([...hashes].map(([s, h]) => [s, h.digest('hex')]));
  process.stderr.write(`compared: ${mismatches.length} mismatches\n`);

  // Timing on the default-option sections, reference and current alternating which goes first.
  const timed = cases.filter((c) => !c.section.startsWith('variant'));
  const totals = new Map<string, { n: number; ref: number; cur: number }>();
  for (let r = 0; r < rounds; r++) {
    for (const [k, c] of timed.entries()) {
      const s = totals.get(c.section) ?? { n: 0, ref: 0, cur: 0 };
      const refFirst = (k + r) % 2 === 0;
      const ref = (): Promise<unknown> => runCase(reference, c);
      const cur = (): Promise<unknown> => runCase(current, c);
      if (refFirst) {
        s.ref += await timeOne(ref);
        s.cur += await timeOne(cur);
      } else {
        s.cur += await timeOne(cur);
        s.ref += await timeOne(ref);
      }
      s.n++;
      totals.set(c.section, s);
    }
    process.stderr.write(`round ${r + 1}/${rounds} done\n`);
  }
  const sections: SectionSpeed[] = [...totals.entries()].map(([section, t]) => ({
    section,
    n: t.n / rounds,
    referenceMs: t.ref / t.n,
    currentMs: t.cur / t.n,
    speedup: t.ref / t.cur,
  }));
  const report: SpeedReport = {
    reference: values.reference,
    rounds,
    compared: cases.length,
    mismatches,
    referenceDigests,
    sections,
    seconds: (performance.now() - started) / 1000,
  };
  const md = markdown(report);
  process.stdout.write(md);
  if (process.env['REPORTS'] === '1') {
    const dir = path.join(repoRoot(), 'reports');
    writeFileSync(path.join(dir, 'preprocess-speed.json'), `${JSON.stringify(report, null, 2)}\n`);
    writeFileSync(path.join(dir, 'preprocess-speed.md'), md);
  }
  if (mismatches.length > 0) process.exitCode = 1;
}

/** The report as markdown: equality first (the condition for the speed to matter), then time per input. */
export function markdown(r: SpeedReport): string {
  const rows = r.sections.map(
    (s) =>
      `| ${LABELS[s.section] ?? s.section} | ${s.n} | ${s.referenceMs.toFixed(3)} | ${s.currentMs.toFixed(3)} | ` +
      `${s.speedup.toFixed(2)}x |`,
  );
  const equal =
    r.mismatches.length === 0
      ? `All ${r.compared} outputs (tensor bits and facts; every step on, every step off, naive mode and [28,28,3] variants included) equal the reference's.`
      : `**${r.mismatches.length} of ${r.compared} outputs differ from the reference** (first: ${r.mismatches
          .slice(0, 5)
          .map((m) => `${m.section}/${m.name}`)
          .join(', ')}).`;
  return [
    '# Preprocessing speed against the reference',
    '',
    `Generated by \`pnpm preprocess:speed\` (REPORTS=1 writes this file). Reference: the preprocessing at commit ` +
      `${r.reference}, loaded from git and run in the same process on the same inputs, interleaved case by case ` +
      `(${r.rounds} rounds), so the ratio holds on a busy machine; absolute times do not.`,
    '',
    equal,
    '',
    '| inputs | n | reference ms/input | this checkout ms/input | speedup |',
    '|---|---|---|---|---|',
    ...rows,
    '',
    `Took ${r.seconds.toFixed(0)} s.`,
    '',
  ].join('\n');
}

if (require.main === module) {
  main().catch((err: unknown) => {
    process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  });
}
