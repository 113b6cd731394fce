import { AppError } from '@mserve/common';
import type IORedis from 'ioredis';

/**
 * Waits until at least `replicas` replicas hold every write this connection sent so far (Redis `WAIT`), so an
 * acknowledgement survives the loss of the primary. It must run on the connection that wrote: `WAIT` counts the
 * replication offset of its own client. Throws REDIS_UNAVAILABLE (503) when fewer replicas confirm within
 * `timeoutMs`; the write itself stays on the primary (a retry with the same Idempotency-Key finds it).
 */
export async function confirmReplicated(redis: IORedis, replicas: number, timeoutMs: number): Promise<void> {
  const acked = Number(await redis.call('WAIT', replicas, timeoutMs));
  if (acked < replicas) {
    throw new AppError(
      'REDIS_UNAVAILABLE',
      `the job was not confirmed on ${replicas} replica(s) within ${timeoutMs} ms; retry shortly`,
    );
  }
}
