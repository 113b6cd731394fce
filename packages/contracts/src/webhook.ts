import { Type, type Static } from '@sinclair/typebox';
import { InferenceResultSchema, JobFailureSchema, JobStoppedSchema } from './results';
import { StringEnum } from './string-enum';

/** Job outcomes a webhook can subscribe to, in a stable order; also the default subscription. */
export const WEBHOOK_EVENTS = ['completed', 'failed', 'canceled', 'expired'] as const;

/** A job outcome a webhook can subscribe to. */
export const WebhookEventSchema = StringEnum(WEBHOOK_EVENTS, { description: 'a job outcome' });
export type WebhookEvent = Static<typeof WebhookEventSchema>;

/** The `webhook` of a submission: where to deliver and which outcomes (all of them when `events` is absent). */
export const WebhookRequestSchema = Type.Object(
  {
    url: Type.String({ format: 'uri', maxLength: 2048 }),
    events: Type.Optional(Type.Array(WebhookEventSchema, { minItems: 1, uniqueItems: true })),
  },
  { description: 'where to deliver and which outcomes (all of them when events is absent)' },
);
export type WebhookRequest = Static<typeof WebhookRequestSchema>;

/**
 * A submission's webhook as the job payload carries it: events resolved to the outcomes to deliver. The URL has no
 * `format` here because the gateway already checked it, and the worker's payload check needs no format registry.
 */
export const WebhookSubscriptionSchema = Type.Object({
  url: Type.String({ minLength: 1 }),
  events: Type.Array(WebhookEventSchema, { minItems: 1 }),
});
export type WebhookSubscription = Static<typeof WebhookSubscriptionSchema>;

/**
 * How a bulk submission's webhook reports: `image` (the default) one delivery per job, as for single submissions;
 * `batch` one `batch.completed` delivery once every job of the batch ended.
 */
export const WEBHOOK_SCOPES = ['image', 'batch'] as const;
export const WebhookScopeSchema = StringEnum(WEBHOOK_SCOPES, {
  description:
    'bulk submissions: image (default) one webhook per job; batch one batch.completed webhook once every job ended',
});
export type WebhookScope = Static<typeof WebhookScopeSchema>;

/** The data of a `batch.completed` delivery: how each job of the batch ended (results: `GET /v1/batches/{id}`). */
export const BatchWebhookDataSchema = Type.Object(
  {
    id: Type.String({ description: 'the batch id' }),
    counts: Type.Record(Type.String(), Type.Integer({ minimum: 0 }), { description: 'jobs per final state' }),
    jobs: Type.Array(Type.Object({ id: Type.String(), status: WebhookEventSchema }), {
      description: 'every job of the batch in submission order, with the state it ended in',
    }),
  },
  { description: 'how every job of a batch ended; their results are at GET /v1/batches/{id}' },
);
export type BatchWebhookData = Static<typeof BatchWebhookDataSchema>;

/** States of a webhook delivery, as a job's `GET` shows them. */
export const WEBHOOK_DELIVERY_STATES = ['pending', 'delivering', 'delivered', 'retrying', 'dead'] as const;

/** Delivery state of a job's webhook, shown as `webhook` on the job's `GET`. */
export const WebhookDeliveryStateSchema = Type.Object(
  {
    state: StringEnum(WEBHOOK_DELIVERY_STATES),
    attempts: Type.Integer({ minimum: 0 }),
    lastStatus: Type.Union([Type.Integer(), Type.Null()], { description: 'HTTP status of the last attempt' }),
    nextAttemptAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  },
  { description: 'delivery state of the job’s webhook (present when the job has one)' },
);
export type WebhookDeliveryState = Static<typeof WebhookDeliveryStateSchema>;

const timestamp = Type.String({ format: 'date-time', description: 'when the delivery was queued, as the job ended' });

/**
 * The body of a webhook delivery (Standard Webhooks envelope `{type, timestamp, data}`): the job's result when it
 * completed, its error when it failed. Signed, and the same bytes on every attempt.
 */
export const WebhookPayloadSchema = Type.Union(
  [
    Type.Object({ type: Type.Literal('job.completed'), timestamp, data: InferenceResultSchema }),
    Type.Object({ type: Type.Literal('job.failed'), timestamp, data: JobFailureSchema }),
    Type.Object({ type: Type.Literal('job.canceled'), timestamp, data: JobStoppedSchema }),
    Type.Object({ type: Type.Literal('job.expired'), timestamp, data: JobStoppedSchema }),
    Type.Object({ type: Type.Literal('batch.completed'), timestamp, data: BatchWebhookDataSchema }),
  ],
  { description: 'the body of a webhook delivery' },
);
export type WebhookPayload = Static<typeof WebhookPayloadSchema>;
