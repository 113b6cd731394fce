import type { Measurement } from '../signals';
import { oodScoreOf } from '../signals';
import { fitOodStage } from './ood';

function measured(pixelScore: number, factsScore?: number): Measurement {
  return { pixelScore, factsScore } as Measurement;
}

describe('fitOodStage', () => {
  const calibration = Array.from({ length: 1000 }, (_, i) => measured(1 + i / 1000, 2 + (i % 100) / 50));
  const uploads = Array.from({ length: 200 }, (_, i) => measured(1.5, 3 + i / 100));

  it('passes the requested share of calibration digits and uploads, and no more', () => {
    const ood = fitOodStage({ calibration, uploads, passRate: 0.99, maxColourfulness: 40 });
    const scores = [...calibration, ...uploads].map((m) => oodScoreOf(m, ood));
    const passed = scores.filter((s) => s <= ood.threshold).length / scores.length;
    expect(passed).toBeGreaterThanOrEqual(0.99);
    expect(passed).toBeLessThan(0.995);
    expect(ood).toMatchObject({ passRate: 0.99, maxColourfulness: 40 });
  });

  it('scales the pixel part by calibration digits only and the facts part by digits and uploads', () => {
    const ood = fitOodStage({ calibration, uploads, passRate: 0.5, maxColourfulness: 40 });
    expect(ood.pixelRef).toBeCloseTo(1.499, 6);
    expect(ood.factsRef).toBeGreaterThan(2.98);
  });

  it('keeps a neutral facts reference when no input has facts', () => {
    const ood = fitOodStage({
      calibration: [measured(1), measured(2)],
      uploads: [],
      passRate: 0.5,
      maxColourfulness: 40,
    });
    expect(ood.factsRef).toBe(1);
    expect(ood.pixelRef).toBe(1);
  });
});
