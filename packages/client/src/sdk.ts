import { apiError, MnistApiError } from './errors';
import { verifyWebhook, type HeaderSource, type VerifiedWebhook, type VerifyOptions } from './signing';
import type {
  BatchSubmitResponse,
  BatchView,
  CancelResponse,
  CompletedJob,
  ImageInput,
  JobView,
  SubmitOptions,
  SubmitResponse,
} from './types';

/** Options of {@link MnistClient}. */
export interface MnistClientOptions {
  /** Gateway base URL, e.g. `http://127.0.0.1:8080`. */
  baseUrl: string;
  /** fetch implementation (tests, proxies); the global one by default. */
  fetch?: typeof fetch;
  /** Headers sent with every request (auth, tracing). */
  headers?: Record<string, string>;
  /** API key (`msk_...`) sent as `Authorization: Bearer <key>` when the gateway runs with `AUTH_MODE=required`. */
  apiKey?: string;
  /** Timeout of one plain request, in ms (long-polls add their wait on top). */
  requestTimeoutMs?: number;
  /** Longest `?wait=` the gateway accepts (its MAX_WAIT_S), in seconds. */
  maxWaitS?: number;
  /**
   * How often a submission refused with 429 QUEUE_FULL (or, for predictions without a webhook, 503 with the queue
   * unavailable) is retried after the server's Retry-After.
   */
  queueFullRetries?: number;
}

const TERMINAL = new Set(['completed', 'failed', 'canceled', 'expired']);

function sniffType(bytes: Uint8Array): string {
  const b = (i: number): number => bytes[i] ?? -1;
  if (b(0) === 0x89 && b(1) === 0x50 && b(2) === 0x4e && b(3) === 0x47) return 'image/png';
  if (b(0) === 0xff && b(1) === 0xd8 && b(2) === 0xff) return 'image/jpeg';
  if (b(0) === 0x47 && b(1) === 0x49 && b(2) === 0x46) return 'image/gif';
  if (b(0) === 0x42 && b(1) === 0x4d) return 'image/bmp';
  if (b(0) === 0x52 && b(1) === 0x49 && b(8) === 0x57 && b(9) === 0x45) return 'image/webp';
  return 'application/octet-stream';
}

