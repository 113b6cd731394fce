import IORedis from 'ioredis';
import { REDIS_URL, dropQueue, uniqueQueue } from '@mserve/testkit';
import { describeLoadSuite } from './load-suite';

const queue = uniqueQueue('load');

describeLoadSuite({
  env: () => ({ REDIS_URL, QUEUE_NAME: queue }),
  // Redis memory of finished jobs, for sizing RESULT_MAX_COUNT and SYNC_RESULT_MAX_COUNT.
  memoryUsage: async (queueName, id) => {
    const redis = new IORedis(REDIS_URL);
    try {
      return Number(await redis.call('MEMORY', 'USAGE', `bull:${queueName}:${id}`));
    } finally {
      redis.disconnect();
    }
  },
  cleanup: () => dropQueue(queue),
});
