import { SAMPLES_MAX, SAMPLES_MIN, WEBHOOK_EVENTS } from '@mserve/contracts';

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const json = (schema: object, description: string) => ({ description, content: { 'application/json': { schema } } });
const error = (description: string) => json(ref('Error'), description);
const num = { type: 'number' };
const probs = { type: 'array', items: { type: 'number', minimum: 0, maximum: 1 }, minItems: 10, maxItems: 10 };

const schemas = {
  Error: {
    type: 'object',
    required: ['error'],
    properties: {
      error: {
        type: 'object',
        required: ['code', 'message'],
        properties: { code: { type: 'string' }, message: { type: 'string' }, details: { type: 'object' } },
      },
    },
  },
  Links: {
    type: 'object',
    required: ['self', 'wait'],
    properties: { self: { type: 'string' }, wait: { type: 'string' } },
  },
  Webhook: {
    type: 'object',
    required: ['url'],
    properties: {
      url: { type: 'string', format: 'uri' },
      events: { type: 'array', items: { enum: [...WEBHOOK_EVENTS] } },
    },
  },
  WebhookState: {
    type: 'object',
    description: 'delivery state of the job’s webhook (present when the job has one)',
    properties: {
      state: { type: 'string' },
      attempts: { type: 'integer' },
      lastStatus: { type: ['integer', 'null'] },
      nextAttemptAt: { type: ['string', 'null'] },
    },
  },
  JobAccepted: {
    type: 'object',
    required: ['id', 'status', 'links'],
    properties: {
      id: { type: 'string', format: 'uuid' },
      status: { const: 'queued' },
      requestId: { type: 'string' },
      links: ref('Links'),
    },
  },
  Uncertainty: {
    type: 'object',
    required: [
      'reliability',
      'reliable',
      'outOfDistribution',
      'predictionSet',
      'alpha',
      'entropy',
      'mutualInformation',
      'samples',
      'method',
    ],
    properties: {
      reliability: { type: 'number', minimum: 0, maximum: 1 },
      reliable: { type: 'boolean' },
      outOfDistribution: {
        type: 'object',
        required: ['score', 'flag'],
        properties: { score: num, flag: { type: 'boolean' } },
      },
      predictionSet: { type: 'array', items: { type: 'integer', minimum: 0, maximum: 9 } },
      alpha: { type: 'number', exclusiveMinimum: 0, exclusiveMaximum: 1 },
      entropy: num,
      mutualInformation: num,
      samples: { type: 'integer', minimum: SAMPLES_MIN, maximum: SAMPLES_MAX },
      method: { type: 'string' },
    },
  },
  JobCompleted: {
    type: 'object',
    required: ['id', 'status', 'model', 'result', 'timings'],
    properties: {
      id: { type: 'string', format: 'uuid' },
      status: { const: 'completed' },
      model: {
        type: 'object',
        required: ['name', 'digest'],
        properties: { name: { type: 'string' }, digest: { type: 'string' } },
      },
      result: {
        type: 'object',
        required: ['prediction', 'probabilities', 'rawProbabilities', 'uncertainty'],
        properties: {
          prediction: { type: 'integer', minimum: 0, maximum: 9 },
          probabilities: probs,
          rawProbabilities: probs,
          uncertainty: ref('Uncertainty'),
        },
      },
      timings: {
        type: 'object',
        required: ['queuedMs', 'inferenceMs', 'totalMs', 'batchSize'],
        properties: {
          queuedMs: { type: 'number', minimum: 0 },
          inferenceMs: { type: 'number', minimum: 0 },
          totalMs: { type: 'number', minimum: 0 },
          batchSize: { type: 'integer', minimum: 1, description: 'jobs that shared the model pass' },
        },
      },
      requestId: { type: 'string' },
      submittedAt: { type: 'string', format: 'date-time' },
      finishedAt: { type: 'string', format: 'date-time' },
      links: ref('Links'),
      webhook: ref('WebhookState'),
    },
  },
  JobPending: {
    type: 'object',
    required: ['id', 'status', 'submittedAt', 'links'],
    properties: {
      id: { type: 'string', format: 'uuid' },
      status: { enum: ['queued', 'active'] },
      requestId: { type: 'string' },
      submittedAt: { type: 'string', format: 'date-time' },
      links: ref('Links'),
      webhook: ref('WebhookState'),
    },
  },
  JobFailed: {
    type: 'object',
    required: ['id', 'status', 'error', 'links'],
    properties: {
      id: { type: 'string', format: 'uuid' },
      status: { const: 'failed' },
      error: {
        type: 'object',
        required: ['code', 'message'],
        properties: { code: { type: 'string' }, message: { type: 'string' } },
      },
      requestId: { type: 'string' },
      submittedAt: { type: 'string', format: 'date-time' },
      finishedAt: { type: 'string', format: 'date-time' },
      links: ref('Links'),
      webhook: ref('WebhookState'),
    },
  },
  Job: { oneOf: [ref('JobPending'), ref('JobCompleted'), ref('JobFailed')] },
  Models: {
    type: 'object',
    required: ['models'],
    properties: {
      models: {
        type: 'array',
        items: {
          type: 'object',
          required: ['name', 'digest', 'inputShape', 'calibration', 'uncertainty'],
          properties: {
            name: { type: 'string' },
            digest: { type: 'string' },
            inputShape: { type: 'array', items: { type: 'integer' } },
            classes: { type: ['integer', 'null'] },
            servedByThisGateway: { type: 'boolean' },
            calibration: { type: ['object', 'null'], description: 'the calibration artifact the workers use' },
            uncertainty: { type: 'object', description: 'method and defaults of the uncertainty estimate' },
            workersLastSeenAt: { type: ['string', 'null'], format: 'date-time' },
            preprocessing: {
              type: 'object',
              description:
                "this gateway's preprocessing fingerprint; matchesCalibration is false when the calibration was " +
                'fitted on other preprocessing (refit it), null when no worker has published one',
              required: ['fingerprint', 'matchesCalibration'],
              properties: { fingerprint: { type: 'string' }, matchesCalibration: { type: ['boolean', 'null'] } },
            },
          },
        },
      },
    },
  },
  Health: { type: 'object', required: ['status'], properties: { status: { const: 'ok' } } },
  Ready: {
    type: 'object',
    required: ['status', 'checks'],
    properties: {
      status: { enum: ['ready', 'not ready'] },
      checks: {
        type: 'object',
        required: ['redis', 'model', 'queueAccepting'],
        properties: { redis: { type: 'boolean' }, model: { type: 'boolean' }, queueAccepting: { type: 'boolean' } },
      },
    },
  },
};

