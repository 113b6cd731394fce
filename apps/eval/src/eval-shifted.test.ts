import { shiftedReport } from './eval-shifted';

describe('shiftedReport', () => {
  // Four digits in two looks (3 right), two non-digits; reliability ranks right digits first.
  const report = shiftedReport({
    split: 'eval',
    digits: {
      correct: [true, true, false, true],
      reliability: [0.9, 0.8, 0.3, 0.7],
      reliable: [true, true, false, false],
      flag: [false, false, false, true],
    },
    looks: ['a', 'a', 'b', 'b'],
    nonDigits: { correct: [false, false], reliability: [0.2, 0.85], reliable: [false, true], flag: [true, false] },
    kinds: ['far-ood', 'near-ood'],
    rejected: {},
  });

  it('estimates each look accuracy by its mean reliability and reports the error', () => {
    expect(report.looks['a']).toMatchObject({ n: 2, accuracy: 1 });
    expect(report.looks['a']?.meanReliability).toBeCloseTo(0.85, 10);
    expect(report.looks['b']?.accuracy).toBe(0.5);
    expect(report.looks['b']?.estimateError).toBeCloseTo(0, 10);
    expect(report.overall.accuracy).toBe(0.75);
  });

  it('counts reliable non-digits as bad answers and ranks right digits against each negative set', () => {
    expect(report.reliable.count).toBe(3);
    expect(report.reliable.badShare).toBeCloseTo(1 / 3, 10);
    expect(report.reliable.correctShare).toBeCloseTo(2 / 3, 10);
    expect(report.auroc.farOod).toBe(1);
    expect(report.auroc.nearOod).toBeCloseTo(1 / 3, 10);
  });

  it('finds the best threshold at <= 2% bad answers with the labels (here: only the top digit)', () => {
    expect(report.reliable.oracleThreshold).toBe(0.9);
    expect(report.reliable.oracleCorrectShareAt2pct).toBeCloseTo(1 / 3, 10);
  });
});
