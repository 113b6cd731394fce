import {
  modelCardsKey,
  modelLabelsKey,
  versionStatesKey,
  type ModelCard,
  type ModelLabels,
  type VersionStatus,
} from '@mserve/contracts';
import type { RedisClient } from '@mserve/redis';
import { parseHash } from './store-scripts';

/** Where the model repository of one queue lives: the queue's name and key prefix. */
export interface RepositoryPlace {
  QUEUE_NAME: string;
  QUEUE_PREFIX: string;
}

/**
 * What workers and operators published about the models of one queue: model cards, the state of every version and
 * the labels of every model, one Redis hash each. Every gateway reads the same hashes, so a change shows on all of
 * them at their next poll.
 */
export class ModelRepositoryStore {
  constructor(
    private readonly redis: RedisClient,
    private readonly place: RepositoryPlace,
  ) {}

  /** Model cards published by workers consuming this queue (a card that does not parse is skipped). */
  async modelCards(): Promise<ModelCard[]> {
    const all = await this.redis.hgetall(modelCardsKey(this.place.QUEUE_NAME, this.place.QUEUE_PREFIX));
    return Object.values(all).flatMap((v) => {
      try {
        return [JSON.parse(v) as ModelCard];
      } catch {
        return [];
      }
    });
  }

  /** The state of every model version as the workers reported it (see `versionStatesKey`). */
  async versionStates(): Promise<Record<string, VersionStatus>> {
    return parseHash<VersionStatus>(await this.redis.hgetall(this.key('versions')));
  }

  /** The labels of every model (see `modelLabelsKey`). */
  async modelLabels(): Promise<Record<string, ModelLabels>> {
    return parseHash<ModelLabels>(await this.redis.hgetall(this.key('labels')));
  }

  /** Replaces the labels of model `name` (one HSET). */
  async setModelLabels(name: string, labels: ModelLabels): Promise<void> {
    await this.redis.hset(this.key('labels'), name, JSON.stringify(labels));
  }

  private key(which: 'versions' | 'labels'): string {
    const { QUEUE_NAME, QUEUE_PREFIX } = this.place;
    return which === 'versions' ? versionStatesKey(QUEUE_NAME, QUEUE_PREFIX) : modelLabelsKey(QUEUE_NAME, QUEUE_PREFIX);
  }
}
