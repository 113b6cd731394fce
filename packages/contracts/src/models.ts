import { Type, type Static } from '@sinclair/typebox';
import { RepositoryModelSchema } from './repository';

/** What the workers' calibration artifact says about itself (the artifact's header, not its fitted arrays). */
export const CalibrationSummarySchema = Type.Object(
  {
    file: Type.String({ description: 'artifact path, relative to the repository root' }),
    format: Type.String(),
    version: Type.Integer(),
    createdAt: Type.String(),
    preprocessingFingerprint: Type.Union([Type.String(), Type.Null()], {
      description: 'fingerprint of the preprocessing the calibration was fitted on',
    }),
    dropout: Type.Object({ mode: Type.String(), rate: Type.Number() }),
    oodThreshold: Type.Number(),
    reliabilityThreshold: Type.Number(),
  },
  { description: 'the calibration artifact the workers use' },
);
export type CalibrationSummary = Static<typeof CalibrationSummarySchema>;

/**
 * What a worker publishes about the model it serves (see `modelCardsKey`), for the gateway's `/v1/models`.
 */
export const ModelCardSchema = Type.Object({
  name: Type.String(),
  digest: Type.String(),
  version: Type.Optional(Type.Integer({ description: 'the repository version the worker serves' })),
  inputShape: Type.Array(Type.Integer()),
  classes: Type.Integer(),
  backend: Type.Optional(Type.String()),
  calibration: Type.Union([CalibrationSummarySchema, Type.Null()]),
  uncertainty: Type.Object({
    method: Type.String({ description: 'how the estimate is made, with <samples> for the per-request count' }),
    maxSamples: Type.Integer(),
  }),
  updatedAt: Type.Number({ description: 'epoch ms of the last publication' }),
});
export type ModelCard = Static<typeof ModelCardSchema>;

/** One model of `GET /v1/models`: the gateway's own model first, then any other one workers serve. */
export const ModelSchema = Type.Object(
  {
    name: Type.String(),
    digest: Type.String(),
    inputShape: Type.Array(Type.Integer()),
    classes: Type.Union([Type.Integer(), Type.Null()], { description: 'null until a worker published its card' }),
    servedByThisGateway: Type.Optional(Type.Boolean()),
    calibration: Type.Union([CalibrationSummarySchema, Type.Null()]),
    uncertainty: Type.Object(
      {
        method: Type.Optional(Type.String()),
        maxSamples: Type.Optional(Type.Integer()),
        defaultSamples: Type.Integer(),
        samplesRange: Type.Array(Type.Integer(), { minItems: 2, maxItems: 2, description: '[min, max] samples' }),
        defaultAlpha: Type.Number(),
      },
      { description: 'method and defaults of the uncertainty estimate (the method once a worker published it)' },
    ),
    workersLastSeenAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
    preprocessing: Type.Optional(
      Type.Object(
        {
          fingerprint: Type.String(),
          matchesCalibration: Type.Union([Type.Boolean(), Type.Null()]),
        },
        {
          description:
            "this gateway's preprocessing fingerprint; matchesCalibration is false when the calibration was fitted on " +
            'other preprocessing (refit it), null when no worker has published one',
        },
      ),
    ),
  },
  { description: 'a served model' },
);
export type Model = Static<typeof ModelSchema>;

/** Body of `GET /v1/models`. */
export const ModelsSchema = Type.Object(
  {
    models: Type.Array(ModelSchema),
    repository: Type.Optional(
      Type.Array(RepositoryModelSchema, {
        description: 'every model of the model repository with its versions, their states and its labels',
      }),
    ),
  },
  { description: "this gateway's model first, then any other one workers serve" },
);
export type Models = Static<typeof ModelsSchema>;
