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
