/** BullMQ queue the gateway produces to and the workers consume; override per deployment with `QUEUE_NAME`. */
export const DEFAULT_QUEUE_NAME = 'mnist-inference';

/** BullMQ key prefix (BullMQ's own default, stated here so KEDA and dashboards can rely on it). */
export const QUEUE_PREFIX = 'bull';

/**
 * Queue of the batch jobs of synchronous predictions, next to the main queue. Its own queue because BullMQ keeps
 * finished jobs per queue (count and age trim the whole finished set): sync answers are short-lived and a batch
 * job holds many of them, so they get their own, shorter retention without cutting that of async jobs.
 */
export function syncQueueName(queueName: string): string {
  return `${queueName}-sync`;
}

/** Name given to every inference job inside the queue. */
export const INFERENCE_JOB_NAME = 'predict';

/**
 * Redis hash where each worker publishes the card of the model it serves (field: model digest, value: JSON
 * {@link ModelCard}), so the gateway can describe the served model without loading the calibration itself.
 */
export function modelCardsKey(queueName: string, prefix: string = QUEUE_PREFIX): string {
  return `${prefix}:${queueName}:mserve:models`;
}

/**
 * Queue of one model version of the repository: `<base>.<model>.v<version>` (its batch jobs in
 * `syncQueueName(...)` next to it). One queue per model version is how a job reaches a worker that hosts that
 * version: a worker consumes exactly the queues of the versions it loaded, and KEDA scales per queue, so per
 * model. Model names are limited to `[A-Za-z0-9_-]` (see `MODEL_NAME_RE`), so the name never holds the dot.
 */
export function modelQueueName(base: string, model: string, version: number): string {
  return `${base}.${model}.v${version}`;
}

/** Model names the repository accepts: a folder name that is also safe in a queue name and a URL path. */
export const MODEL_NAME_RE = /^[A-Za-z0-9_-]{1,64}$/;

/**
 * Redis hash of the state of every model version (field `<model>@<version>`, value JSON `VersionStatus`), written
 * by the workers hosting a version and read by every gateway, so all of them agree on what may take traffic.
 */
export function versionStatesKey(queueName: string, prefix: string = QUEUE_PREFIX): string {
  return `${prefix}:${queueName}:mserve:versions`;
}

/** Redis hash of the labels of every model (field: model name, value JSON `ModelLabels`); written by the admin API. */
export function modelLabelsKey(queueName: string, prefix: string = QUEUE_PREFIX): string {
  return `${prefix}:${queueName}:mserve:labels`;
}
