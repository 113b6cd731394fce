import { readFileSync } from 'node:fs';
import path from 'node:path';
import { repoRoot } from '@mserve/common';
import { DEFAULT_ALARM_RULE, buildReference, referenceFor, type Observation } from '@mserve/drift';
import type { DriftReport } from './drift-report';
import { falseAlarms, feedbackAgreement, requestsUntilAlarm } from './drift-run';

const report = JSON.parse(readFileSync(path.join(repoRoot(), 'reports/drift.json'), 'utf8')) as DriftReport;

describe('reports/drift.json (pnpm drift:eval)', () => {
  it('was measured with the alarm rule and the reference the service uses now', () => {
    expect(report.rule).toEqual(DEFAULT_ALARM_RULE);
    expect(referenceFor(report.model.digest)).toEqual(report.reference);
  });

  it('shows no false alarm over 10,000 MNIST test digits, and every switch to Fashion-MNIST or shifted digits alarming', () => {
    expect(report.streams.mnist).toBe(10_000);
    expect(report.falseAlarms.inOrder.requests).toBe(10_000);
    expect(report.falseAlarms.alarms).toBe(0);
    expect(report.fashion.alarmed).toBe(report.fashion.runs);
    expect(report.shifted.alarmed).toBe(report.shifted.runs);
  });

  it('shows estimated and realised accuracy within 0.02 over 2,000 labelled digits', () => {
    expect(report.feedback.n).toBe(2000);
    expect(report.feedback.gap).toBeLessThanOrEqual(0.02);
  });
});

describe('drift measurements', () => {
  const digit = (i: number, oodFlag = false): Observation => ({
    prediction: i % 10,
    reliability: 0.9 + (i % 7) / 100,
    oodFlag,
    facts: { inkFraction: 0.2, outputInk: 0.15, strokeWidth: 0.1, bboxAspect: 1.3, bboxFill: 0.4 },
  });
  const stream = Array.from({ length: 3000 }, (_, i) => digit(i, i % 300 === 0));
  const ref = buildReference(stream, { name: 'm', digest: 'd' }, 'test');

  it('count false alarms per judged window of an in-distribution stream', () => {
    const r = falseAlarms(stream, ref, DEFAULT_ALARM_RULE, 500);
    expect(r.windows).toBe(3000 - DEFAULT_ALARM_RULE.minCount + 1);
    expect(r.alarms).toBe(0);
  });

  it('count requests after a switch until the alarm, or report that it never came', () => {
    const ood = Array.from({ length: 200 }, (_, i) => ({ ...digit(i, true), reliability: 0.05 }));
    const r = requestsUntilAlarm(stream.slice(0, 500), ood, ref, DEFAULT_ALARM_RULE, 500);
    expect(r.requests).toBeGreaterThan(0);
    expect(r.requests).toBeLessThan(50);
    expect(
      requestsUntilAlarm(stream.slice(0, 500), stream.slice(500, 700), ref, DEFAULT_ALARM_RULE, 500).requests,
    ).toBeNull();
  });

  it('compare the mean reliability of labelled predictions with their realised accuracy', () => {
    const items = Array.from({ length: 100 }, (_, i) => ({ ...digit(i), reliability: 0.8, correct: i < 80 }));
    const r = feedbackAgreement(items, ref);
    expect(r.n).toBe(100);
    expect(r.estimatedAccuracy).toBeCloseTo(0.8, 12);
    expect(r.realisedAccuracy).toBeCloseTo(0.8, 12);
    expect(r.gap).toBeCloseTo(0, 12);
  });
});
