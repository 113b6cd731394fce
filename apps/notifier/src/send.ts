import http from 'node:http';
import https from 'node:https';
import { isIP, type Socket } from 'node:net';
import { isPermittedAddress, pinnedLookup, type AllowList, type DeliverableUrl } from '@mserve/webhooks';

/** What one HTTP attempt produced. */
export interface SendResult {
  status: number;
  retryAfter: string | undefined;
  /** The first bytes of the response body (capped), for logs and dead letters. */
  bodySnippet: string;
  durationMs: number;
}

/** Options of {@link sendOnce}. */
export interface SendOptions {
  target: DeliverableUrl;
  headers: Record<string, string>;
  body: string;
  timeoutMs: number;
  maxResponseBytes: number;
  allow: AllowList;
}

/** A failure before any HTTP status arrived (connect refused, reset, timeout, refused peer address). */
export class SendError extends Error {
  constructor(
    message: string,
    readonly kind: 'network' | 'timeout' | 'refused-peer',
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'SendError';
  }
}

const SNIPPET_CHARS = 200;

/**
 * POSTs one delivery. The socket may only connect to the addresses the guard checked (pinned lookup); the peer
 * address is checked once more on connect in case anything else reached the socket. Redirects are returned as
 * their 3xx status, never followed. At most `maxResponseBytes` of the response are read; the connection is then
 * dropped, so a receiver streaming an endless body cannot hold the notifier.
 */
export function sendOnce(opts: SendOptions): Promise<SendResult> {
  const { target } = opts;
  const started = Date.now();
  const isHttps = target.url.protocol === 'https:';
  const transport = isHttps ? https : http;
  return new Promise<SendResult>((resolve, reject) => {
    let settled = false;
    const finish = (err: Error | null, result?: SendResult): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (err) reject(err);
      else resolve(result as SendResult);
    };
    const req = transport.request({
      method: 'POST',
      protocol: target.url.protocol,
      hostname: target.host,
      port: target.url.port || (isHttps ? 443 : 80),
      path: `${target.url.pathname}${target.url.search}`,
      headers: { ...opts.headers, 'content-length': String(Buffer.byteLength(opts.body)) },
      lookup: pinnedLookup(target.addresses),
      // A fresh connection per attempt: a pooled socket would skip the connect-time checks.
      agent: false,
      // The certificate is checked against the name, not the pinned address (SNI may not carry an IP).
      ...(isHttps && isIP(target.host) === 0 ? { servername: target.host } : {}),
    });
    const timer = setTimeout(() => {
      req.destroy(new SendError(`no response within ${opts.timeoutMs} ms`, 'timeout'));
    }, opts.timeoutMs);
    req.on('socket', (socket: Socket) => {
      socket.once('connect', () => {
        const peer = socket.remoteAddress ?? '';
        if (!isPermittedAddress(peer, opts.allow)) {
          req.destroy(new SendError(`connected peer ${peer} is not a permitted address`, 'refused-peer'));
        }
      });
    });
    req.on('error', (err) => {
      finish(err instanceof SendError ? err : new SendError(err.message, 'network', { cause: err }));
    });
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      const done = (): void => {
        const raw = Buffer.concat(chunks).toString('utf8');
        finish(null, {
          status: res.statusCode ?? 0,
          retryAfter: typeof res.headers['retry-after'] === 'string' ? res.headers['retry-after'] : undefined,
          bodySnippet: raw.slice(0, SNIPPET_CHARS),
          durationMs: Date.now() - started,
        });
        res.destroy();
      };
      res.on('data', (chunk: Buffer) => {
        if (size >= opts.maxResponseBytes) return;
        chunks.push(chunk.subarray(0, opts.maxResponseBytes - size));
        size += chunk.length;
        if (size >= opts.maxResponseBytes) done();
      });
      res.on('end', done);
      // The status already arrived: a body cut short does not change the outcome.
      res.on('error', done);
      res.on('aborted', done);
    });
    req.end(opts.body);
  });
}
