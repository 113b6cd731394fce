/**
 * `@mserve/model-runtime/repository`: the model repository (TF Serving layout or a JSON file of folders), the
 * version policy and the routing of requests to versions. Loads no tfjs: the gateway uses it.
 */
export {
  MODEL_NAME_RE,
  folderSignature,
  readRepository,
  readRepositoryFile,
  readRepositoryFolder,
  singleModelRepository,
  type RepositoryFile,
  type RepositoryListing,
  type RepositoryModelListing,
  type RepositoryVersion,
} from './listing';
export { applyVersionPolicy, parseVersionPolicy, type VersionPolicy } from './policy';
export {
  chooseVersion,
  labelsOf,
  servingVersion,
  shadowVersion,
  type RouteChoice,
  type ModelLabels,
  type RoutableVersion,
  type VersionState,
  type VersionRequest,
} from './routing';
