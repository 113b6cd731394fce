import { AppError } from '@mserve/common';
import {
  INCLUDE_VALUES,
  JOB_PRIORITIES,
  SAMPLES_MAX,
  WEBHOOK_SCOPES,
  type WebhookScope,
  SAMPLES_MIN,
  type JobPriority,
  WEBHOOK_EVENTS,
  type InferenceParams,
  type WebhookSubscription,
} from '@mserve/contracts';
import { parseWebhookRequest } from '@mserve/webhooks';
import Joi from 'joi';
import { DEADLINE_MAX_S } from './deadline';

/** Validated request parameters. */
export interface RequestParams extends InferenceParams {
  webhook?: WebhookSubscription;
  /** The caller's deadline as epoch ms, from the `deadline` parameter. */
  deadlineAt?: number;
  priority?: JobPriority;
  /** Bulk submissions: one webhook per job (`image`) or one for the batch. */
  webhookScope?: WebhookScope;
}

const paramsSchema = Joi.object({
  samples: Joi.number().integer().min(SAMPLES_MIN).max(SAMPLES_MAX),
  alpha: Joi.number().greater(0).less(1),
  // Shape only (JSON text in a form or query string, an object in JSON); whether the URL may be called is the SSRF
  // guard's decision, a 422 rather than a 400.
  webhook: Joi.any(),
  priority: Joi.string().valid(...JOB_PRIORITIES),
  webhook_scope: Joi.string().valid(...WEBHOOK_SCOPES),
  // Read by the routes (what the answer shows), not by the job: accepted here so it is no unknown field.
  include: Joi.string().valid(...INCLUDE_VALUES, ''),
  // Seconds from now, or an RFC 3339 instant: after it a job not started is not run (it ends expired).
  deadline: Joi.alternatives()
    .try(Joi.number().greater(0).max(DEADLINE_MAX_S), Joi.date().iso())
    .messages({ 'alternatives.match': `deadline must be seconds in (0, ${DEADLINE_MAX_S}] or an ISO 8601 date-time` }),
});

/**
 * Validates the parameters of a submission (from the query string, multipart fields or a JSON body, already merged)
 * and applies the configured defaults. Any problem is a 400 VALIDATION_FAILED listing every bad field.
 */
export function parseParams(raw: Record<string, unknown>, defaults: InferenceParams): RequestParams {
  // A form field left empty is a field not given (HTML forms and Swagger UI's "Try it out" send empty fields).
  const given = Object.fromEntries(Object.entries(raw).filter(([, v]) => v !== ''));
  const { error, value } = paramsSchema.validate(given, { abortEarly: false, convert: true });
  if (error) {
    throw new AppError('VALIDATION_FAILED', error.details.map((d) => d.message.replace(/"/g, '')).join('; '));
  }
  const v = value as {
    samples?: number;
    alpha?: number;
    webhook?: unknown;
    deadline?: number | Date;
    priority?: JobPriority;
    webhook_scope?: WebhookScope;
  };
  if (v.webhook_scope === 'batch' && (v.webhook === undefined || v.webhook === '')) {
    throw new AppError('VALIDATION_FAILED', 'webhook_scope batch needs a webhook');
  }
  let webhook: WebhookSubscription | undefined;
  if (v.webhook !== undefined && v.webhook !== '') {
    const w = parseWebhookRequest(v.webhook);
    webhook = { url: w.url, events: w.events && w.events.length > 0 ? [...w.events] : [...WEBHOOK_EVENTS] };
  }
  let deadlineAt: number | undefined;
  if (v.deadline instanceof Date) {
    deadlineAt = v.deadline.getTime();
    if (deadlineAt <= Date.now()) throw new AppError('VALIDATION_FAILED', 'deadline is in the past');
  } else if (v.deadline !== undefined) deadlineAt = Date.now() + v.deadline * 1000;
  return {
    samples: v.samples ?? defaults.samples,
    alpha: v.alpha ?? defaults.alpha,
    ...(webhook ? { webhook } : {}),
    ...(deadlineAt !== undefined ? { deadlineAt } : {}),
    ...(v.priority ? { priority: v.priority } : {}),
    ...(v.webhook_scope ? { webhookScope: v.webhook_scope } : {}),
  };
}

/**
 * The `wait` query parameter of a long-poll, in seconds: absent is 0 (answer at once); anything but one number in
 * [0, maxS] is a 400 VALIDATION_FAILED.
 */
export function parseWaitSeconds(raw: unknown, maxS: number): number {
  if (raw === undefined) return 0;
  const s = Number(raw);
  if (typeof raw !== 'string' || !Number.isFinite(s) || s < 0 || s > maxS) {
    throw new AppError('VALIDATION_FAILED', `wait must be a number of seconds in [0, ${maxS}]`);
  }
  return s;
}

/**
 * Whether the caller asked for the preprocessed input with `include=input` (query string, form or JSON field);
 * any other value is a 400 VALIDATION_FAILED.
 */
export function wantsInput(raw: unknown): boolean {
  if (raw === undefined || raw === '') return false;
  if (raw === 'input') return true;
  throw new AppError('VALIDATION_FAILED', `include must be one of: ${INCLUDE_VALUES.join(', ')}`);
}