function toBlob(image: ImageInput): Blob {
  if (image instanceof Blob) return image;
  const bytes = image instanceof ArrayBuffer ? new Uint8Array(image) : image;
  return new Blob([bytes], { type: sniffType(bytes) });
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * Typed client of the MNIST serving API over fetch. Errors are {@link MnistApiError}s carrying the API's stable
 * `code`; a job that fails is not an error for {@link get}/{@link wait} (inspect `status`), but is for
 * {@link predict}, which promises a prediction.
 */
export class MnistClient {
  private readonly baseUrl: string;
  private readonly fetchImpl: typeof fetch;
  private readonly headers: Record<string, string>;
  private readonly requestTimeoutMs: number;
  private readonly maxWaitS: number;
  private readonly queueFullRetries: number;

  constructor(opts: MnistClientOptions) {
    this.baseUrl = opts.baseUrl.replace(/\/+$/, '');
    this.fetchImpl = opts.fetch ?? fetch;
    this.headers = {
      ...(opts.apiKey ? { authorization: `Bearer ${opts.apiKey}` } : {}),
      ...(opts.headers ?? {}),
    };
    this.requestTimeoutMs = opts.requestTimeoutMs ?? 30_000;
    this.maxWaitS = opts.maxWaitS ?? 30;
    this.queueFullRetries = opts.queueFullRetries ?? 3;
  }

  /** Verifies a webhook delivery received from the notifier (see the standalone {@link verifyWebhook}). */
  static verifyWebhook<T = unknown>(
    headers: HeaderSource,
    rawBody: string | Buffer,
    secrets: string | readonly string[],
    opts?: VerifyOptions,
  ): VerifiedWebhook<T> {
    return verifyWebhook<T>(headers, rawBody, secrets, opts);
  }

  private async request<T>(
    method: 'GET' | 'POST',
    path: string,
    init: {
      body?: () => FormData;
      timeoutMs?: number;
      signal?: AbortSignal | undefined;
      /** Also retry 503 REDIS_UNAVAILABLE/NOT_READY: only where a duplicate job would be harmless. */
      retryUnavailable?: boolean;
      headers?: Record<string, string>;
      /** Sees the successful response (its status and headers). */
      onResponse?: (res: Response) => void;
    },
  ): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      const signals = [AbortSignal.timeout(init.timeoutMs ?? this.requestTimeoutMs)];
      if (init.signal) signals.push(init.signal);
      let res: Response;
      try {
        res = await this.fetchImpl(`${this.baseUrl}${path}`, {
          method,
          headers: { accept: 'application/json', ...this.headers, ...init.headers },
          ...(init.body ? { body: init.body() } : {}),
          signal: AbortSignal.any(signals),
        });
      } catch (err) {
        const e = err as Error;
        const code = e.name === 'TimeoutError' ? 'CLIENT_TIMEOUT' : e.name === 'AbortError' ? 'ABORTED' : 'NETWORK';
        throw new MnistApiError(0, code, `${method} ${path}: ${e.message}`, undefined, undefined, { cause: err });
      }
      const text = await res.text();
      let body: unknown = null;
      try {
        body = text.length > 0 ? JSON.parse(text) : null;
      } catch {
        body = null;
      }
      if (res.ok) {
        init.onResponse?.(res);
        return body as T;
      }
      const error = apiError(res.status, body, text);
      const retryAfter = Number(res.headers.get('retry-after'));
      // A first request with the same Idempotency-Key still being accepted: the retry will find its job.
      const unavailable =
        error.code === 'REDIS_UNAVAILABLE' || error.code === 'NOT_READY' || error.code === 'IDEMPOTENCY_KEY_IN_USE';
      if ((error.code === 'QUEUE_FULL' || (init.retryUnavailable && unavailable)) && attempt < this.queueFullRetries) {
        // QUEUE_FULL is refused before enqueueing, so resending cannot create a duplicate job; an unavailable queue
        // might have taken the job, which only matters when a duplicate would fire a second webhook.
        await sleep((Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter : 1) * 1000);
        continue;
      }
      throw error;
    }
  }

  private form(image: ImageInput, opts: SubmitOptions): () => FormData {
    const blob = toBlob(image);
    return () => {
      const form = new FormData();
      form.append('image', blob, opts.filename ?? 'image');
      if (opts.samples !== undefined) form.append('samples', String(opts.samples));
      if (opts.alpha !== undefined) form.append('alpha', String(opts.alpha));
      if (opts.webhook) form.append('webhook', JSON.stringify(opts.webhook));
      if (opts.priority !== undefined) form.append('priority', opts.priority);
      if (opts.model !== undefined) form.append('model', opts.model);
      if (opts.version !== undefined) form.append('version', String(opts.version));
      if (opts.label !== undefined) form.append('label', opts.label);
      if (opts.deadline !== undefined) {
        form.append('deadline', opts.deadline instanceof Date ? opts.deadline.toISOString() : String(opts.deadline));
      }
      return form;
    };
  }

  /** Queues an image for prediction (`POST /v1/jobs`); resolves with the job id once it is queued. */
  async submit(image: ImageInput, opts: SubmitOptions = {}): Promise<SubmitResponse> {
    return this.request<SubmitResponse>('POST', '/v1/jobs', {
      body: this.form(image, opts),
      signal: opts.signal,
      ...keyed(opts),
    });
  }

  /**
   * Queues several images in one request (`POST /v1/jobs` with several `image` parts): one job per image, in order,
   * and a batch id to follow them all with {@link getBatch} / {@link waitBatch}. All are accepted or none; with
   * `idempotencyKey`, a resend gets the first batch instead of a second one. With a webhook, `webhookScope`
   * `batch` asks for one `batch.completed` delivery once every job ended instead of one per job.
   */
  async submitMany(
    images: readonly ImageInput[],
    opts: SubmitOptions & { webhookScope?: 'image' | 'batch' } = {},
  ): Promise<BatchSubmitResponse> {
    if (images.length < 2) throw new Error('submitMany needs at least two images (use submit for one)');
    const blobs = images.map((im) => toBlob(im));
    const single = this.form(images[0] as ImageInput, opts);
    const body = () => {
      const form = single();
      form.delete('image');
      if (opts.webhookScope) form.append('webhook_scope', opts.webhookScope);
      blobs.forEach((b, i) => form.append('image', b, `${opts.filename ?? 'image'}-${i}`));
      return form;
    };
    return this.request<BatchSubmitResponse>('POST', '/v1/jobs', { body, signal: opts.signal, ...keyed(opts) });
  }

  /** Reads a batch (`GET /v1/batches/:id`); with `wait` (seconds) the gateway holds the answer until all ended. */
  async getBatch(id: string, opts: { wait?: number; signal?: AbortSignal } = {}): Promise<BatchView> {
    const wait = opts.wait !== undefined ? Math.max(0, Math.min(this.maxWaitS, opts.wait)) : undefined;
    const query = wait !== undefined && wait > 0 ? `?wait=${wait}` : '';
    return this.request<BatchView>('GET', `/v1/batches/${encodeURIComponent(id)}${query}`, {
      timeoutMs: this.requestTimeoutMs + (wait ?? 0) * 1000,
      signal: opts.signal,
    });
  }

  /**
   * Polls a batch until every job ended, calling `onProgress` with the count of ended jobs after each read.
   * @throws MnistApiError TIMEOUT when not all ended within `timeoutMs`
   */
  async waitBatch(
    id: string,
    opts: { timeoutMs?: number; signal?: AbortSignal; onProgress?: (ended: number, total: number) => void } = {},
  ): Promise<BatchView> {
    const deadline = Date.now() + (opts.timeoutMs ?? 120_000);
    for (;;) {
      // Short long-polls, so progress is reported while the batch drains.
      const batch = await this.getBatch(id, { wait: 1, signal: opts.signal });
      const ended = batch.jobs.filter((j) => TERMINAL.has(j.status)).length;
      opts.onProgress?.(ended, batch.jobs.length);
      if (batch.done) return batch;
      if (Date.now() >= deadline) {
        throw new MnistApiError(504, 'TIMEOUT', `batch ${id}: ${ended}/${batch.jobs.length} jobs ended in time`);
      }
    }
  }

  /** Reads a job (`GET /v1/jobs/:id`); with `wait` (seconds) the gateway holds the answer until the job ends. */
  async get(id: string, opts: { wait?: number; signal?: AbortSignal } = {}): Promise<JobView> {
    const wait = opts.wait !== undefined ? Math.max(0, Math.min(this.maxWaitS, opts.wait)) : undefined;
    const query = wait !== undefined && wait > 0 ? `?wait=${wait}` : '';
    return this.request<JobView>('GET', `/v1/jobs/${encodeURIComponent(id)}${query}`, {
      timeoutMs: this.requestTimeoutMs + (wait ?? 0) * 1000,
      signal: opts.signal,
    });
  }

  /**
   * Cancels a job (`POST /v1/jobs/:id/cancel`), idempotently: `canceled` says whether it ends canceled (a queued
   * job always does; a running one only if its inference had not started) and `job` is the job after it.
   * @throws MnistApiError JOB_FINISHED (409) when the job had already ended otherwise
   */
  async cancel(id: string, opts: { signal?: AbortSignal } = {}): Promise<CancelResponse> {
    return this.request<CancelResponse>('POST', `/v1/jobs/${encodeURIComponent(id)}/cancel`, {
      signal: opts.signal,
      // Cancel is idempotent: resending after a blink of Redis is harmless.
      retryUnavailable: true,
    });
  }

  /**
   * Long-polls until the job ended (completed, failed, canceled or expired) and returns it (not thrown).
   * @throws MnistApiError TIMEOUT (with `jobId`) when it has not ended within `timeoutMs`
   */
  async wait(id: string, opts: { timeoutMs?: number; signal?: AbortSignal } = {}): Promise<JobView> {
    const deadline = Date.now() + (opts.timeoutMs ?? 60_000);
    let last: JobView | undefined;
    for (;;) {
      const left = deadline - Date.now();
      if (left <= 0) break;
      try {
        const wait = Math.max(1, Math.min(this.maxWaitS, Math.ceil(left / 1000)));
        last = await this.get(id, { wait, signal: opts.signal });
        if (TERMINAL.has(last.status)) return last;
      } catch (err) {
        // The gateway restarting or Redis blinking is no reason to give up on a job that is still queued.
        const transient = err instanceof MnistApiError && (err.status === 0 || err.status >= 502);
        if (!transient || (err as MnistApiError).code === 'ABORTED') throw err;
        await sleep(Math.min(1000, Math.max(0, deadline - Date.now())));
      }
    }
    throw new MnistApiError(
      504,
      'TIMEOUT',
      `job ${id} did not end in time (last status ${last?.status ?? 'unknown'})`,
      {
        status: last?.status,
      },
      id,
    );
  }

  /**
   * `POST /v1/predict` with an RFC 7240 `Prefer`: `respondAsync` answers at once with the queued job, `wait`
   * (seconds) waits at most that long and then answers with the job as it stands, instead of a 504. Resolves with
   * the HTTP status (200 completed, 202 not ended yet), the job, and the `Preference-Applied` the gateway sent.
   */
  async predictPreferring(
    image: ImageInput,
    opts: SubmitOptions & { respondAsync?: boolean; wait?: number },
  ): Promise<{ status: number; job: JobView | SubmitResponse; applied: string | null }> {
    const prefer = [
      ...(opts.respondAsync ? ['respond-async'] : []),
      ...(opts.wait !== undefined ? [`wait=${Math.max(0, Math.floor(opts.wait))}`] : []),
    ].join(', ');
    const keyedOpts = keyed(opts);
    let seen: Response | undefined;
    const job = await this.request<JobView | SubmitResponse>('POST', '/v1/predict', {
      body: this.form(image, opts),
      timeoutMs: this.requestTimeoutMs + (opts.wait ?? 0) * 1000,
      signal: opts.signal,
      ...keyedOpts,
      headers: { ...keyedOpts.headers, ...(prefer ? { prefer } : {}) },
      onResponse: (res) => (seen = res),
    });
    return { status: seen?.status ?? 0, job, applied: seen?.headers.get('preference-applied') ?? null };
  }

  /**
   * Predicts one image and resolves with the completed job (`POST /v1/predict`). When the gateway's synchronous
   * window passes (504 TIMEOUT) the job keeps running, so this keeps waiting for it until `timeoutMs`.
   * @throws MnistApiError with the job's error code when the job failed, or TIMEOUT (with `jobId`)
   */
  async predict(image: ImageInput, opts: SubmitOptions & { timeoutMs?: number } = {}): Promise<CompletedJob> {
    const started = Date.now();
    const timeoutMs = opts.timeoutMs ?? 60_000;
    let view: JobView;
    try {
      view = await this.request<JobView>('POST', '/v1/predict', {
        body: this.form(image, opts),
        timeoutMs: Math.max(timeoutMs, this.requestTimeoutMs),
        signal: opts.signal,
        retryUnavailable: opts.webhook === undefined,
        ...keyed(opts),
      });
    } catch (err) {
      if (!(err instanceof MnistApiError) || err.code !== 'TIMEOUT' || !err.jobId) throw err;
      const left = Math.max(1, timeoutMs - (Date.now() - started));
      view = await this.wait(err.jobId, { timeoutMs: left, signal: opts.signal });
    }
    if (view.status === 'completed') return view;
    const e = 'error' in view ? view.error : { code: 'INTERNAL', message: `job ended ${view.status}` };
    throw new MnistApiError(0, e.code, e.message, undefined, view.id);
  }
}

/** The header of an idempotency key; with one, resending after a 503 cannot make a second job. */
function keyed(opts: SubmitOptions): { headers?: Record<string, string>; retryUnavailable?: boolean } {
  if (opts.idempotencyKey === undefined) return {};
  return { headers: { 'idempotency-key': opts.idempotencyKey }, retryUnavailable: true };
}