const params = [
  {
    name: 'samples',
    in: 'query',
    description: 'Monte Carlo dropout samples (also accepted as a form or JSON field)',
    schema: { type: 'integer', minimum: SAMPLES_MIN, maximum: SAMPLES_MAX },
  },
  {
    name: 'alpha',
    in: 'query',
    description: 'conformal miscoverage level: the prediction set covers the truth with probability 1 - alpha',
    schema: { type: 'number', exclusiveMinimum: 0, exclusiveMaximum: 1 },
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
          image: { type: 'string', format: 'binary' },
          samples: { type: 'integer' },
          alpha: { type: 'number' },
          webhook: { type: 'string', description: 'JSON of {url, events?}' },
        },
      },
    },
    'image/*': { schema: { type: 'string', format: 'binary' } },
    'application/json': {
      schema: {
        type: 'object',
        required: ['image'],
        properties: {
          image: { type: 'string', contentEncoding: 'base64' },
          samples: { type: 'integer' },
          alpha: { type: 'number' },
          webhook: ref('Webhook'),
        },
      },
    },
  },
};

const submitErrors = {
  '400': error('invalid parameters or malformed upload'),
  '413': error('upload too large'),
  '415': error('unsupported content type or image format'),
  '422': error('image not decodable, blank, or webhook URL refused'),
  '429': error('backlog over MAX_QUEUE_DEPTH; see Retry-After'),
  '503': error('Redis unavailable; see Retry-After'),
};

