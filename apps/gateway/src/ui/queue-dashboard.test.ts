import { createLogger } from '@mserve/common';
import { queueShards, syncQueueName } from '@mserve/contracts';
import { endpointOf } from '@mserve/redis';
import { REDIS_URL, uniqueQueue } from '@mserve/testkit';
import express from 'express';
import IORedis from 'ioredis';
import request from 'supertest';
import { QUEUE_DASHBOARD_PATH, adminRouter, createQueueDashboard } from './queue-dashboard';

describe('the queue dashboard (real Redis)', () => {
  it('shows the inference, grouped-prediction and webhook queues, and closes its Redis connection', async () => {
    const queue = uniqueQueue('dashboard');
    const name = `mserve-dashboard-test-${process.pid}`;
    const logger = createLogger('test', 'silent');
    const dash = createQueueDashboard(
      { ...endpointOf(REDIS_URL), QUEUE_NAME: queue, QUEUE_SHARDS: 1, QUEUE_PREFIX: 'bull' },
      logger,
      name,
    );
    const probe = new IORedis(REDIS_URL);
    try {
      const app = express().use(adminRouter(dash.handler));
      const res = await request(app).get(`${QUEUE_DASHBOARD_PATH}/api/queues`);
      expect(res.status).toBe(200);
      const shown = (res.body.queues as Array<{ name: string; readOnlyMode: boolean }>).map((q) => q.name);
      expect(shown.sort()).toEqual([queue, syncQueueName(queue), 'webhooks'].sort());
      expect(res.body.queues.every((q: { readOnlyMode: boolean }) => q.readOnlyMode)).toBe(true);
      expect(await probe.client('LIST')).toContain(`name=${name}`);
      await dash.close();
      expect(await probe.client('LIST')).not.toContain(`name=${name}`);
    } finally {
      await dash.close();
      await probe.quit();
    }
  });

  it('lists both queues of every shard when jobs are spread over QUEUE_SHARDS queues', () => {
    const queue = uniqueQueue('dashboard-shards');
    const dash = createQueueDashboard(
      { ...endpointOf(REDIS_URL), QUEUE_NAME: queue, QUEUE_SHARDS: 3, QUEUE_PREFIX: 'bull' },
      createLogger('test', 'silent'),
    );
    const shards = queueShards(queue, 3);
    expect(dash.queueNames.sort()).toEqual([...shards, ...shards.map(syncQueueName), 'webhooks'].sort());
  });
});
