/** The acceptance targets of the issues, evaluated on mnist_model. */
import type { TargetResult } from './eval-report';
import type { OursReport } from './eval-run';

function target(name: string, value: number, bar: number, kind: 'min' | 'max'): TargetResult {
  const margin = kind === 'min' ? value - bar : bar - value;
  return { name, value, target: `${kind === 'min' ? '>=' : '<='} ${bar}`, met: margin >= 0, margin };
}

/** The acceptance targets of issues #11 and #13, evaluated on mnist_model. */
export function targets(o: OursReport, fastMcRatio: number, durationSeconds: number | undefined): TargetResult[] {
  const s = o.shifted;
  const worstLook = Math.max(...Object.values(s.looks).map((l) => l.estimateError));
  const t = [
    target('misclassification AUROC of reliability', o.reliability.misclassificationAuroc, 0.955, 'min'),
    target('Fashion-MNIST OOD AUROC (OOD score)', o.ood.fashionAuroc, 0.999, 'min'),
    target(
      'AUROC correct digits vs (misclassified + Fashion)',
      o.reliability.correctVsWrongOrFashionAuroc,
      0.99,
      'min',
    ),
    target('ECE (15 bins) of reliability as P(correct)', o.reliability.ece15, 0.01, 'max'),
    ...o.conformal.map((c) =>
      target(`|coverage - (1 - alpha)| at alpha=${c.alpha}`, Math.abs(c.coverage - (1 - c.alpha)), 0.01, 'max'),
    ),
    target('shifted eval: mnist_model accuracy on digits', s.overall.accuracy, 0.88, 'min'),
    target('shifted eval: AUROC correct digits vs (wrong + near-OOD + far-OOD)', s.auroc.wrongOrNonDigit, 0.95, 'min'),
    target('shifted eval: AUROC correct digits vs near-OOD', s.auroc.nearOod, 0.95, 'min'),
    target('shifted eval: ECE (15 bins) of reliability on digits', s.overall.ece15, 0.05, 'max'),
    target('shifted eval: worst look |mean reliability - accuracy|', worstLook, 0.03, 'max'),
    target('shifted eval: share of correct digits called reliable', s.reliable.correctShare, 0.6, 'min'),
    target('shifted eval: share of reliable answers wrong or non-digit', s.reliable.badShare, 0.02, 'max'),
    target('(predict + fast MC T=100) / predict, batch 256', fastMcRatio, 2, 'max'),
  ];
  if (durationSeconds !== undefined) t.push(target('pnpm eval wall time, s', durationSeconds, 300, 'max'));
  return t;
}
