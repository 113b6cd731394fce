import { printableRedisUrl } from './redis';

describe('printableRedisUrl', () => {
  it('hides a password and keeps the rest of the URL', () => {
    expect(printableRedisUrl('redis://:s3cret@redis.internal:6380')).toBe('redis://:***@redis.internal:6380');
    expect(printableRedisUrl('rediss://app:s3cret@redis.internal:6380/2')).toBe(
      'rediss://app:***@redis.internal:6380/2',
    );
    expect(printableRedisUrl('redis://127.0.0.1:6379')).toBe('redis://127.0.0.1:6379');
    expect(printableRedisUrl('not a url :s3cret@')).not.toContain('s3cret');
  });
});
