/** Outcomes a webhook can subscribe to. */
export type WebhookEventName = 'completed' | 'failed';

/** Status of a job as the gateway reports it. */
export type JobStatus = 'queued' | 'active' | 'completed' | 'failed';

/** Links every job representation carries. */
export interface JobLinks {
  self: string;
  wait: string;
}

/** Answer of `POST /v1/jobs` (202). */
export interface SubmitResponse {
  id: string;
  status: 'queued';
  requestId?: string;
  links: JobLinks;
}

/** Delivery state of a job's webhook. */
export interface WebhookDeliveryView {
  state: 'pending' | 'delivering' | 'delivered' | 'retrying' | 'dead';
  attempts: number;
  lastStatus: number | null;
  nextAttemptAt: string | null;
}

/** Uncertainty block of a result (the listed fields are the contract; more may come). */
export interface UncertaintyView {
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

/** Body of `GET /v1/jobs/:id` and of a successful `POST /v1/predict`. */
export interface JobView {
  id: string;
  status: JobStatus;
  requestId?: string;
  submittedAt?: string;
  finishedAt?: string;
  links?: JobLinks;
  model?: { name: string; digest: string };
  result?: {
    prediction: number;
    probabilities: number[];
    rawProbabilities?: number[];
    uncertainty: UncertaintyView;
  };
  timings?: { queuedMs: number; inferenceMs: number; totalMs: number; batchSize: number };
  error?: { code: string; message: string };
  webhook?: WebhookDeliveryView;
  [extra: string]: unknown;
}

/** A job that finished successfully. */
export type CompletedJob = JobView & { status: 'completed'; result: NonNullable<JobView['result']> };

/** Image bytes, as a file read gives them or as a Blob from a browser/fetch. */
export type ImageInput = Uint8Array | ArrayBuffer | Blob;

/** Per-request options of a submission. */
export interface SubmitOptions {
  /** Monte Carlo dropout samples. */
  samples?: number;
  /** Miscoverage level of the conformal prediction set. */
  alpha?: number;
  /** Where to be told when the job ends. */
  webhook?: { url: string; events?: WebhookEventName[] };
  /** File name sent with the upload (helps the server sniff the type in logs). */
  filename?: string;
  /** Abort the HTTP request. */
  signal?: AbortSignal;
}
