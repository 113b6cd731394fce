import { Type, type Static } from '@sinclair/typebox';
import { IncludeSchema } from './model-input';
import { InferenceParamsSchema, JobPrioritySchema } from './jobs';
import { WebhookRequestSchema } from './webhook';

/** A caller's deadline: seconds from submission, or an instant; a job not started by then ends expired. */
export const DeadlineSchema = Type.Union(
  [Type.Number({ exclusiveMinimum: 0, maximum: 7 * 86_400 }), Type.String({ format: 'date-time' })],
  {
    description:
      'seconds from submission (at most a week), or an RFC 3339 instant: a job not started by then is not run ' +
      'and ends expired (the earlier of this and the gateway’s MAX_QUEUE_TIME_S applies)',
  },
);

/**
 * A JSON submission to `POST /v1/jobs` or `POST /v1/predict` (the multipart and raw-body forms carry the same
 * parameters as form fields or in the query string).
 */
export const JsonSubmissionSchema = Type.Object(
  {
    image: Type.String({
      minLength: 1,
      description: 'the image file as base64, or as a data: URL (data:image/png;base64,...)',
    }),
    samples: Type.Optional(InferenceParamsSchema.properties.samples),
    alpha: Type.Optional(InferenceParamsSchema.properties.alpha),
    webhook: Type.Optional(WebhookRequestSchema),
    deadline: Type.Optional(DeadlineSchema),
    priority: Type.Optional(JobPrioritySchema),
    include: Type.Optional(IncludeSchema),
  },
  { description: 'a JSON submission: the image and the parameters' },
);
export type JsonSubmission = Static<typeof JsonSubmissionSchema>;
