import { parseEnv } from '@mserve/common';
import {
  API_SCHEMAS,
  DEFAULT_ALPHA,
  DeadlineSchema,
  JobPrioritySchema,
  WebhookScopeSchema,
  EXAMPLE_ACCEPTED,
  EXAMPLE_COMPLETED,
  EXAMPLE_FAILED,
  EXAMPLE_MODELS,
  EXAMPLE_PENDING,
  EXAMPLE_WEBHOOK,
  IncludeSchema,
  InferenceParamsSchema,
  schemasWithRefs,
  type ApiSchemaName,
} from '@mserve/contracts';
import { BULK_MAX_IMAGES } from './pipeline/bulk';
import { IDEMPOTENCY_KEY_MAX } from './pipeline/idempotency';
import { CANCEL_WAIT_MS } from './pipeline/service';
import { gatewayEnvSpec, type GatewayConfig } from './config';
import { error, headersTooLarge, retryAfter } from './openapi-errors';
import { monitoringPaths } from './openapi-monitoring';
import { withBearerAuth } from './openapi-security';

const SCHEMAS = '#/components/schemas/';
/** `include=input`: the answer of a completed job shows the preprocessed image the model saw. */
const includeParam = {
  name: 'include',
  in: 'query',
  description:
    'input: a completed job’s answer also carries `input`, the 28x28 image the model saw after preprocessing ' +
    '(grey bytes in base64; also a form or JSON field on submissions). Left out by default.',
  schema: JSON.parse(JSON.stringify(IncludeSchema)) as object,
};
const preferenceApplied = {
  description: 'the Prefer preferences honoured (RFC 7240): respond-async, wait=N',
  schema: { type: 'string' },
};
const replayed = {
  description: 'true when the answer is the job an earlier request with the same Idempotency-Key made',
  schema: { type: 'string', enum: ['true'] },
};
const ref = (name: ApiSchemaName) => ({ $ref: `${SCHEMAS}${name}` });
const json = (schema: object, description: string, extra: object = {}) => ({
  description,
  content: { 'application/json': { schema, ...extra } },
});
/** A schema of the contracts as plain JSON (without TypeBox's symbol markers). */
const plain = (schema: object): object => JSON.parse(JSON.stringify(schema)) as object;

/** The settings of the gateway the document quotes (limits a client needs to know). */
export type OpenApiSettings = Pick<
  GatewayConfig,
  'MAX_WAIT_S' | 'MAX_UPLOAD_BYTES' | 'MAX_QUEUE_DEPTH' | 'SYNC_TIMEOUT_MS' | 'IDEMPOTENCY_TTL_S' | 'MAX_QUEUE_TIME_S'
> &
  Partial<Pick<GatewayConfig, 'AUTH_MODE'>>;

