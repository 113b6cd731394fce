import { Type, type Static } from '@sinclair/typebox';
import { ModelInputSchema } from './model-input';
import { InferenceResultSchema, JobFailureSchema, JobStoppedSchema } from './results';
import { StringEnum } from './string-enum';
import { WebhookDeliveryStateSchema } from './webhook';

/** Links every job representation carries. */
export const LinksSchema = Type.Object(
  {
    self: Type.String({ description: 'the job: GET /v1/jobs/{id}' }),
    wait: Type.String({
      description: "the job with ?wait= the gateway's MAX_WAIT_S: a long-poll as long as the gateway allows",
    }),
  },
  { description: 'where to read the job' },
);
export type Links = Static<typeof LinksSchema>;

const jobId = Type.String({ format: 'uuid' });
const requestId = Type.Optional(Type.String({ description: 'X-Request-Id of the submission' }));
const submittedAt = Type.String({ format: 'date-time' });
const finishedAt = Type.Optional(Type.String({ format: 'date-time' }));
const webhook = Type.Optional(WebhookDeliveryStateSchema);

/** Answer of `POST /v1/jobs` (202). */
export const JobAcceptedSchema = Type.Object(
  {
    id: jobId,
    status: StringEnum(['queued', 'active'], {
      description: 'queued; active only when a replayed Idempotency-Key names a job already running',
    }),
    requestId,
    links: LinksSchema,
  },
  { description: 'a job accepted into the queue' },
);
export type JobAccepted = Static<typeof JobAcceptedSchema>;

/** A job not finished yet. */
export const JobPendingSchema = Type.Object(
  {
    id: jobId,
    status: StringEnum(['queued', 'active']),
    requestId,
    submittedAt,
    links: LinksSchema,
    webhook,
  },
  { description: 'a job waiting for a worker (queued) or being run (active)' },
);
export type JobPending = Static<typeof JobPendingSchema>;

/** A completed job: the worker's result plus what the gateway knows about the job. */
export const JobCompletedSchema = Type.Composite(
  [
    InferenceResultSchema,
    Type.Object({
      submittedAt: Type.Optional(submittedAt),
      finishedAt,
      links: Type.Optional(LinksSchema),
      webhook,
      input: Type.Optional(ModelInputSchema),
    }),
  ],
  { description: "a completed job: the worker's result plus what the gateway knows about the job" },
);
export type JobCompleted = Static<typeof JobCompletedSchema>;

/** What the gateway knows about a job that ended without a result (failed, canceled, expired). */
const endedJobFields = Type.Object({
  requestId,
  submittedAt: Type.Optional(submittedAt),
  finishedAt,
  links: LinksSchema,
  webhook,
});

/** A failed job: its error plus what the gateway knows about the job. */
export const JobFailedSchema = Type.Composite([JobFailureSchema, endedJobFields], {
  description: 'a failed job: its error plus what the gateway knows about the job',
});
export type JobFailed = Static<typeof JobFailedSchema>;

/** A canceled or expired job: why it stopped plus what the gateway knows about the job. */
export const JobCanceledSchema = Type.Composite([JobStoppedSchema, endedJobFields], {
  description: 'a job canceled by request, or expired before a worker started it',
});
export type JobCanceled = Static<typeof JobCanceledSchema>;

/** Body of `GET /v1/jobs/{id}`, told apart by `status`. */
export const JobSchema = Type.Union([JobPendingSchema, JobCompletedSchema, JobFailedSchema, JobCanceledSchema], {
  description: 'a job in any state, told apart by status',
});
export type Job = Static<typeof JobSchema>;

/** Client-facing job states. BullMQ's waiting, prioritized and delayed are all "queued" to a client. */
export type JobStatus = Job['status'];

/** Answer of `POST /v1/jobs/{id}/cancel` (and `DELETE /v1/jobs/{id}`). */
export const CancelOutcomeSchema = Type.Object(
  {
    canceled: Type.Boolean({
      description: 'true when the job ends canceled (it never ran, or was stopped before its inference)',
    }),
    message: Type.String({ description: 'what happened, for people' }),
    job: JobSchema,
  },
  { description: 'what a cancel did, and the job as it stands after it' },
);
export type CancelOutcome = Static<typeof CancelOutcomeSchema>;

/** Links of a batch. */
const BatchLinksSchema = Type.Object({
  self: Type.String({ description: 'the batch: GET /v1/batches/{id}' }),
  wait: Type.String({ description: "the batch with ?wait= the gateway's MAX_WAIT_S" }),
});

/** Answer of a bulk `POST /v1/jobs` (202): one job per image, in upload order, and the batch naming them. */
export const BatchAcceptedSchema = Type.Object(
  {
    id: Type.String({ format: 'uuid', description: 'the batch id' }),
    status: Type.Literal('queued'),
    jobs: Type.Array(Type.Object({ id: jobId, links: LinksSchema }), { description: 'one per image, in order' }),
    links: BatchLinksSchema,
  },
  { description: 'a bulk submission accepted: one job per image and the batch' },
);
export type BatchAccepted = Static<typeof BatchAcceptedSchema>;

/** Body of `GET /v1/batches/{id}`. */
export const BatchSchema = Type.Object(
  {
    id: Type.String({ format: 'uuid' }),
    done: Type.Boolean({ description: 'true once every job ended' }),
    counts: Type.Record(Type.String(), Type.Integer({ minimum: 0 }), { description: 'jobs per status' }),
    jobs: Type.Array(JobSchema, { description: 'the jobs, in upload order (a job past retention is left out)' }),
    links: BatchLinksSchema,
  },
  { description: 'a bulk submission: its jobs and how many are in each state' },
);
export type Batch = Static<typeof BatchSchema>;
