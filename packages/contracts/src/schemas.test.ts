import type { AppError, ErrorCode } from '@mserve/common';
import type { Static } from '@sinclair/typebox';
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import {
  API_SCHEMAS,
  EXAMPLE_ACCEPTED,
  EXAMPLE_COMPLETED,
  EXAMPLE_ERROR,
  EXAMPLE_FACTS,
  EXAMPLE_FAILED,
  EXAMPLE_MODEL_CARD,
  EXAMPLE_MODELS,
  EXAMPLE_PENDING,
  EXAMPLE_RESULT,
  EXAMPLE_WEBHOOK,
  InferenceJobDataSchema,
  InputFactsSchema,
  ModelCardSchema,
  encodeTensor,
  type ApiSchemaName,
  type ErrorBody,
  type InferenceJobData,
  type InferenceResult,
  type InputFacts,
  type Job,
  type JobCompleted,
  type WebhookPayload,
} from './index';

// The validator the gateway's tests check live responses with: JSON Schema 2020-12 plus formats.
const ajv = new Ajv2020({ strict: false, allErrors: true });
addFormats(ajv);
const valid = (schema: object, value: unknown) => ajv.validate(schema, value);
const api = (name: ApiSchemaName, value: unknown) => valid(API_SCHEMAS[name], value);

/** True when A and B are the same type (each assignable to the other, `any` excluded). */
type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
const sameType = <A, B>(proof: Equal<A, B>) => proof;

describe('the contracts', () => {
  it('infer their TypeScript types from the schemas (checked by pnpm typecheck)', () => {
    sameType<InferenceResult, Static<typeof API_SCHEMAS.InferenceResult>>(true);
    sameType<Job, Static<typeof API_SCHEMAS.Job>>(true);
    sameType<InputFacts['polarity'], 'light-on-dark' | 'dark-on-light'>(true);
    sameType<ErrorBody['error']['code'], ErrorCode>(true);
    // AppError writes every error response; common cannot import this package, so its type is held equal here.
    sameType<ReturnType<AppError['toBody']>, ErrorBody>(true);
    sameType<
      WebhookPayload['type'],
      'job.completed' | 'job.failed' | 'job.canceled' | 'job.expired' | 'batch.completed'
    >(true);
    sameType<InferenceJobData['facts'], InputFacts>(true);
    // A type inferred from a schema is as strict as the schema: these do not compile.
    // @ts-expect-error status must be 'completed'
    const wrongStatus: JobCompleted = { ...EXAMPLE_COMPLETED, status: 'done' };
    // @ts-expect-error an unknown error code
    const wrongCode: ErrorBody = { error: { code: 'OOPS', message: '' } };
    // @ts-expect-error facts lack every field but width
    const partialFacts: InputFacts = { width: 2 };
    expect([wrongStatus, wrongCode, partialFacts]).toHaveLength(3);
  });

  it.each([
    ['JobAccepted', EXAMPLE_ACCEPTED],
    ['JobPending', EXAMPLE_PENDING],
    ['JobCompleted', EXAMPLE_COMPLETED],
    ['JobFailed', EXAMPLE_FAILED],
    ['Job', EXAMPLE_PENDING],
    ['Job', EXAMPLE_COMPLETED],
    ['Job', EXAMPLE_FAILED],
    ['InferenceResult', EXAMPLE_RESULT],
    ['ErrorBody', EXAMPLE_ERROR],
    ['Models', EXAMPLE_MODELS],
    ['WebhookPayload', EXAMPLE_WEBHOOK],
  ] as const)('accept the example of %s', (name, example) => {
    expect(api(name, example)).toBe(true);
  });

  it('accept the examples of the internal shapes: facts, model card and job payload', () => {
    expect(valid(InputFactsSchema, EXAMPLE_FACTS)).toBe(true);
    expect(valid(ModelCardSchema, EXAMPLE_MODEL_CARD)).toBe(true);
    const payload: InferenceJobData = {
      v: 1,
      requestId: 'r1',
      submittedAt: 1,
      input: encodeTensor(new Float32Array(784), [28, 28, 1]),
      facts: EXAMPLE_FACTS,
      params: { samples: 30, alpha: 0.05 },
      webhook: { url: 'https://hooks.example.com/x', events: ['completed'] },
    };
    expect(valid(InferenceJobDataSchema, payload)).toBe(true);
  });

  it.each([
    ['a result without its uncertainty', 'InferenceResult', { ...EXAMPLE_RESULT, result: { prediction: 7 } }],
    [
      'nine probabilities',
      'InferenceResult',
      { ...EXAMPLE_RESULT, result: { ...EXAMPLE_RESULT.result, probabilities: [1] } },
    ],
    ['an error code not in the table', 'ErrorBody', { error: { code: 'OOPS', message: 'x' } }],
    ['a pending job with status completed', 'JobPending', { ...EXAMPLE_PENDING, status: 'completed' }],
    ['a job id that is no UUID', 'JobAccepted', { ...EXAMPLE_ACCEPTED, id: 'job-1' }],
    ['an unknown webhook event', 'WebhookRequest', { url: 'https://x.example/', events: ['started'] }],
    ['a failure payload typed job.completed', 'WebhookPayload', { ...EXAMPLE_WEBHOOK, data: EXAMPLE_FAILED }],
    ['samples above the bound', 'JsonSubmission', { image: 'iVBORw0KGgo=', samples: 1001 }],
  ] as const)('refuse %s', (_what, name, value) => {
    expect(api(name, value)).toBe(false);
  });

  it('refuse facts of another polarity or with a fraction above 1', () => {
    expect(valid(InputFactsSchema, { ...EXAMPLE_FACTS, polarity: 'sideways' })).toBe(false);
    expect(valid(InputFactsSchema, { ...EXAMPLE_FACTS, inkFraction: 1.5 })).toBe(false);
  });

  it('are JSON Schema 2020-12 that ajv compiles in strict mode, formats aside', () => {
    const strict = new Ajv2020({ strict: true, allErrors: true });
    addFormats(strict);
    for (const [name, schema] of Object.entries(API_SCHEMAS)) {
      expect(() => strict.compile(schema)).not.toThrow();
      expect(name).toMatch(/^[A-Z][A-Za-z]+$/);
    }
  });
});
