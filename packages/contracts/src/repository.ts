import { Type, type Static } from '@sinclair/typebox';
import { StringEnum } from './string-enum';

/**
 * Life of a model version: `loading` (a worker reads it), `calibrating` (no calibration artifact for its digest
 * yet; one is being fitted in the background), `ready` (a worker consumes its queue), `failed` (with a reason; it
 * never takes traffic).
 */
export const VERSION_STATES = ['loading', 'calibrating', 'ready', 'failed'] as const;
export const VersionStateSchema = StringEnum([...VERSION_STATES], { description: 'state of a model version' });
export type VersionState = Static<typeof VersionStateSchema>;

/** What Redis holds about one model version (see `versionStatesKey`). */
export const VersionStatusSchema = Type.Object({
  state: VersionStateSchema,
  reason: Type.Optional(Type.String({ description: 'why the version failed (state failed only)' })),
  digest: Type.Optional(Type.String()),
  updatedAt: Type.Number({ description: 'epoch ms of the last change' }),
});
export type VersionStatus = Static<typeof VersionStatusSchema>;

/** Labels of one model (see `modelLabelsKey`): the version `stable` names, and a canary with its traffic share. */
export const ModelLabelsSchema = Type.Object(
  {
    stable: Type.Optional(Type.Integer({ minimum: 1, description: 'version answering by default' })),
    canary: Type.Optional(Type.Integer({ minimum: 1, description: 'version taking `canaryShare` of the requests' })),
    canaryShare: Type.Optional(Type.Number({ minimum: 0, maximum: 1, description: 'share of requests to canary' })),
    shadow: Type.Optional(
      Type.Integer({
        minimum: 1,
        description:
          'version also answering `shadowShare` of the requests in shadow: its answer is compared, never returned',
      }),
    ),
    shadowShare: Type.Optional(
      Type.Number({ minimum: 0, maximum: 1, description: 'share of requests also sent to the shadow version' }),
    ),
  },
  {
    description:
      'labels of a model; without stable the latest ready version answers (a new version takes the traffic once ready)',
  },
);
export type ModelLabels = Static<typeof ModelLabelsSchema>;

/** One version in `GET /v1/models`. */
export const ModelVersionViewSchema = Type.Object({
  version: Type.Integer(),
  state: Type.Union([VersionStateSchema, Type.Literal('unknown')], {
    description: 'unknown until a worker hosting the version reported',
  }),
  reason: Type.Optional(Type.String()),
  digest: Type.Union([Type.String(), Type.Null()]),
  inputShape: Type.Union([Type.Array(Type.Integer()), Type.Null()]),
  labels: Type.Array(Type.String()),
  queue: Type.String({ description: 'BullMQ queue of the version (KEDA scales on it)' }),
});
export type ModelVersionView = Static<typeof ModelVersionViewSchema>;

/** What this gateway saw of a shadow version's answers since it started (see the `shadow` label). */
export const ShadowStatsSchema = Type.Object(
  {
    version: Type.Integer({ description: 'the shadow version' }),
    share: Type.Number({ description: 'share of requests also sent to it' }),
    requests: Type.Integer({ description: 'requests it answered in shadow next to an answer returned' }),
    disagreements: Type.Integer({ description: 'of those, how many with another predicted digit' }),
    errors: Type.Integer({ description: 'shadow requests it failed while the answer returned succeeded' }),
    meanReliabilityDelta: Type.Union([Type.Number(), Type.Null()], {
      description: "mean of its reliability minus the returned answer's (null before the first)",
    }),
  },
  { description: "this gateway's tally of the shadow version's answers (each gateway counts its own requests)" },
);
export type ShadowStats = Static<typeof ShadowStatsSchema>;

/** One model of the repository in `GET /v1/models`. */
export const RepositoryModelSchema = Type.Object({
  name: Type.String(),
  default: Type.Boolean({ description: 'the model of requests that name none' }),
  versions: Type.Array(ModelVersionViewSchema),
  labels: ModelLabelsSchema,
  servingVersion: Type.Union([Type.Integer(), Type.Null()], {
    description: 'the version a request naming no version or label goes to (besides the canary share)',
  }),
  shadow: Type.Optional(Type.Array(ShadowStatsSchema, { description: 'shadow versions seen by this gateway' })),
});
export type RepositoryModel = Static<typeof RepositoryModelSchema>;

/** Body of `PUT /v1/models/{name}/labels`: the labels to set (absent ones are cleared). */
export const LabelsRequestSchema = ModelLabelsSchema;
