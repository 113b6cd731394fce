import { Type, type Static } from '@sinclair/typebox';
import { InferenceParamsSchema } from './jobs';
import { WebhookRequestSchema } from './webhook';

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
  },
  { description: 'a JSON submission: the image and the parameters' },
);
export type JsonSubmission = Static<typeof JsonSubmissionSchema>;
