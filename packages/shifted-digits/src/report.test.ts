import type { VariantResult } from './evaluate';
import { LOOKS } from './looks';
import { renderBaseline, type BaselineReport } from './report';

const tally = (accuracy: number, n = 10) => ({ n, correct: Math.round(accuracy * n), accuracy });

function variant(name: string, accuracy: number): VariantResult {
  return {
    name,
    description: `${name} preprocessing`,
    overall: tally(accuracy, 100),
    byLook: Object.fromEntries(LOOKS.map((l) => [l, tally(accuracy)])),
    byStyle: { handwriting: tally(accuracy), print: tally(accuracy) },
    byFont: { lato: tally(accuracy) },
    blank: 0,
    meanMs: 3.25,
  };
}

function report(reached: number): BaselineReport {
  return {
    command: 'pnpm shifted:baseline',
    generatedAt: '2026-01-01T00:00:00.000Z',
    model: { name: 'mnist_model', digest: 'sha256:x', inputShape: [28, 28], backend: 'wasm' },
    benchmark: {
      split: 'eval',
      seed: 1,
      digitsPerLook: 10,
      nearOodPerLook: 1,
      farOodPerLook: 1,
      looks: [...LOOKS],
      fonts: ['lato'],
      items: { digit: 100, 'near-ood': 10, 'far-ood': 10 },
      generationSeconds: 1,
    },
    variants: [variant('mnist', reached), variant('naive', 0.1)],
    confidence: { variant: 'mnist', byKind: [{ kind: 'digit', n: 100, meanMaxProb: 0.8, confident: 0.5, blank: 0 }] },
    target: { accuracy: 0.88, variant: 'mnist', reached, met: reached >= 0.88 },
    machine: { cpus: 2, node: 'v20', loadAtStart: 1 },
  };
}

describe('renderBaseline', () => {
  it('has a row per look with one column per variant, and says whether the target is met', () => {
    const md = renderBaseline(report(0.778));
    for (const look of LOOKS) expect(md).toMatch(new RegExp(`^\\| ${look} \\| 10 \\| 77\\.8 \\| 10\\.0 \\|$`, 'm'));
    expect(md).toContain('reached 77.8%: not met');
    expect(renderBaseline(report(0.9))).toContain('reached 90.0%: met');
  });
});
