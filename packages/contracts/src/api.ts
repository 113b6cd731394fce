import {
  JobAcceptedSchema,
  JobCompletedSchema,
  JobFailedSchema,
  JobPendingSchema,
  JobSchema,
  LinksSchema,
} from './job-views';
import { CalibrationSummarySchema, ModelSchema, ModelsSchema } from './models';
import { HealthSchema, ReadySchema } from './probes';
import { JsonSubmissionSchema } from './submission';
import {
  ErrorBodySchema,
  ErrorCodeSchema,
  InferenceResultSchema,
  JobFailureSchema,
  PredictionSchema,
  TimingsSchema,
  UncertaintySchema,
} from './results';
import { WebhookDeliveryStateSchema, WebhookEventSchema, WebhookPayloadSchema, WebhookRequestSchema } from './webhook';

/**
 * Every shape the HTTP API and its webhooks put on the wire, by the name the OpenAPI document gives it under
 * `components.schemas` (the gateway's document and the SDK's generated types are both built from this record).
 */
export const API_SCHEMAS = {
  JsonSubmission: JsonSubmissionSchema,
  Error: ErrorBodySchema,
  ErrorCode: ErrorCodeSchema,
  Links: LinksSchema,
  Webhook: WebhookRequestSchema,
  WebhookEvent: WebhookEventSchema,
  WebhookState: WebhookDeliveryStateSchema,
  JobAccepted: JobAcceptedSchema,
  Uncertainty: UncertaintySchema,
  Prediction: PredictionSchema,
  Timings: TimingsSchema,
  InferenceResult: InferenceResultSchema,
  JobFailure: JobFailureSchema,
  JobPending: JobPendingSchema,
  JobCompleted: JobCompletedSchema,
  JobFailed: JobFailedSchema,
  Job: JobSchema,
  Calibration: CalibrationSummarySchema,
  Model: ModelSchema,
  Models: ModelsSchema,
  Health: HealthSchema,
  Ready: ReadySchema,
  WebhookPayload: WebhookPayloadSchema,
} as const;

/** A component name of the OpenAPI document. */
export type ApiSchemaName = keyof typeof API_SCHEMAS;
