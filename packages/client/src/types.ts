import type {
  Batch,
  BatchAccepted,
  CancelOutcome,
  Job,
  JobAccepted,
  JobCompleted,
  Links,
  Uncertainty,
  WebhookDeliveryState,
  WebhookEvent,
  WebhookRequest,
} from './wire';

// The wire shapes come from `wire.ts`, generated from @mserve/contracts; these are the SDK's names for them.

/** Outcomes a webhook can subscribe to. */
export type WebhookEventName = WebhookEvent;

/** Status of a job as the gateway reports it. */
export type JobStatus = Job['status'];

/** Links every job representation carries. */
export type JobLinks = Links;

/** Answer of `POST /v1/jobs` (202). */
export type SubmitResponse = JobAccepted;

/** Delivery state of a job's webhook. */
export type WebhookDeliveryView = WebhookDeliveryState;

/** Uncertainty block of a result. */
export type UncertaintyView = Uncertainty;

/** Body of `GET /v1/jobs/:id`: pending, completed or failed, told apart by `status`. */
export type JobView = Job;

/** Answer of a bulk submission: one job per image, in order, and the batch id. */
export type BatchSubmitResponse = BatchAccepted;

/** Body of `GET /v1/batches/:id`: the jobs, counts per status, and whether all ended. */
export type BatchView = Batch;

/** Answer of a cancel: whether the job ends canceled, why, and the job. */
export type CancelResponse = CancelOutcome;

/** A job that finished successfully: the body of a successful `POST /v1/predict`. */
export type CompletedJob = JobCompleted;

/** Image bytes, as a file read gives them or as a Blob from a browser/fetch. */
export type ImageInput = Uint8Array | ArrayBuffer | Blob;

/** Per-request options of a submission. */
export interface SubmitOptions {
  /** Monte Carlo dropout samples. */
  samples?: number;
  /** Miscoverage level of the conformal prediction set. */
  alpha?: number;
  /** Where to be told when the job ends. */
  webhook?: WebhookRequest;
  /** File name sent with the upload (helps the server sniff the type in logs). */
  filename?: string;
  /**
   * `Idempotency-Key` header: retries with the same key (and the same request) get the job the first one made, so
   * with a key the client also retries 503s and a 409 for a first request still being accepted.
   */
  idempotencyKey?: string;
  /**
   * Seconds from now (or a Date): a job not started by then is not run and ends `expired` (sent as `deadline`;
   * the gateway's MAX_QUEUE_TIME_S applies when earlier).
   */
  deadline?: number | Date;
  /** high, normal (default) or low: a worker takes waiting high jobs first, low ones last. */
  priority?: 'high' | 'normal' | 'low';
  /** Model of the repository to run (`GET /v1/models`); the gateway's default model when absent. */
  model?: string;
  /** Version of the model; its serving version (stable label, canary share) when absent. */
  version?: number;
  /** Label of the model's version to run (`stable`, `canary`), instead of a version. */
  label?: string;
  /** Abort the HTTP request. */
  signal?: AbortSignal;
}
