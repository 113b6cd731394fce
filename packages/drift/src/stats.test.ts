import {
  CountWindow,
  buildReference,
  chiSquareToZ,
  driftStats,
  emptyCounts,
  addObservation,
  addFeedback,
  countsFromFields,
  countsToFields,
  mergeCounts,
  type Observation,
} from './index';

const digit = (k: number, reliability = 0.98, oodFlag = false): Observation => ({
  prediction: k % 10,
  reliability,
  oodFlag,
  facts: { inkFraction: 0.19, outputInk: 0.15, strokeWidth: 0.1, bboxAspect: 1.2, bboxFill: 0.5 },
});
const jitter = (o: Observation, i: number): Observation => ({
  ...o,
  reliability: Math.min(1, o.reliability + ((i * 7919) % 11) / 200 - 0.025),
  facts: { ...o.facts, inkFraction: 0.19 + (((i * 104729) % 13) - 6) / 200 },
});
const inDist = Array.from({ length: 5000 }, (_, i) => jitter(digit(i, 0.97, i % 200 === 0), i));
const ref = buildReference(inDist, { name: 'm', digest: 'd' }, 'test');

describe('drift statistics', () => {
  it('builds a reference of the class mix, OOD rate, reliability and facts', () => {
    expect(ref.n).toBe(5000);
    expect(ref.classMix).toHaveLength(10);
    expect(ref.classMix.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 4);
    expect(ref.oodRate).toBeCloseTo(0.005, 4);
    expect(ref.reliability.sd).toBeGreaterThan(0);
    expect(ref.facts.inkFraction.sd).toBeGreaterThan(0);
  });

  it('raises no alarm on a window drawn like the reference', () => {
    const w = new CountWindow(500);
    for (const o of inDist.slice(1000, 3000)) expect(driftStats(w.push(o), ref).alarm).toBe(false);
  });

  it('alarms on a burst of out-of-distribution inputs, naming the OOD rate', () => {
    const w = new CountWindow(500);
    inDist.slice(0, 500).forEach((o) => w.push(o));
    let s = driftStats(w.counts, ref);
    for (let i = 0; i < 100 && !s.alarm; i++) s = driftStats(w.push(jitter(digit(i, 0.97, true), i)), ref);
    expect(s.alarm).toBe(true);
    expect(s.driver).toBe('ood');
  });

  it('alarms when the predicted classes collapse onto one digit', () => {
    const w = new CountWindow(500);
    inDist.slice(0, 500).forEach((o) => w.push(o));
    let s = driftStats(w.counts, ref);
    for (let i = 0; i < 500 && !s.alarm; i++) s = driftStats(w.push(jitter(digit(7, 0.97), i)), ref);
    expect(s.alarm).toBe(true);
    expect(s.driver).toBe('classMix');
  });

  it('alarms when the mean reliability drops', () => {
    const w = new CountWindow(500);
    let s = driftStats(w.counts, ref);
    for (let i = 0; i < 500; i++) s = driftStats(w.push(jitter(digit(i, 0.8), i)), ref);
    expect(s.alarm).toBe(true);
    expect(s.driver).toBe('reliabilityDrop');
    expect(s.estimatedAccuracy).toBeLessThan(0.85);
  });

  it('never alarms on fewer requests than the rule asks for', () => {
    const c = emptyCounts();
    for (let i = 0; i < 199; i++) addObservation(c, digit(1, 0.1, true));
    const s = driftStats(c, ref);
    expect(s.score).toBeGreaterThan(6);
    expect(s.alarm).toBe(false);
  });

  it('reports realised accuracy beside the estimate of the same predictions', () => {
    const c = emptyCounts();
    for (let i = 0; i < 10; i++) addFeedback(c, { correct: i < 9, reliability: 0.95 });
    expect(driftStats(c, ref).feedback).toEqual({ n: 10, realisedAccuracy: 0.9, estimatedAccuracy: 0.95 });
    expect(driftStats(emptyCounts(), ref).feedback.realisedAccuracy).toBeNull();
  });

  it('maps a chi-square to z: its mean is about 0, a far tail large', () => {
    expect(Math.abs(chiSquareToZ(9, 9))).toBeLessThan(0.3);
    expect(chiSquareToZ(60, 9)).toBeGreaterThan(5);
  });
});

describe('drift counts', () => {
  it('survive a round trip through Redis hash fields and add up', () => {
    const a = emptyCounts();
    inDist.slice(0, 50).forEach((o) => addObservation(a, o));
    addFeedback(a, { correct: true, reliability: 0.9 });
    const back = countsFromFields(
      Object.fromEntries(Object.entries(countsToFields(a)).map(([k, v]) => [k, String(v)])),
    );
    expect(back).toEqual(a);
    const sum = mergeCounts(emptyCounts(), a);
    mergeCounts(sum, a);
    expect(sum.n).toBe(100);
    expect(sum.classes.reduce((x, y) => x + y, 0)).toBe(100);
  });

  it('a sliding window holds exactly its last observations', () => {
    const w = new CountWindow(3);
    [1, 2, 3, 4, 5].forEach((k) => w.push(digit(k)));
    expect(w.counts.n).toBe(3);
    expect(w.counts.classes).toEqual([0, 0, 0, 1, 1, 1, 0, 0, 0, 0]);
  });
});
