import { randomBytes } from 'node:crypto';
import { WebhookVerificationError, signWebhook, verifyWebhook } from './signing';

const secret = () => `whsec_${randomBytes(24).toString('base64')}`;

describe('Standard Webhooks signing', () => {
  const body = JSON.stringify({ type: 'job.completed', data: { id: 'j1' } });
  const now = 1_700_000_000_000;
  const ts = now / 1000;

  it('signs id.timestamp.body so the reference example verifies', () => {
    // Test vector from the Standard Webhooks specification.
    const headers = signWebhook('msg_p5jXN8AQM9LWM0D4loKWxJek', 1614265330, '{"test": 2432232314}', [
      'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
    ]);
    expect(headers['webhook-signature']).toBe('v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=');
  });

  it('verifies with any current secret and returns the parsed payload', () => {
    const [a, b] = [secret(), secret()];
    const headers = signWebhook('msg_1', ts, body, [a, b]);
    expect(headers['webhook-signature'].split(' ')).toHaveLength(2);
    expect(verifyWebhook(headers, body, [b], { now }).payload).toEqual(JSON.parse(body));
    expect(verifyWebhook(new Headers({ ...headers }), Buffer.from(body), a, { now }).id).toBe('msg_1');
  });

  it('rejects a tampered body, a wrong secret, a stale timestamp and missing headers', () => {
    const s = secret();
    const headers = signWebhook('msg_1', ts, body, [s]);
    const reason = (fn: () => unknown) => {
      try {
        fn();
      } catch (e) {
        return (e as WebhookVerificationError).reason;
      }
      return 'accepted';
    };
    expect(reason(() => verifyWebhook(headers, body.replace('j1', 'j2'), [s], { now }))).toBe('bad-signature');
    expect(reason(() => verifyWebhook(headers, body, [secret()], { now }))).toBe('bad-signature');
    expect(reason(() => verifyWebhook(headers, body, [s], { now: now + 301_000 }))).toBe('stale-timestamp');
    expect(reason(() => verifyWebhook(headers, body, [s], { now: now + 20_000, toleranceS: 10 }))).toBe(
      'stale-timestamp',
    );
    expect(reason(() => verifyWebhook({ 'webhook-id': 'x' }, body, [s], { now }))).toBe('missing-headers');
  });
});
