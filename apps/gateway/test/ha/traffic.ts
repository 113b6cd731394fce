import http from 'node:http';

/** How one request of the generated traffic ended. */
export interface Outcome {
  kind: 'predict' | 'submit';
  /** Epoch ms when it was sent and when it ended. */
  sentAt: number;
  endedAt: number;
  /** HTTP status; 0 when the client gave up (`hung`) or the connection failed (`error`). */
  status: number;
  hung: boolean;
  error?: string;
  /** The job id of an accepted submission or an answered prediction. */
  id?: string;
}

/** Open-loop traffic: requests are sent on a clock, whether or not earlier ones were answered. */
export interface TrafficOptions {
  base: string;
  image: Buffer;
  /** Synchronous predictions per second. */
  predictPerS: number;
  /** Asynchronous submissions per second (their acknowledged ids are checked for loss afterwards). */
  submitPerS: number;
  /** Longest a request may take before it counts as hung (and is abandoned). */
  hangMs: number;
}

/** A traffic run: stop() stops sending and resolves with every outcome once all requests have ended. */
export interface Traffic {
  outcomes: Outcome[];
  stop(): Promise<Outcome[]>;
  /** Requests sent per second from the start until stop() (what was offered, whatever was answered). */
  sentPerS(): number;
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 512 });

function send(base: string, route: string, image: Buffer, kind: Outcome['kind'], hangMs: number): Promise<Outcome> {
  const sentAt = Date.now();
  return new Promise((resolve) => {
    let settled = false;
    const done = (o: Omit<Outcome, 'kind' | 'sentAt' | 'endedAt'>) => {
      if (settled) return;
      settled = true;
      resolve({ kind, sentAt, endedAt: Date.now(), ...o });
    };
    const req = http.request(
      `${base}${route}`,
      { method: 'POST', agent, headers: { 'content-type': 'image/png' } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          let id: string | undefined;
          try {
            id = (JSON.parse(Buffer.concat(chunks).toString()) as { id?: string }).id;
          } catch {
            id = undefined;
          }
          done({ status: res.statusCode ?? 0, hung: false, ...(id ? { id } : {}) });
        });
        res.on('error', (e) => done({ status: 0, hung: false, error: e.message }));
      },
    );
    req.setTimeout(hangMs, () => {
      done({ status: 0, hung: true });
      req.destroy();
    });
    req.once('error', (e) => done({ status: 0, hung: false, error: e.message }));
    req.end(image);
  });
}

/** Starts open-loop traffic of predictions and submissions at the given rates. */
export function startTraffic(opts: TrafficOptions): Traffic {
  const outcomes: Outcome[] = [];
  const pending = new Set<Promise<void>>();
  const fire = (route: string, kind: Outcome['kind']) => {
    const p = send(opts.base, route, opts.image, kind, opts.hangMs).then((o) => {
      outcomes.push(o);
      pending.delete(p);
    });
    pending.add(p);
  };
  // One tick every 10 ms sends however many requests the rates owe by now: timers on a busy machine are late, and
  // catching up keeps the offered rate where it was asked.
  const t0 = Date.now();
  let sentPredict = 0;
  let sentSubmit = 0;
  const timer = setInterval(() => {
    const s = (Date.now() - t0) / 1000;
    while (sentPredict < s * opts.predictPerS) {
      sentPredict++;
      fire('/v1/predict', 'predict');
    }
    while (sentSubmit < s * opts.submitPerS) {
      sentSubmit++;
      fire('/v1/jobs', 'submit');
    }
  }, 10);
  let stoppedAt: number | undefined;
  return {
    outcomes,
    async stop() {
      clearInterval(timer);
      stoppedAt ??= Date.now();
      while (pending.size > 0) await Promise.all([...pending]);
      return outcomes;
    },
    sentPerS() {
      const s = ((stoppedAt ?? Date.now()) - t0) / 1000;
      return s > 0 ? Math.round(((sentPredict + sentSubmit) / s) * 10) / 10 : 0;
    },
  };
}

/** Closes the traffic's keep-alive sockets. */
export function closeTraffic(): void {
  agent.destroy();
}

/** What a failover looked like from the clients' side. */
export interface FailoverSummary {
  requests: number;
  byStatus: Record<string, number>;
  serverErrors500: number;
  hung: number;
  connectionErrors: number;
  /** From the kill to the first success of a request sent after the last failed one. */
  recoveredAfterMs: number | null;
  /** The longest any request took. */
  maxLatencyMs: number;
}

/** Summarizes outcomes around a kill at `killedAt`. */
export function summarize(outcomes: Outcome[], killedAt: number): FailoverSummary {
  const byStatus: Record<string, number> = {};
  for (const o of outcomes) {
    const k = o.hung ? 'hung' : o.status === 0 ? 'error' : String(o.status);
    byStatus[k] = (byStatus[k] ?? 0) + 1;
  }
  const ok = (o: Outcome) => o.status >= 200 && o.status < 300;
  const failedAfterKill = outcomes.filter((o) => !ok(o) && o.endedAt >= killedAt);
  const lastFailedSent = Math.max(killedAt, ...failedAfterKill.map((o) => o.sentAt));
  const firstOk = outcomes
    .filter((o) => ok(o) && o.sentAt > lastFailedSent)
    .reduce((m, o) => Math.min(m, o.endedAt), Infinity);
  return {
    requests: outcomes.length,
    byStatus,
    serverErrors500: outcomes.filter((o) => o.status >= 500 && o.status !== 503 && o.status !== 504).length,
    hung: outcomes.filter((o) => o.hung).length,
    connectionErrors: outcomes.filter((o) => o.status === 0 && !o.hung).length,
    recoveredAfterMs: Number.isFinite(firstOk) ? firstOk - killedAt : null,
    maxLatencyMs: Math.max(0, ...outcomes.map((o) => o.endedAt - o.sentAt)),
  };
}
