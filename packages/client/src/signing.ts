import { createHmac, timingSafeEqual } from 'node:crypto';
import type { WebhookPayload } from './wire';

/**
 * Standard Webhooks signing (https://www.standardwebhooks.com): the signed content is `id.timestamp.body`, the
 * signature is base64 HMAC-SHA256 keyed with the decoded `whsec_` secret, and the header carries one `v1,<sig>`
 * per secret, space-separated, so a receiver keeps verifying while secrets rotate.
 *
 * This lives in the client package (pure `node:crypto`, no queue dependencies) because receivers need it; the
 * notifier signs with the very same code through `@mserve/webhooks`, so both sides can never drift apart.
 */

const SECRET_PREFIX = 'whsec_';
/** Default accepted clock skew between sender and receiver, in seconds (the Standard Webhooks recommendation). */
export const DEFAULT_TOLERANCE_S = 300;

/** Header names of a Standard Webhooks delivery. */
export const WEBHOOK_HEADERS = {
  id: 'webhook-id',
  timestamp: 'webhook-timestamp',
  signature: 'webhook-signature',
} as const;

/** Why a delivery failed verification; receivers answer 400/401 and log the reason. */
export class WebhookVerificationError extends Error {
  readonly reason: 'missing-headers' | 'bad-timestamp' | 'stale-timestamp' | 'bad-signature' | 'bad-secret';

  constructor(reason: WebhookVerificationError['reason'], message: string) {
    super(message);
    this.name = 'WebhookVerificationError';
    this.reason = reason;
  }
}

/** Decodes a `whsec_<base64>` secret (the prefix is optional, as in the reference libraries) into key bytes. */
export function decodeWebhookSecret(secret: string): Buffer {
  const b64 = secret.startsWith(SECRET_PREFIX) ? secret.slice(SECRET_PREFIX.length) : secret;
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(b64)) {
    throw new WebhookVerificationError('bad-secret', 'webhook secret must be whsec_ followed by base64');
  }
  const key = Buffer.from(b64, 'base64');
  if (key.length < 16) {
    throw new WebhookVerificationError('bad-secret', 'webhook secret must decode to at least 16 bytes');
  }
  return key;
}

function sign(key: Buffer, id: string, timestamp: number, body: string | Buffer): string {
  return createHmac('sha256', key).update(`${id}.${timestamp}.`).update(body).digest('base64');
}

/** Headers to send with one delivery attempt (a type alias so it passes where a header record is expected). */
export type SignedWebhookHeaders = {
  'webhook-id': string;
  'webhook-timestamp': string;
  'webhook-signature': string;
};

/**
 * Signs `body` for message `id` at `timestamp` (unix seconds) with every secret, first one first.
 * @returns the three Standard Webhooks headers.
 */
export function signWebhook(
  id: string,
  timestamp: number,
  body: string | Buffer,
  secrets: readonly string[],
): SignedWebhookHeaders {
  if (secrets.length === 0) throw new WebhookVerificationError('bad-secret', 'at least one webhook secret is needed');
  const signature = secrets.map((s) => `v1,${sign(decodeWebhookSecret(s), id, timestamp, body)}`).join(' ');
  return { 'webhook-id': id, 'webhook-timestamp': String(timestamp), 'webhook-signature': signature };
}

/** Incoming headers as Node (`IncomingHttpHeaders`) or fetch (`Headers`) give them. */
export type HeaderSource = Headers | Record<string, string | string[] | undefined>;

function header(headers: HeaderSource, name: string): string | undefined {
  if (typeof (headers as Headers).get === 'function') return (headers as Headers).get(name) ?? undefined;
  const rec = headers as Record<string, string | string[] | undefined>;
  const key = Object.keys(rec).find((k) => k.toLowerCase() === name);
  const v = key === undefined ? undefined : rec[key];
  return Array.isArray(v) ? v[0] : v;
}

/** Options of {@link verifyWebhook}. */
export interface VerifyOptions {
  /** Largest accepted distance between the signed timestamp and now, in seconds. */
  toleranceS?: number;
  /** Current time in milliseconds (tests). */
  now?: number;
}

/** A verified delivery; its payload is the service's {@link WebhookPayload} unless the caller says otherwise. */
export interface VerifiedWebhook<T = WebhookPayload> {
  id: string;
  timestamp: number;
  payload: T;
}

/**
 * Verifies a delivery against any of `secrets` (pass old and new during a rotation) and parses its JSON body.
 * Pass the raw body exactly as received: re-serialised JSON does not verify.
 * @throws WebhookVerificationError when a header is missing, the timestamp is outside the tolerance, or no
 *   signature matches.
 */
export function verifyWebhook<T = WebhookPayload>(
  headers: HeaderSource,
  rawBody: string | Buffer,
  secrets: string | readonly string[],
  opts: VerifyOptions = {},
): VerifiedWebhook<T> {
  const id = header(headers, WEBHOOK_HEADERS.id);
  const ts = header(headers, WEBHOOK_HEADERS.timestamp);
  const sigs = header(headers, WEBHOOK_HEADERS.signature);
  if (!id || !ts || !sigs) {
    throw new WebhookVerificationError('missing-headers', 'webhook-id, webhook-timestamp and webhook-signature needed');
  }
  if (!/^\d{1,12}$/.test(ts)) throw new WebhookVerificationError('bad-timestamp', `bad webhook-timestamp "${ts}"`);
  const timestamp = Number(ts);
  const tolerance = opts.toleranceS ?? DEFAULT_TOLERANCE_S;
  const nowS = Math.floor((opts.now ?? Date.now()) / 1000);
  if (Math.abs(nowS - timestamp) > tolerance) {
    throw new WebhookVerificationError(
      'stale-timestamp',
      `webhook-timestamp ${timestamp} is ${nowS - timestamp} s from now (tolerance ${tolerance} s)`,
    );
  }
  const offered = sigs
    .split(' ')
    .map((s) => s.trim())
    .filter((s) => s.startsWith('v1,'))
    .map((s) => Buffer.from(s.slice(3), 'base64'));
  const list = typeof secrets === 'string' ? [secrets] : secrets;
  for (const secret of list) {
    const expected = Buffer.from(sign(decodeWebhookSecret(secret), id, timestamp, rawBody), 'base64');
    if (offered.some((o) => o.length === expected.length && timingSafeEqual(o, expected))) {
      const text = typeof rawBody === 'string' ? rawBody : rawBody.toString('utf8');
      return { id, timestamp, payload: JSON.parse(text) as T };
    }
  }
  throw new WebhookVerificationError('bad-signature', 'no webhook signature matches the given secrets');
}
