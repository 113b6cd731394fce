import { ERROR_STATUS, type ErrorCode } from '@mserve/common';
import { Type, type Static } from '@sinclair/typebox';
import { SAMPLES_MAX, SAMPLES_MIN } from './limits';
import { StringEnum } from './string-enum';

/** Every stable error code, the key set of common's code -> status table. */
export const ErrorCodeSchema = StringEnum(Object.keys(ERROR_STATUS) as ErrorCode[], {
  description: 'stable machine-readable error code; the HTTP status follows from it',
});

/** An object whose fields are not part of the contract. */
const openObject = (description: string) => Type.Record(Type.String(), Type.Unknown(), { description });

/** `{code, message}` of a failure. */
const failure = Type.Object({ code: ErrorCodeSchema, message: Type.String() });

/** Body of every error response: `{error: {code, message, details?}}`. */
export const ErrorBodySchema = Type.Object(
  {
    error: Type.Object({
      code: ErrorCodeSchema,
      message: Type.String(),
      details: Type.Optional(openObject('structured context, e.g. jobId and links of a prediction that failed')),
    }),
  },
  { description: 'body of every error response' },
);
export type ErrorBody = Static<typeof ErrorBodySchema>;

/** A job that failed, as the worker reports it (and as the `job.failed` webhook carries it). */
export const JobFailureSchema = Type.Object(
  { id: Type.String({ format: 'uuid' }), status: Type.Literal('failed'), error: failure },
  { description: 'a failed job as the worker reports it (the data of a job.failed webhook)' },
);
export type JobFailure = Static<typeof JobFailureSchema>;

/** A job stopped before it ran: canceled by request, or expired (not started before its deadline). */
export const JobStoppedSchema = Type.Object(
  { id: Type.String({ format: 'uuid' }), status: StringEnum(['canceled', 'expired']), error: failure },
  {
    description:
      'a job canceled by request (error CANCELED) or not started before its deadline (error EXPIRED); ' +
      'the data of job.canceled and job.expired webhooks',
  },
);
export type JobStopped = Static<typeof JobStoppedSchema>;

const nats = (description: string) => Type.Number({ minimum: 0, description });
const digit = Type.Integer({ minimum: 0, maximum: 9 });
const distribution = (description: string) =>
  Type.Array(Type.Number({ minimum: 0, maximum: 1 }), { minItems: 10, maxItems: 10, description });

/** The uncertainty block of a result. */
export const UncertaintySchema = Type.Object(
  {
    reliability: Type.Number({
      minimum: 0,
      maximum: 1,
      description: 'calibrated P(prediction is right AND the input is a digit)',
    }),
    reliable: Type.Boolean({
      description: "reliability at or above the calibration's threshold, and not out of distribution",
    }),
    outOfDistribution: Type.Object({ score: Type.Number(), flag: Type.Boolean() }),
    predictionSet: Type.Array(digit, {
      description:
        'conformal set covering the truth with probability 1 - alpha; empty (abstained) when out of distribution',
    }),
    abstained: Type.Boolean({
      description: 'the prediction set was withheld because the input is out of distribution',
    }),
    alpha: Type.Number({ exclusiveMinimum: 0, exclusiveMaximum: 1 }),
    entropy: nats('entropy of probabilities, nats'),
    expectedEntropy: nats('mean entropy of the Monte Carlo samples, nats'),
    mutualInformation: Type.Number({ description: 'entropy - expectedEntropy, nats' }),
    perClassVariance: Type.Array(Type.Number({ minimum: 0 }), {
      description: 'variance of each class over the samples',
    }),
    samples: Type.Integer({ minimum: SAMPLES_MIN, maximum: SAMPLES_MAX }),
    method: Type.String({ description: 'how the estimate was made' }),
  },
  { description: 'how far to trust the prediction' },
);
export type Uncertainty = Static<typeof UncertaintySchema>;

/** Where the time of a job went. */
export const TimingsSchema = Type.Object(
  {
    queuedMs: Type.Number({ minimum: 0, description: 'accepted by the gateway until its batch started' }),
    inferenceMs: Type.Number({
      minimum: 0,
      description: 'the batched model pass plus uncertainty assessment this job took part in',
    }),
    totalMs: Type.Number({ minimum: 0, description: 'accepted by the gateway until the worker finished it' }),
    batchSize: Type.Integer({ minimum: 1, description: 'jobs that shared the model pass' }),
  },
  { description: 'where the time of the job went, ms' },
);
export type Timings = Static<typeof TimingsSchema>;

/** The model that answered. */
export const ModelRefSchema = Type.Object({
  name: Type.String(),
  digest: Type.String(),
  version: Type.Optional(Type.Integer({ description: 'the version of the model repository that answered' })),
});

/** The per-job part of a result: what the model and the uncertainty engine computed. */
export const PredictionSchema = Type.Object(
  {
    prediction: digit,
    probabilities: distribution('predictive distribution: mean of the Monte Carlo dropout samples'),
    rawProbabilities: distribution("the model's deterministic softmax"),
    uncertainty: UncertaintySchema,
  },
  { description: 'what the model and the uncertainty estimate say about the image' },
);
export type Prediction = Static<typeof PredictionSchema>;

/**
 * A completed job's result: what a worker stores as the job's return value, what the `job.completed` webhook
 * carries, and the core of `GET /v1/jobs/{id}` and `POST /v1/predict` answers.
 */
export const InferenceResultSchema = Type.Object(
  {
    id: Type.String({ format: 'uuid' }),
    status: Type.Literal('completed'),
    model: ModelRefSchema,
    result: PredictionSchema,
    timings: TimingsSchema,
    requestId: Type.Optional(Type.String()),
  },
  { description: "a completed job's result (the data of a job.completed webhook)" },
);
export type InferenceResult = Static<typeof InferenceResultSchema>;
