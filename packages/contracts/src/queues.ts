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

/**
 * The queues jobs are spread over (`QUEUE_SHARDS`). One shard keeps the queue name as it is. More shards get
 * names of their own, each hash-tagged (`{mnist-inference.0-3}`, ...) so that on a Redis Cluster every key of one
 * shard (and of its sync queue: `syncQueueName` appends outside the braces) sits in one slot, as BullMQ's scripts
 * and the gateway's require. The tag of shard i is the first `{<name>.<i>-<k>}` whose slot lies in the i-th
 * N-th of the slot space: a cluster whose slots are split evenly over N primaries (as `redis-cli --cluster create`
 * splits them) holds one shard on each primary, where plain `{<name>.<i>}` tags could share one by chance.
 */
export function queueShards(queueName: string, shards: number): string[] {
  if (shards <= 1) return [queueName];
  const base = queueName.replace(/[{}]/g, '');
  return Array.from({ length: shards }, (_, i) => {
    const from = Math.ceil((i * SLOTS) / shards);
    const to = Math.ceil(((i + 1) * SLOTS) / shards);
    for (let k = 0; ; k++) {
      const tag = `${base}.${i}-${k}`;
      const slot = crc16(tag) % SLOTS;
      if (slot >= from && slot < to) return `{${tag}}`;
    }
  });
}

/** Hash slots of a Redis Cluster. */
const SLOTS = 16384;

/** CRC16-XMODEM of `text`'s UTF-8 bytes: Redis Cluster's key hash (the slot is this modulo 16384). */
export function crc16(text: string): number {
  let crc = 0;
  for (const byte of Buffer.from(text, 'utf8')) {
    crc ^= byte << 8;
    for (let b = 0; b < 8; b++) crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
  }
  return crc;
}

/**
 * The shard of a job, from its id alone (FNV-1a of the id): every gateway finds any job's queue without a lookup,
 * and ids are random, so jobs spread evenly. A grouped prediction's id goes through its batch id.
 */
export function shardOf(jobId: string, shards: number): number {
  if (shards <= 1) return 0;
  let h = 0x811c9dc5;
  for (let i = 0; i < jobId.length; i++) {
    h ^= jobId.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h % shards;
}
