import type { InputFacts } from './facts';
import type { JobAccepted, JobCompleted, JobFailed, JobPending } from './job-views';
import type { ModelCard, Models } from './models';
import type { ErrorBody, InferenceResult } from './results';
import type { WebhookPayload } from './webhook';

/*
 * One value of each main wire shape. Typed with the inferred types (so `pnpm typecheck` holds them to the schemas'
 * static side) and validated against the schemas themselves in the tests; the OpenAPI document shows them.
 */

const ID = '3f2b8c1e-9a4d-4e7b-8c2a-5d6e7f8a9b0c';
const LINKS = { self: `/v1/jobs/${ID}`, wait: `/v1/jobs/${ID}?wait=30` };
const MODEL = { name: 'mnist_model', digest: 'sha256-71b0ec3beb5adc7b' };

/** Facts of a dark digit photographed on white paper. */
export const EXAMPLE_FACTS: InputFacts = {
  format: 'png',
  width: 280,
  height: 280,
  channels: 1,
  bytes: 5123,
  polarity: 'dark-on-light',
  inverted: true,
  inkFraction: 0.12,
  colourfulness: 0,
  edgeDensity: 0.08,
  borderContrast: 0.93,
  paperNoise: 0.01,
  bboxAspect: 1.4,
  bboxFill: 0.31,
  inkComponents: 1,
  droppedInk: 0,
  ruledLines: 0,
  strokeWidth: 0.11,
  lumaEntropy: 1.2,
  outputInk: 0.16,
  transparency: 0,
  orientation: 1,
};

/** Answer of `POST /v1/jobs`. */
export const EXAMPLE_ACCEPTED: JobAccepted = { id: ID, status: 'queued', requestId: 'req-1', links: LINKS };

/** A job a worker is running. */
export const EXAMPLE_PENDING: JobPending = {
  id: ID,
  status: 'active',
  requestId: 'req-1',
  submittedAt: '2026-01-01T12:00:00.000Z',
  links: LINKS,
};

/** A worker's result for a clear 7. */
export const EXAMPLE_RESULT: InferenceResult = {
  id: ID,
  status: 'completed',
  model: MODEL,
  result: {
    prediction: 7,
    probabilities: [0, 0.0001, 0.0012, 0.0003, 0, 0, 0, 0.9981, 0.0001, 0.0002],
    rawProbabilities: [0, 0, 0.0008, 0.0002, 0, 0, 0, 0.9988, 0.0001, 0.0001],
    uncertainty: {
      reliability: 0.97,
      reliable: true,
      outOfDistribution: { score: 0.41, flag: false },
      predictionSet: [7],
      abstained: false,
      alpha: 0.05,
      entropy: 0.015,
      expectedEntropy: 0.012,
      mutualInformation: 0.003,
      perClassVariance: [0, 0, 0.000002, 0, 0, 0, 0, 0.000004, 0, 0],
      samples: 30,
      method:
        'mc-dropout(native p=0.5, fast gaussian, T=30)+class-gaussian-ood+logistic-isotonic-reliability+aps-conformal',
    },
  },
  timings: { queuedMs: 2.1, inferenceMs: 6.4, totalMs: 9.8, batchSize: 3 },
  requestId: 'req-1',
};

/** `GET /v1/jobs/{id}` of a completed job whose webhook was delivered. */
export const EXAMPLE_COMPLETED: JobCompleted = {
  ...EXAMPLE_RESULT,
  submittedAt: '2026-01-01T12:00:00.000Z',
  finishedAt: '2026-01-01T12:00:00.010Z',
  links: LINKS,
  webhook: { state: 'delivered', attempts: 1, lastStatus: 204, nextAttemptAt: null },
};

/** `GET /v1/jobs/{id}` of a job whose inference failed. */
export const EXAMPLE_FAILED: JobFailed = {
  id: ID,
  status: 'failed',
  error: { code: 'INFERENCE_FAILED', message: 'the model produced a non-finite probability' },
  requestId: 'req-1',
  submittedAt: '2026-01-01T12:00:00.000Z',
  finishedAt: '2026-01-01T12:00:00.004Z',
  links: LINKS,
};

/** An error response. */
export const EXAMPLE_ERROR: ErrorBody = {
  error: { code: 'VALIDATION_FAILED', message: 'samples must be less than or equal to 1000' },
};

/** What a worker publishes about its model. */
export const EXAMPLE_MODEL_CARD: ModelCard = {
  ...MODEL,
  inputShape: [28, 28, 1],
  classes: 10,
  backend: 'tensorflow',
  calibration: {
    file: 'calibration/sha256-71b0ec3beb5adc7b.json',
    format: 'mserve-calibration',
    version: 1,
    createdAt: '2026-01-01T00:00:00.000Z',
    preprocessingFingerprint: 'a1b2c3d4',
    dropout: { mode: 'native', rate: 0.5 },
    oodThreshold: 1,
    reliabilityThreshold: 0.8,
  },
  uncertainty: {
    method:
      'mc-dropout(native p=0.5, fast gaussian, T=<samples>)+class-gaussian-ood+logistic-isotonic-reliability+aps-conformal',
    maxSamples: 1000,
  },
  updatedAt: 1767268800000,
};

/** Answer of `GET /v1/models`. */
export const EXAMPLE_MODELS: Models = {
  models: [
    {
      ...MODEL,
      inputShape: [28, 28, 1],
      classes: 10,
      servedByThisGateway: true,
      calibration: EXAMPLE_MODEL_CARD.calibration,
      uncertainty: {
        ...EXAMPLE_MODEL_CARD.uncertainty,
        defaultSamples: 30,
        samplesRange: [1, 1000],
        defaultAlpha: 0.05,
      },
      workersLastSeenAt: '2026-01-01T12:00:00.000Z',
      preprocessing: { fingerprint: 'a1b2c3d4', matchesCalibration: true },
    },
  ],
};

/** Body of a `job.completed` webhook delivery. */
export const EXAMPLE_WEBHOOK: WebhookPayload = {
  type: 'job.completed',
  timestamp: '2026-01-01T12:00:00.010Z',
  data: EXAMPLE_RESULT,
};
