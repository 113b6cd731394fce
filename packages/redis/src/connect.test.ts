import { endpointOf, queueNameFor } from './connect';

describe('queueNameFor', () => {
  const single = endpointOf('redis://127.0.0.1:6379');
  const cluster = { ...single, REDIS_CLUSTER_NODES: ['127.0.0.1:7000'] };
  const sentinel = { ...single, REDIS_SENTINELS: ['127.0.0.1:26379'] };

  it('keeps the name on one server and behind sentinels (the keys of existing queues stay where they are)', () => {
    expect(queueNameFor(single, 'webhooks')).toBe('webhooks');
    expect(queueNameFor(sentinel, 'webhooks')).toBe('webhooks');
  });

  it('hash-tags a plain name on a cluster, so every key of the queue lands in one slot', () => {
    expect(queueNameFor(cluster, 'webhooks')).toBe('{webhooks}');
  });

  it('leaves a name that already carries a hash tag (a queue shard) as it is on a cluster', () => {
    expect(queueNameFor(cluster, '{mnist-inference.0-3}')).toBe('{mnist-inference.0-3}');
    expect(queueNameFor(cluster, 'pre{tag}post')).toBe('pre{tag}post');
  });

  it('tags a name whose braces hold nothing, which Redis does not treat as a tag', () => {
    expect(queueNameFor(cluster, 'a{}b')).toBe('{a{}b}');
  });
});
