import {
  BatchAcceptedSchema,
  BatchSchema,
  CancelOutcomeSchema,
  JobAcceptedSchema,
  JobCanceledSchema,
  JobCompletedSchema,
  JobFailedSchema,
  JobPendingSchema,
  JobSchema,
  LinksSchema,
} from './job-views';
import { CalibrationSummarySchema, ModelSchema, ModelsSchema } from './models';
import { FeedbackRequestSchema, FeedbackSchema, MonitoringSchema, MonitoringWindowSchema } from './monitoring';
import { HealthSchema, ReadySchema } from './probes';
import { ModelInputSchema } from './model-input';
import { ModelLabelsSchema, ModelVersionViewSchema, RepositoryModelSchema, VersionStateSchema } from './repository';
import { JsonSubmissionSchema } from './submission';
import {
  ErrorBodySchema,
  ErrorCodeSchema,
  InferenceResultSchema,
  JobFailureSchema,
  JobStoppedSchema,
  PredictionSchema,
  TimingsSchema,
  UncertaintySchema,
} from './results';
import { WebhookDeliveryStateSchema, WebhookEventSchema, WebhookPayloadSchema, WebhookRequestSchema } from './webhook';

/**
 * Every shape the HTTP API and its webhooks put on the wire, by one name: the type's here, the OpenAPI document's
 * under `components.schemas`, and the SDK's generated type's (the document and the SDK are both built from this).
 */
export const API_SCHEMAS = {
  JsonSubmission: JsonSubmissionSchema,
  ErrorBody: ErrorBodySchema,
  ErrorCode: ErrorCodeSchema,
  Links: LinksSchema,
  WebhookRequest: WebhookRequestSchema,
  WebhookEvent: WebhookEventSchema,
  WebhookDeliveryState: WebhookDeliveryStateSchema,
  JobAccepted: JobAcceptedSchema,
  Uncertainty: UncertaintySchema,
  Prediction: PredictionSchema,
  Timings: TimingsSchema,
  ModelInput: ModelInputSchema,
  InferenceResult: InferenceResultSchema,
  JobFailure: JobFailureSchema,
  JobPending: JobPendingSchema,
  JobCompleted: JobCompletedSchema,
  JobFailed: JobFailedSchema,
  JobStopped: JobStoppedSchema,
  JobCanceled: JobCanceledSchema,
  Job: JobSchema,
  CancelOutcome: CancelOutcomeSchema,
  BatchAccepted: BatchAcceptedSchema,
  Batch: BatchSchema,
  CalibrationSummary: CalibrationSummarySchema,
  Model: ModelSchema,
  Models: ModelsSchema,
  VersionState: VersionStateSchema,
  ModelVersionView: ModelVersionViewSchema,
  ModelLabels: ModelLabelsSchema,
  RepositoryModel: RepositoryModelSchema,
  Health: HealthSchema,
  Ready: ReadySchema,
  WebhookPayload: WebhookPayloadSchema,
  MonitoringWindow: MonitoringWindowSchema,
  Monitoring: MonitoringSchema,
  FeedbackRequest: FeedbackRequestSchema,
  Feedback: FeedbackSchema,
} as const;

/** A component name of the OpenAPI document. */
export type ApiSchemaName = keyof typeof API_SCHEMAS;
