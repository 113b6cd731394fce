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
  ],
  { description: 'the body of a webhook delivery' },
);
export type WebhookPayload = Static<typeof WebhookPayloadSchema>;
