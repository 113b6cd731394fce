import { AppError, type ErrorCode, ERROR_STATUS } from '@mserve/common';
import { decodeTensor, type EncodedTensor } from './tensor';

/** Bounds of the per-request Monte Carlo sample count. */
export const SAMPLES_MIN = 1;
export const SAMPLES_MAX = 1000;
/** Miscoverage level of the conformal prediction set when the client does not choose one. */
export const DEFAULT_ALPHA = 0.05;

/** Events a webhook can subscribe to. */
export const WEBHOOK_EVENTS = ['completed', 'failed'] as const;
export type WebhookEvent = (typeof WEBHOOK_EVENTS)[number];

/** A client's request to be called back when its job ends. */
export interface WebhookRequest {
  url: string;
  events: WebhookEvent[];
}

/** Per-request uncertainty parameters. */
export interface InferenceParams {
  samples: number;
  alpha: number;
}

/** Payload of one inference job: the already preprocessed input, so workers only run the model. */
export interface InferenceJobData {
  v: 1;
  requestId: string;
  /** Epoch ms when the gateway accepted the request. */
  submittedAt: number;
  input: EncodedTensor;
  /** Facts about the original upload (size, format, ink statistics) that the OOD detector uses. */
  facts: Record<string, unknown>;
  params: InferenceParams;
  webhook?: WebhookRequest;
}

/** Uncertainty block of a result; the listed fields are the contract, extra fields are allowed. */
export interface ResultUncertainty {
  reliability: number;
  reliable: boolean;
  outOfDistribution: { score: number; flag: boolean };
  predictionSet: number[];
  alpha: number;
  entropy: number;
  mutualInformation: number;
  samples: number;
  method: string;
  [extra: string]: unknown;
}

/** Where the time of a job went. */
export interface ResultTimings {
  /** Accepted by the gateway until its batch started. */
  queuedMs: number;
  /** The batched model pass plus uncertainty assessment this job took part in. */
  inferenceMs: number;
  /** Accepted by the gateway until the worker finished it. */
  totalMs: number;
  /** How many jobs shared the model pass. */
  batchSize: number;
}

/** What a worker stores as a completed job's return value, and what `GET /v1/jobs/:id` and `/v1/predict` return. */
export interface InferenceResult {
  id: string;
  status: 'completed';
  model: { name: string; digest: string };
  result: {
    prediction: number;
    probabilities: number[];
    rawProbabilities: number[];
    uncertainty: ResultUncertainty;
  };
  timings: ResultTimings;
  requestId?: string;
}

/** What a worker publishes about the model it serves (see `modelCardsKey`). */
export interface ModelCard {
  name: string;
  digest: string;
  inputShape: number[];
  classes: number;
  backend?: string;
  calibration: Record<string, unknown> | null;
  uncertainty: Record<string, unknown>;
  /** Epoch ms of the last publication. */
  updatedAt: number;
}

const FAILURE_RE = /^([A-Z][A-Z0-9_]*): ([\s\S]*)$/;

/**
 * BullMQ keeps only a failed job's message string; the code is prefixed to it (`CODE: message`) so the gateway can
 * give the client the same `{error: {code, message}}` the worker meant, and a human reading Redis still sees prose.
 */
export function encodeFailure(code: ErrorCode, message: string): string {
  return `${code}: ${message}`;
}

/** Inverse of {@link encodeFailure}; reasons written by BullMQ itself (e.g. stalled too often) become INTERNAL. */
export function decodeFailure(reason: string | undefined): { code: ErrorCode; message: string } {
  const m = FAILURE_RE.exec(reason ?? '');
  if (m && m[1] && m[1] in ERROR_STATUS) return { code: m[1] as ErrorCode, message: m[2] ?? '' };
  return { code: 'INTERNAL', message: reason && reason.length > 0 ? reason : 'job failed' };
}

function isFiniteIn(v: unknown, lo: number, hi: number): v is number {
  return typeof v === 'number' && Number.isFinite(v) && v >= lo && v <= hi;
}

/**
 * Checks a job payload read back from Redis. Workers call it before batching so that one malformed payload fails
 * its own job (VALIDATION_FAILED) instead of the whole batch.
 */
export function parseJobData(raw: unknown): InferenceJobData & { tensor: Float32Array; shape: number[] } {
  const d = raw as Partial<InferenceJobData> | null;
  if (!d || typeof d !== 'object') throw new AppError('VALIDATION_FAILED', 'job payload is not an object');
  if (d.v !== 1) throw new AppError('VALIDATION_FAILED', `unsupported job payload version ${String(d.v)}`);
  const p = d.params as Partial<InferenceParams> | undefined;
  if (!p || !Number.isInteger(p.samples) || !isFiniteIn(p.samples, SAMPLES_MIN, SAMPLES_MAX)) {
    throw new AppError('VALIDATION_FAILED', `params.samples must be an integer in [${SAMPLES_MIN}, ${SAMPLES_MAX}]`);
  }
  if (!isFiniteIn(p.alpha, 0, 1) || p.alpha === 0 || p.alpha === 1) {
    throw new AppError('VALIDATION_FAILED', 'params.alpha must be in (0, 1)');
  }
  if (!d.facts || typeof d.facts !== 'object') throw new AppError('VALIDATION_FAILED', 'facts missing');
  const { data, shape } = decodeTensor(d.input);
  return {
    v: 1,
    requestId: typeof d.requestId === 'string' ? d.requestId : '',
    submittedAt: typeof d.submittedAt === 'number' ? d.submittedAt : Date.now(),
    input: d.input as EncodedTensor,
    facts: d.facts,
    params: { samples: p.samples as number, alpha: p.alpha },
    ...(d.webhook ? { webhook: d.webhook } : {}),
    tensor: data,
    shape,
  };
}