function submission(settings: OpenApiSettings) {
  const params = [
    {
      name: 'samples',
      in: 'query',
      description: 'Monte Carlo dropout samples (also accepted as a form or JSON field)',
      schema: plain(InferenceParamsSchema.properties.samples),
    },
    {
      name: 'alpha',
      in: 'query',
      description: 'conformal miscoverage level: the prediction set covers the truth with probability 1 - alpha',
      schema: plain(InferenceParamsSchema.properties.alpha),
    },
    {
      name: 'priority',
      in: 'query',
      description:
        'high, normal (default) or low: a worker takes every waiting high job before a normal one, normal before ' +
        'low (also a form or JSON field; a low job waits at most MAX_QUEUE_TIME_S, then ends expired)',
      schema: plain(JobPrioritySchema),
    },
    includeParam,
    {
      name: 'deadline',
      in: 'query',
      description:
        'seconds from now, or an RFC 3339 instant: a job not started by then is not run and ends expired ' +
        `(also a form or JSON field; the earlier of this, Cancel-After and MAX_QUEUE_TIME_S, ` +
        `${settings.MAX_QUEUE_TIME_S} s here, applies)`,
      schema: plain(DeadlineSchema),
    },
    {
      name: 'Cancel-After',
      in: 'header',
      description: 'the same deadline as a duration from now (as Replicate has it): 30s, 5m, 1h30m, or seconds',
      schema: { type: 'string', pattern: '^(\\d+(\\.\\d+)?|(\\d+(\\.\\d+)?(ms|s|m|h))+)$' },
    },
    {
      name: 'Idempotency-Key',
      in: 'header',
      description:
        'IETF httpapi Idempotency-Key (a Structured Field string, or a bare token): a retry with the same key and ' +
        `the same request gets the job the first one made, for IDEMPOTENCY_TTL_S (${settings.IDEMPOTENCY_TTL_S} s ` +
        'here) after it was accepted; keys are per caller. On /v1/predict the prediction becomes a job of its own.',
      schema: { type: 'string', minLength: 1, maxLength: IDEMPOTENCY_KEY_MAX },
    },
  ];
  const upload = {
    required: true,
    content: {
      'multipart/form-data': {
        schema: {
          type: 'object',
          required: ['image'],
          properties: {
            image: {
              type: 'string',
              format: 'binary',
              description: 'the image file; a file under any other field name is refused with 400',
            },
            // The examples are what Swagger UI's "Try it out" pre-fills: valid values, and empty optional fields.
            samples: { ...plain(InferenceParamsSchema.properties.samples), example: 30 },
            alpha: { ...plain(InferenceParamsSchema.properties.alpha), example: DEFAULT_ALPHA },
            webhook: { type: 'string', description: 'JSON text of a Webhook: {url, events?}', example: '' },
            deadline: { type: 'string', description: 'seconds from now, or an RFC 3339 instant', example: '' },
            priority: { type: 'string', enum: ['high', 'normal', 'low'], example: 'normal' },
            webhook_scope: {
              type: 'string',
              enum: ['image', 'batch', ''],
              description: 'bulk only: see POST /v1/jobs',
              example: '',
            },
            include: {
              type: 'string',
              enum: ['input', ''],
              description: 'input: the answer shows the model input',
              example: '',
            },
          },
        },
      },
      'image/*': { schema: { type: 'string', format: 'binary' } },
      'application/json': { schema: ref('JsonSubmission') },
    },
  };
  const errors = {
    '400': error(
      400,
      'invalid parameters or malformed upload: a multipart file not in the field `image`, or a JSON `image` that ' +
        'is neither base64 nor a base64 data: URL',
    ),
    '413': error(
      413,
      `body over MAX_UPLOAD_BYTES (${settings.MAX_UPLOAD_BYTES} bytes here), or an image over the decoder's ` +
        'pixel limit; the message states the limit',
    ),
    '409': error(
      409,
      'a request with the same Idempotency-Key is still being accepted (retry shortly); on /v1/predict also a ' +
        'prediction canceled before it ended',
    ),
    '415': error(415, 'unsupported content type or image format'),
    '422': error(
      422,
      'image not decodable, empty, blank (no ink) or too small, webhook URL refused, or an Idempotency-Key ' +
        'already used with a different request',
    ),
    '429': error(
      429,
      `backlog at MAX_QUEUE_DEPTH (${settings.MAX_QUEUE_DEPTH} waiting jobs here), the tenant at TENANT_MAX_JOBS, or the API key over its rate (RateLimit headers)`,
      retryAfter,
    ),
    '431': headersTooLarge,
    '503': error(503, 'Redis unavailable', retryAfter),
  };
  return { params, upload, errors };
}

/** The upload of `POST /v1/jobs`: one image as for a prediction, or several (bulk). */
function bulkUpload(upload: ReturnType<typeof submission>['upload']) {
  const content = upload.content;
  const bulkJson = {
    type: 'object',
    required: ['images'],
    properties: {
      images: {
        type: 'array',
        minItems: 2,
        maxItems: BULK_MAX_IMAGES,
        items: { type: 'string', minLength: 1 },
        description: 'the images, each as base64 or a data: URL; the other members are parameters for every job',
      },
      webhook_scope: plain(WebhookScopeSchema),
    },
  };
  return {
    ...upload,
    content: {
      ...content,
      'application/json': { schema: { oneOf: [content['application/json'].schema, bulkJson] } },
    },
  };
}

/** `POST /v1/jobs/{id}/cancel` and `DELETE /v1/jobs/{id}`. */
function cancelOperation() {
  return {
    summary: 'Cancel a job; idempotent',
    description:
      'A queued job ends canceled and never runs (webhook event canceled). A running job is stopped if its ' +
      'worker has not started its inference yet, else it completes: `canceled` says which, after waiting up to ' +
      `${CANCEL_WAIT_MS / 1000} s for it to end. Canceling a canceled job answers the same again.`,
    parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string', format: 'uuid' } }],
    responses: {
      '200': json(ref('CancelOutcome'), 'what the cancel did, and the job'),
      '400': error(400, 'the job id in the path is not valid percent-encoding'),
      '404': error(404, 'unknown job, or removed after the retention period'),
      '409': error(
        409,
        'the job already ended (completed, failed or expired), or it is a synchronous prediction grouped into a ' +
          'batch job (CANCEL_UNSUPPORTED)',
      ),
      '431': headersTooLarge,
      '503': error(503, 'Redis unavailable', retryAfter),
    },
  };
}

