import { spawn } from 'node:child_process';
import { freePort } from '@mserve/common';
import { createRedis, endpointOf, type RedisEndpoint } from '@mserve/redis';
import { track, waitFor, type Child } from './procs';

/** True when the Redis `endpoint` names answers PING within a second. */
export async function redisAnswers(endpoint: RedisEndpoint): Promise<boolean> {
  const client = createRedis(endpoint, 'command', {
    lazyConnect: true,
    connectTimeout: 1000,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    retryStrategy: () => null,
  });
  client.on('error', () => undefined);
  try {
    await client.connect();
    return (await client.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    client.disconnect();
  }
}

/**
 * Starts a throw-away redis-server (no persistence) on a free port and waits until it answers. Its own process
 * group keeps a Ctrl-C from stopping it before the processes that still drain through it.
 */
export async function startPrivateRedis(bin: string): Promise<{ child: Child; url: string }> {
  const port = await freePort();
  const proc = spawn(bin, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
    stdio: ['ignore', 'ignore', 'inherit'],
    detached: true,
  });
  const child = track('redis-server', proc);
  const url = `redis://127.0.0.1:${port}`;
  if (!(await waitFor(() => redisAnswers(endpointOf(url)), 10_000))) {
    proc.kill('SIGKILL');
    throw new Error(`redis-server did not answer on port ${port} (is ${bin} installed?)`);
  }
  return { child, url };
}
