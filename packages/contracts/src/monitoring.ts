import { Type, type Static } from '@sinclair/typebox';

const fraction = (description: string) => Type.Number({ minimum: 0, maximum: 1, description });
const nullable = <T extends ReturnType<typeof Type.Number>>(t: T) => Type.Union([t, Type.Null()]);

/** The input facts the drift monitor watches (means over a window). */
const FactMeansSchema = Type.Object(
  {
    inkFraction: Type.Number(),
    outputInk: Type.Number(),
    strokeWidth: Type.Number(),
    bboxAspect: Type.Number(),
    bboxFill: Type.Number(),
  },
  { description: 'mean of each watched input fact over the window (0 when none was seen)' },
);

/** Drift z-scores of a window: standard errors of departure from the reference, towards worse. */
const DriftZSchema = Type.Object(
  {
    ood: Type.Number({ description: 'OOD rate above the reference' }),
    reliabilityDrop: Type.Number({ description: 'mean reliability below the reference' }),
    classMix: Type.Number({ description: 'predicted-class mix against the reference (chi-square as z)' }),
    facts: FactMeansSchema,
  },
  { description: 'z-score of each statistic (facts: absolute departure of the mean)' },
);

/** What the monitor says of one time window. */
export const MonitoringWindowSchema = Type.Object(
  {
    minutes: Type.Integer({
      minimum: 1,
      description: 'length of the window (whole minutes, the current one included)',
    }),
    requests: Type.Integer({ minimum: 0, description: 'completed predictions in the window' }),
    oodRate: fraction('share of predictions flagged out of distribution'),
    estimatedAccuracy: fraction('mean reliability: the label-free estimate of the accuracy (0 when no request)'),
    classMix: Type.Array(fraction('share of predictions of this class'), { minItems: 10, maxItems: 10 }),
    classPsi: Type.Number({ minimum: 0, description: 'population stability index of the class mix' }),
    classChiSquare: Type.Number({ minimum: 0, description: 'two-sample chi-square of the class mix (effective n)' }),
    facts: FactMeansSchema,
    z: Type.Union([DriftZSchema, Type.Null()], { description: 'null without a reference for the model' }),
    score: nullable(
      Type.Number({
        description: 'drift score: largest z-score of OOD rate, reliability drop, class mix; null without a reference',
      }),
    ),
    driver: Type.Union([Type.String(), Type.Null()], { description: 'the statistic that gave the score' }),
    inputScore: nullable(
      Type.Number({
        description: 'largest z-score of the input facts: reported, not alarmed on; null without a reference',
      }),
    ),
    inputDriver: Type.Union([Type.String(), Type.Null()], { description: 'the fact that gave inputScore' }),
    alarm: Type.Boolean({ description: 'score at or above the threshold over at least minCount requests' }),
    feedback: Type.Object(
      {
        labels: Type.Integer({ minimum: 0, description: 'true labels received in the window' }),
        realisedAccuracy: nullable(fraction('share of labelled predictions that were right')),
        estimatedAccuracy: nullable(fraction('mean reliability of those same predictions')),
      },
      { description: 'realised accuracy from feedback, beside the estimate of the same predictions' },
    ),
  },
  { description: 'drift statistics of one time window against the reference' },
);
export type MonitoringWindow = Static<typeof MonitoringWindowSchema>;

/** `GET /v1/monitoring`. */
export const MonitoringSchema = Type.Object(
  {
    model: Type.Object({ name: Type.String(), digest: Type.String() }),
    reference: Type.Union(
      [Type.Object({ source: Type.String(), requests: Type.Integer({ minimum: 0 }) }), Type.Null()],
      { description: 'in-distribution reference the windows are compared with; null when none exists for the model' },
    ),
    rule: Type.Object(
      {
        threshold: Type.Number({ description: 'a window alarms when its score reaches this' }),
        minCount: Type.Integer({ minimum: 1, description: 'windows with fewer requests never alarm' }),
        maxEffectiveN: Type.Integer({ minimum: 1, description: 'most requests counted as evidence' }),
      },
      { description: 'the alarm rule (chosen from pnpm drift:eval, reports/drift.md)' },
    ),
    windows: Type.Object({ '5m': MonitoringWindowSchema, '1h': MonitoringWindowSchema }),
  },
  { description: 'drift monitoring: inputs and answers of the last 5 minutes and hour against the reference' },
);
export type Monitoring = Static<typeof MonitoringSchema>;

/** `POST /v1/jobs/{id}/feedback` body. */
export const FeedbackRequestSchema = Type.Object(
  { label: Type.Integer({ minimum: 0, maximum: 9, description: 'the true digit of the job’s image' }) },
  { additionalProperties: false, description: 'the true label of a completed job' },
);
export type FeedbackRequest = Static<typeof FeedbackRequestSchema>;

/** `POST /v1/jobs/{id}/feedback` answer. */
export const FeedbackSchema = Type.Object(
  {
    jobId: Type.String({ format: 'uuid' }),
    label: Type.Integer({ minimum: 0, maximum: 9 }),
    prediction: Type.Integer({ minimum: 0, maximum: 9 }),
    correct: Type.Boolean({ description: 'the prediction equals the label' }),
    reliability: fraction('the reliability the service gave the prediction'),
    replayed: Type.Boolean({ description: 'true when this label was already recorded for the job (counted once)' }),
  },
  { description: 'the recorded feedback' },
);
export type Feedback = Static<typeof FeedbackSchema>;
