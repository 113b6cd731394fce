import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { verifyWebhook, WebhookVerificationError } from '../signing';
import type { JobView } from '../types';
import { flagValue, numberFlag, type ParsedArgs } from './args';
import type { CliIO } from './commands';

/** Largest delivery body read; a job payload is a few KB. */
const MAX_BODY_BYTES = 1024 * 1024;

/** What one delivery looked like, as printed with `--json` (one object per line). */
export interface ListenedDelivery {
  receivedAt: string;
  /** `webhook-id`: the same on every retry of one delivery, so receivers deduplicate on it. */
  id: string | null;
  /** True when a signature matched one of the secrets; null when no secret was given. */
  verified: boolean | null;
  /** Set when the delivery was refused (401 bad signature or stale timestamp, 400 not JSON). */
  rejected?: string;
  payload?: { type?: string; timestamp?: string; data?: JobView };
}

function summary(d: ListenedDelivery): string {
  const job = d.payload?.data;
  const r = job && 'result' in job ? job.result : undefined;
  const failure = job && 'error' in job ? job.error : undefined;
  const u = r?.uncertainty;
  const what = r
    ? `prediction ${r.prediction}, reliability ${u ? `${(u.reliability * 100).toFixed(1)}%` : '?'}, set {${u?.predictionSet.join(',') ?? ''}}${u?.outOfDistribution.flag ? ', OOD' : ''}`
    : failure
      ? `${failure.code}: ${failure.message}`
      : '';
  const check = d.verified === null ? 'unverified' : 'signature ok';
  return `${d.receivedAt} ${d.payload?.type ?? '?'} job ${job?.id ?? '?'} (${d.id ?? 'no webhook-id'}, ${check}) ${what}\n`;
}

function secretsOf(args: ParsedArgs, io: CliIO): string[] {
  const raw = flagValue(args, 'secret') ?? io.env['WEBHOOK_SECRETS'] ?? io.env['WEBHOOK_SECRET'] ?? '';
  return raw
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

/**
 * `listen [--port 9999] [--host 127.0.0.1] [--secret whsec_...] [--json] [--count N]`: a webhook receiver to try
 * the service with. Every POST is verified as Standard Webhooks with the given secrets (`--secret`, else
 * `$WEBHOOK_SECRETS`), answered 204, and printed (a line, or one JSON object per line with `--json`); a bad or
 * stale signature is answered 401 and reported on stderr, so the notifier retries it. Runs until Ctrl-C, or
 * until `--count` deliveries were accepted.
 */
export async function listenCommand(args: ParsedArgs, io: CliIO): Promise<number> {
  const port = numberFlag(args, 'port', 9999, 0, 65535);
  const host = flagValue(args, 'host') ?? '127.0.0.1';
  const count = numberFlag(args, 'count', 0, 0, 1_000_000);
  const secrets = secretsOf(args, io);
  const json = args.flags['json'] !== undefined;
  let accepted = 0;
  let done: () => void = () => undefined;
  const finished = new Promise<void>((resolve) => (done = resolve));

  const server = http.createServer((req, res) => {
    const answer = (status: number, body = ''): void => {
      res.writeHead(status, body ? { 'content-type': 'text/plain' } : {}).end(body);
    };
    if (req.method !== 'POST') return answer(405, 'POST webhook deliveries here\n');
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size <= MAX_BODY_BYTES) chunks.push(c);
    });
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      const id = typeof req.headers['webhook-id'] === 'string' ? req.headers['webhook-id'] : null;
      const d: ListenedDelivery = { receivedAt: new Date().toISOString(), id, verified: secrets.length ? false : null };
      let status = 204;
      try {
        if (size > MAX_BODY_BYTES) throw new Error(`body over ${MAX_BODY_BYTES} bytes`);
        if (secrets.length) {
          d.payload = verifyWebhook<ListenedDelivery['payload']>(req.headers, raw, secrets).payload;
          d.verified = true;
        } else {
          d.payload = JSON.parse(raw.toString('utf8')) as ListenedDelivery['payload'];
        }
      } catch (e) {
        status = e instanceof WebhookVerificationError ? 401 : 400;
        d.rejected = e instanceof WebhookVerificationError ? `${e.reason}: ${e.message}` : (e as Error).message;
      }
      answer(status, d.rejected ? `${d.rejected}\n` : '');
      if (d.rejected) {
        io.err.write(`rejected with ${status}: ${d.rejected} (${id ?? 'no webhook-id'})\n`);
        if (json) io.out.write(`${JSON.stringify(d)}\n`);
        return;
      }
      io.out.write(json ? `${JSON.stringify(d)}\n` : summary(d));
      accepted += 1;
      if (count > 0 && accepted >= count) done();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, resolve);
  });
  const addr = server.address() as AddressInfo;
  const shown = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
  const url = `http://${shown}:${addr.port}/hook`;
  io.err.write(
    `listening on ${url} (${secrets.length ? `verifying with ${secrets.length} secret(s)` : 'no --secret: signatures NOT checked'}); ` +
      `submit with --webhook ${url} to a gateway started with WEBHOOK_ALLOW_HOSTS=${addr.address}\n`,
  );
  io.signal?.addEventListener('abort', () => done(), { once: true });
  if (io.signal?.aborted) done();
  await finished;
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return 0;
}
