import { AppError, type ErrorCode, ERROR_STATUS } from '@mserve/common';
import { Type, type Static } from '@sinclair/typebox';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import { InputFactsSchema } from './facts';
import { SAMPLES_MAX, SAMPLES_MIN } from './limits';
import { StringEnum } from './string-enum';
import { decodeTensor, EncodedTensorSchema } from './tensor';
import { WebhookSubscriptionSchema } from './webhook';

/** Per-request uncertainty parameters. */
export const InferenceParamsSchema = Type.Object({
  samples: Type.Integer({ minimum: SAMPLES_MIN, maximum: SAMPLES_MAX, description: 'Monte Carlo dropout samples' }),
  alpha: Type.Number({
    exclusiveMinimum: 0,
    exclusiveMaximum: 1,
    description: 'conformal miscoverage level: the prediction set covers the truth with probability 1 - alpha',
  }),
});
export type InferenceParams = Static<typeof InferenceParamsSchema>;

/** Scheduling class of a job: a worker takes every waiting high job before a normal one, normal before low. */
export const JOB_PRIORITIES = ['high', 'normal', 'low'] as const;
export const JobPrioritySchema = StringEnum(JOB_PRIORITIES, {
  description: 'high, normal (default) or low: a worker takes waiting jobs in this order, FIFO within a class',
});
export type JobPriority = Static<typeof JobPrioritySchema>;

/** Payload of one inference job: the already preprocessed input, so workers only run the model. */
export const InferenceJobDataSchema = Type.Object({
  v: Type.Literal(1),
  requestId: Type.String(),
  submittedAt: Type.Number({ description: 'epoch ms when the gateway accepted the request' }),
  input: EncodedTensorSchema,
  facts: InputFactsSchema,
  params: InferenceParamsSchema,
  webhook: Type.Optional(WebhookSubscriptionSchema),
  priority: Type.Optional(JobPrioritySchema),
  batch: Type.Optional(
    Type.String({ description: 'the bulk submission whose one webhook (webhook_scope batch) reports this job' }),
  ),
  deadlineAt: Type.Optional(
    Type.Number({ description: 'epoch ms after which a job not yet started is not run and ends expired' }),
  ),
  trace: Type.Optional(
    Type.Object(
      { traceparent: Type.String(), tracestate: Type.Optional(Type.String()) },
      { description: 'W3C trace context of the request that made the job (present only while tracing is on)' },
    ),
  ),
  tenant: Type.Optional(
    Type.String({ description: 'tenant of the API key that submitted the job (absent while AUTH_MODE=off)' }),
  ),
});
export type InferenceJobData = Static<typeof InferenceJobDataSchema>;

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

// Compiled once: workers check every payload they take.
const jobDataCheck = TypeCompiler.Compile(InferenceJobDataSchema);

/**
 * Checks a job payload read back from Redis against {@link InferenceJobDataSchema} and decodes its tensor. Workers
 * call it before batching so that one malformed payload fails its own job (VALIDATION_FAILED, naming the first bad
 * field) instead of the whole batch.
 */
export function parseJobData(raw: unknown): InferenceJobData & { tensor: Float32Array; shape: number[] } {
  if (!raw || typeof raw !== 'object') throw new AppError('VALIDATION_FAILED', 'job payload is not an object');
  const v = (raw as { v?: unknown }).v;
  if (v !== 1) throw new AppError('VALIDATION_FAILED', `unsupported job payload version ${String(v)}`);
  if (!jobDataCheck.Check(raw)) {
    const first = jobDataCheck.Errors(raw).First();
    const where = first?.path ? first.path.slice(1).replace(/\//g, '.') : 'payload';
    throw new AppError('VALIDATION_FAILED', `job payload ${where}: ${first?.message ?? 'invalid'}`);
  }
  const { data, shape } = decodeTensor(raw.input);
  return { ...raw, tensor: data, shape };
}