/**
 * The OpenAPI 3.1 description of the gateway. Its `components.schemas` are the contracts' `API_SCHEMAS` (JSON
 * Schema 2020-12, each nested named schema turned into a `$ref`); only the operations are written here. The
 * gateway's tests check live responses against it with ajv.
 */
export function openApiDocument(settings: OpenApiSettings = parseEnv(gatewayEnvSpec, {})) {
  const { params, upload, errors } = submission(settings);
  const wait = `?wait=${settings.MAX_WAIT_S}`;
  return withBearerAuth(documentWithoutAuth(settings, params, upload, errors, wait), settings.AUTH_MODE);
}

function documentWithoutAuth(
  settings: OpenApiSettings,
  params: ReturnType<typeof submission>['params'],
  upload: ReturnType<typeof submission>['upload'],
  errors: ReturnType<typeof submission>['errors'],
  wait: string,
) {
  return {
    openapi: '3.1.0',
    info: {
      title: 'mnist-serving gateway',
      version: '1.0.0',
      description:
        'Queue-decoupled MNIST digit classification with calibrated uncertainty. Any other method on these ' +
        'paths answers 405 METHOD_NOT_ALLOWED with an Allow header naming the methods the path has. The same ' +
        'gateway also speaks two standard protocols, in their own formats and described by their own documents ' +
        'rather than here: the Open Inference Protocol v2 REST API under /v2 (server and model metadata, health, ' +
        'readiness, infer with FP32 tensors or BYTES inputs of encoded images; errors as {"error": "..."}) and ' +
        "TF Serving's REST API (POST /v1/models/{name}[/versions/{v}|/labels/{l}]:predict, GET " +
        '/v1/models/{name}[/versions/{v}][/metadata]). Both use the same API keys and scopes as /v1.',
    },
    paths: {
      '/v1/jobs': {
        post: {
          summary: 'Submit an image (or several: one job each, and a batch); returns at once with the job id',
          description:
            `Bulk: several \`image\` parts in a multipart upload, or a JSON \`images\` array (at most ${BULK_MAX_IMAGES}), ` +
            'make one job per image (all accepted or none; a refused image is named by its index) and a batch ' +
            'to read them all at GET /v1/batches/{id}. Each job carries the webhook, if any (one per image); with ' +
            '`webhook_scope` batch (a form or JSON field) the batch gets one `batch.completed` delivery instead, ' +
            'once every job ended, naming how each ended. An Idempotency-Key covers the whole submission.',
          parameters: params,
          requestBody: bulkUpload(upload),
          responses: {
            '200': {
              ...json(ref('Job'), 'a replayed Idempotency-Key whose job has ended: the job, as GET returns it'),
              headers: { 'Idempotent-Replayed': replayed },
            },
            '202': {
              ...json(
                { anyOf: [ref('JobAccepted'), ref('BatchAccepted')] },
                'accepted (or a replayed Idempotency-Key whose job has not ended yet); a bulk submission: its jobs ' +
                  'and the batch (Location names the batch)',
                { example: EXAMPLE_ACCEPTED },
              ),
              headers: {
                Location: { description: 'the job', schema: { type: 'string' } },
                'Idempotent-Replayed': replayed,
              },
            },
            ...errors,
          },
        },
      },
      '/v1/jobs/{id}': {
        get: {
          summary: `A job’s status, with the result once completed; ${wait} long-polls until it ends`,
          parameters: [
            { name: 'id', in: 'path', required: true, schema: { type: 'string', format: 'uuid' } },
            {
              name: 'wait',
              in: 'query',
              description: 'seconds to wait for the job to end (at most MAX_WAIT_S; links.wait uses it)',
              schema: { type: 'number', minimum: 0, maximum: settings.MAX_WAIT_S },
            },
            includeParam,
          ],
          responses: {
            '200': json(ref('Job'), 'the job', {
              examples: {
                pending: { value: EXAMPLE_PENDING },
                completed: { value: EXAMPLE_COMPLETED },
                failed: { value: EXAMPLE_FAILED },
              },
            }),
            '400': error(
              400,
              `invalid wait (a number of seconds in [0, ${settings.MAX_WAIT_S}]) or include, or a job id that is not ` +
                'valid percent-encoding',
            ),
            '404': error(404, 'unknown job, or removed after the retention period'),
            '431': headersTooLarge,
            '503': error(503, 'Redis unavailable', retryAfter),
          },
        },
        delete: { ...cancelOperation(), summary: 'Cancel a job (the same as POST /v1/jobs/{id}/cancel)' },
      },
      '/v1/batches/{id}': {
        get: {
          summary: `A bulk submission’s jobs; ${wait} long-polls until every one ended`,
          parameters: [
            { name: 'id', in: 'path', required: true, schema: { type: 'string', format: 'uuid' } },
            {
              name: 'wait',
              in: 'query',
              description: 'seconds to wait for every job to end (at most MAX_WAIT_S)',
              schema: { type: 'number', minimum: 0, maximum: settings.MAX_WAIT_S },
            },
          ],
          responses: {
            '200': json(ref('Batch'), 'the batch'),
            '400': error(400, `invalid wait (a number of seconds in [0, ${settings.MAX_WAIT_S}])`),
            '404': error(404, 'unknown batch, or removed after the retention period'),
            '431': headersTooLarge,
            '503': error(503, 'Redis unavailable', retryAfter),
          },
        },
      },
      '/v1/jobs/{id}/cancel': {
        post: cancelOperation(),
      },
      '/v1/predict': {
        post: {
          summary: `Submit an image and wait for the result (SYNC_TIMEOUT_MS: ${settings.SYNC_TIMEOUT_MS} ms here)`,
          description:
            'Concurrent predictions are grouped into one queue job (up to PREDICT_BATCH_MAX); each keeps its own ' +
            'id (a version-8 UUID then), readable at GET /v1/jobs/{id} for the retention period. A job that fails ' +
            'answers the status of its error code, with details.jobId.',
          parameters: [
            ...params,
            {
              name: 'Prefer',
              in: 'header',
              description:
                'RFC 7240: respond-async answers 202 with the job at once (a job of its own, as POST /v1/jobs ' +
                `makes); wait=N waits at most N s (capped at MAX_WAIT_S, ${settings.MAX_WAIT_S} s here), then ` +
                'answers 202 with the job instead of a 504. Other preferences are ignored; Preference-Applied ' +
                'echoes what was honoured.',
              schema: { type: 'string' },
            },
          ],
          requestBody: upload,
          responses: {
            '200': {
              ...json(ref('JobCompleted'), 'the result, same shape as a completed job', {
                example: EXAMPLE_COMPLETED,
              }),
              headers: { 'Preference-Applied': preferenceApplied },
            },
            '202': {
              ...json(
                ref('JobAccepted'),
                'Prefer: respond-async, or Prefer: wait=N passed before the job ended: the job to poll (Location)',
              ),
              headers: {
                Location: { description: 'the job', schema: { type: 'string' } },
                'Preference-Applied': preferenceApplied,
              },
            },
            ...errors,
            '410': error(410, 'the prediction expired: not started before its deadline; details.jobId names the job'),
            '500': error(500, 'inference failed; details.jobId names the job'),
            '504': {
              ...error(504, `not finished in time; details.jobId names the job to poll (Location, links.wait)`),
              headers: { Location: { description: 'the job', schema: { type: 'string' } } },
            },
          },
        },
      },
      ...monitoringPaths(),
      '/v1/models': {
        get: {
          summary: 'The served model, its calibration artifact and uncertainty settings',
          responses: {
            '200': json(ref('Models'), 'models', { example: EXAMPLE_MODELS }),
            '431': headersTooLarge,
            '503': error(503, 'Redis unavailable', retryAfter),
          },
        },
      },
      '/healthz': { get: { summary: 'Liveness', responses: { '200': json(ref('Health'), 'alive') } } },
      '/readyz': {
        get: {
          summary: 'Readiness: Redis reachable, model known, queue accepting',
          responses: { '200': json(ref('Ready'), 'ready'), '503': json(ref('Ready'), 'not ready') },
        },
      },
      '/metrics': {
        get: {
          summary: 'Prometheus metrics',
          responses: { '200': { description: 'text exposition format', content: { 'text/plain': {} } } },
        },
      },
    },
    webhooks: {
      jobEnded: {
        post: {
          summary: 'Sent to a submission’s webhook URL when its job ends, for the events it subscribed to',
          description:
            'Standard Webhooks: signed with the webhook-id, webhook-timestamp and webhook-signature headers; ' +
            'webhook-id is the same on every attempt (deduplicate on it).',
          requestBody: {
            required: true,
            content: { 'application/json': { schema: ref('WebhookPayload'), example: EXAMPLE_WEBHOOK } },
          },
          responses: {
            '2XX': { description: 'delivered; any other answer is retried on the notifier’s schedule' },
            '410': { description: 'gone: the delivery stops at once (dead-lettered)' },
          },
        },
      },
    },
    components: {
      schemas: schemasWithRefs(API_SCHEMAS, SCHEMAS),
      responses: {
        MethodNotAllowed: {
          ...error(405, 'the path does not have this method'),
          headers: { Allow: { description: 'the methods the path has', schema: { type: 'string' } } },
        },
      },
    },
  };
}
