import { queueShards, shardOf } from '@mserve/contracts';
import { redisCli, startClusterTopology, uniqueQueue, type ClusterTopology } from '@mserve/testkit';
import { describeLoadSuite } from '../load-suite';
import { writeHaReport } from './report';

/**
 * The serving suite's load test, unchanged, on a real Redis Cluster of three primaries with the jobs spread over
 * three hash-tagged queue shards: every BullMQ script and every script of the gateway must keep to one slot, and
 * the shards must land on different primaries.
 */
const SHARDS = 3;
const queue = uniqueQueue('ha-cluster');
let cluster: ClusterTopology;

beforeAll(async () => {
  cluster = await startClusterTopology(SHARDS);
}, 60_000);

describeLoadSuite({
  env: () => ({
    REDIS_CLUSTER_NODES: cluster.nodeList,
    QUEUE_NAME: queue,
    QUEUE_SHARDS: String(SHARDS),
    LOG_LEVEL: 'warn',
  }),
  reportSuffix: '-cluster',
  startMs: 180_000,
  afterJobs: async (ids) => {
    const shards = queueShards(queue, SHARDS);
    const perPort = new Map<number, number>();
    const perShard = shards.map(() => 0);
    for (const id of ids) {
      const s = shardOf(id, SHARDS);
      const key = `bull:${shards[s]}:${id}`;
      const port = cluster.portOfKey(key);
      // The job's hash is on the primary that owns its shard's slot.
      expect(redisCli(port, 'EXISTS', key)).toBe('1');
      perPort.set(port, (perPort.get(port) ?? 0) + 1);
      perShard[s]!++;
    }
    const spread = [...perPort.values()];
    writeHaReport(
      'ha-cluster',
      { primaries: SHARDS, shards, jobs: ids.length, jobsPerShard: perShard, jobsPerPrimary: spread },
      `# Redis Cluster: ${ids.length} jobs over ${SHARDS} queue shards\n\n| shard | jobs |\n| --- | --- |\n${shards
        .map((s, i) => `| \`${s}\` | ${perShard[i]} |`)
        .join('\n')}\n\nPrimaries holding jobs: ${spread.length} of ${SHARDS}.`,
    );
    expect(spread).toHaveLength(SHARDS);
    for (const n of spread) expect(n).toBeGreaterThan(ids.length / (SHARDS * 2));
  },
  cleanup: async () => {
    await cluster?.stop();
  },
});