/** The OpenAPI 3.1 description of the gateway (its schemas are JSON Schema 2020-12, checked in tests with ajv). */
export function openApiDocument() {
  return {
    openapi: '3.1.0',
    info: {
      title: 'mnist-serving gateway',
      version: '1.0.0',
      description: 'Queue-decoupled MNIST digit classification with calibrated uncertainty.',
    },
    paths: {
      '/v1/jobs': {
        post: {
          summary: 'Submit an image; returns at once with the job id',
          parameters: params,
          requestBody: upload,
          responses: { '202': json(ref('JobAccepted'), 'accepted; Location names the job'), ...submitErrors },
        },
      },
      '/v1/jobs/{id}': {
        get: {
          summary: 'A job’s status, with the result once completed; ?wait=N long-polls up to N seconds',
          parameters: [
            { name: 'id', in: 'path', required: true, schema: { type: 'string', format: 'uuid' } },
            { name: 'wait', in: 'query', schema: { type: 'number', minimum: 0, maximum: 30 } },
          ],
          responses: {
            '200': json(ref('Job'), 'the job'),
            '400': error('invalid wait'),
            '404': error('unknown job, or removed after the retention period'),
            '503': error('Redis unavailable'),
          },
        },
      },
      '/v1/predict': {
        post: {
          summary: 'Submit an image and wait for the result (SYNC_TIMEOUT_MS)',
          description:
            'Concurrent predictions are grouped into one queue job (up to PREDICT_BATCH_MAX); each keeps its own ' +
            'id (a version-8 UUID then), readable at GET /v1/jobs/{id} for the retention period.',
          parameters: params,
          requestBody: upload,
          responses: {
            '200': json(ref('JobCompleted'), 'the result, same shape as a completed job'),
            ...submitErrors,
            '500': error('inference failed; details.jobId names the job'),
            '504': error('not finished in time; details.jobId names the job to poll'),
          },
        },
      },
      '/v1/models': {
        get: {
          summary: 'The served model, its calibration artifact and uncertainty settings',
          responses: { '200': json(ref('Models'), 'models'), '503': error('Redis unavailable') },
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
    components: { schemas },
  };
}

/** A small human page for `/docs`: each operation with its summary and responses, and the JSON document's link. */
export function docsPage(doc: ReturnType<typeof openApiDocument>): string {
  const esc = (s: string) => s.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);
  const rows = Object.entries(doc.paths).flatMap(([path, ops]) =>
    Object.entries(ops as Record<string, { summary: string; responses: Record<string, { description: string }> }>).map(
      ([method, op]) =>
        `<tr><td><code>${method.toUpperCase()} ${esc(path)}</code></td><td>${esc(op.summary)}</td><td>${Object.entries(
          op.responses,
        )
          .map(([code, r]) => `<b>${code}</b> ${esc(r.description)}`)
          .join('<br>')}</td></tr>`,
    ),
  );
  return `<!doctype html><html><head><meta charset="utf-8"><title>${esc(doc.info.title)}</title>
<style>body{font-family:sans-serif;max-width:70em;margin:2em auto}td{border-top:1px solid #ccc;padding:.4em;vertical-align:top}</style>
</head><body><h1>${esc(doc.info.title)}</h1><p>${esc(doc.info.description)}</p>
<p>Machine-readable: <a href="/docs/openapi.json">OpenAPI 3.1 document</a>.</p>
<table><tr><th>operation</th><th>what</th><th>responses</th></tr>${rows.join('\n')}</table></body></html>`;
}
