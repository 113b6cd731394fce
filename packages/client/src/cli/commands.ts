import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { MnistApiError } from '../errors';
import { MnistClient } from '../sdk';
import type { JobView, WebhookEventName } from '../types';
import { flagValue, numberFlag, type ParsedArgs } from './args';
import { expandInputs } from './files';
import { mapBounded } from './pool';
import { createProgress, type ProgressSink } from './progress';
import { renderTable } from './table';
import { SAMPLES_MAX, SAMPLES_MIN } from '../wire';

/** Streams a command writes to (process.stdout/stderr in the CLI, buffers in tests). */
export interface CliIO {
  out: { write(text: string): unknown };
  err: ProgressSink;
  env: NodeJS.ProcessEnv;
  /** Ends long-running commands (`listen`): Ctrl-C in the CLI, an AbortController in tests. */
  signal?: AbortSignal;
}

export const USAGE = `Usage: pnpm cli <command> [options]

Commands:
  predict <files or folders...>   predict every image (folders are searched recursively)
  submit <file> [--webhook <url>] queue one image; prints the job id
  submit <files...> [--wait]      queue several in one request (bulk): prints the batch id and one job id per
                                  file; --wait follows the batch with a progress bar until every job ended
  wait <id>                       wait for a job to end and print it
  cancel <id>                     cancel a job; prints whether it ends canceled (exit 2 if it ran anyway)
  listen                          receive webhooks: verify, answer 204 (401 if the signature is bad), print

Options:
  --url <base>          gateway URL (default $MNIST_URL or http://127.0.0.1:8080); API key from $MNIST_API_KEY
  --json                print JSON instead of a table (listen: one object per line)
  --concurrency <n>     predictions in flight at once (predict; default 8)
  --samples <n>         Monte Carlo dropout samples
  --alpha <a>           miscoverage level of the prediction set
  --idempotency-key <k> Idempotency-Key: a rerun with the same key gets the same jobs (predict: <k>/<file>)
  --priority <p>        high, normal or low: waiting high jobs run first, low ones last
  --model <name>        model of the repository (default: the gateway's default model)
  --version <v>         version of the model (default: its serving version); or --label stable|canary
  --deadline <s>        seconds a job may wait for a worker; not started by then, it ends expired
  --webhook <url>       webhook to call when the job ends (submit)
  --events <list>       completed,failed,canceled,expired (submit; default all)
  --webhook-scope <s>   image (one webhook per job) or batch (one when every job ended; bulk submit)
  --timeout <s>         give up waiting after this many seconds (default 120)
  --port <n>            port to listen on (listen; default 9999)
  --host <addr>         address to listen on (listen; default 127.0.0.1)
  --secret <whsec_...>  signing secrets, comma-separated (listen; default $WEBHOOK_SECRETS)
  --count <n>           exit after n accepted deliveries (listen; default: run until Ctrl-C)
  --no-progress         no progress bar on stderr

Exit status: 0 all done, 1 usage or connection error, 2 some images failed.
`;

function clientFor(args: ParsedArgs, io: CliIO): MnistClient {
  const baseUrl = flagValue(args, 'url') ?? io.env['MNIST_URL'] ?? 'http://127.0.0.1:8080';
  // The key comes from the environment only: a flag would leave it in shell history and process listings.
  const apiKey = io.env['MNIST_API_KEY'];
  return new MnistClient({ baseUrl, ...(apiKey ? { apiKey } : {}) });
}

function submitOptions(args: ParsedArgs): {
  samples?: number;
  alpha?: number;
  idempotencyKey?: string;
  deadline?: number;
  priority?: 'high' | 'normal' | 'low';
  model?: string;
  version?: number;
  label?: string;
} {
  const key = flagValue(args, 'idempotency-key');
  const model = flagValue(args, 'model');
  const label = flagValue(args, 'label');
  const priority = flagValue(args, 'priority');
  if (priority !== undefined && !['high', 'normal', 'low'].includes(priority)) {
    throw new Error('--priority must be high, normal or low');
  }
  return {
    ...(priority !== undefined ? { priority: priority as 'high' | 'normal' | 'low' } : {}),
    ...(args.flags['deadline'] !== undefined ? { deadline: numberFlag(args, 'deadline', 0, 0.001, 7 * 86_400) } : {}),
    ...(key !== undefined ? { idempotencyKey: key } : {}),
    ...(model !== undefined ? { model } : {}),
    ...(label !== undefined ? { label } : {}),
    ...(args.flags['version'] !== undefined ? { version: numberFlag(args, 'version', 0, 1, 999_999_999) } : {}),
    ...(args.flags['samples'] !== undefined
      ? { samples: numberFlag(args, 'samples', 0, SAMPLES_MIN, SAMPLES_MAX) }
      : {}),
    ...(args.flags['alpha'] !== undefined ? { alpha: numberFlag(args, 'alpha', 0, 0.0001, 0.9999) } : {}),
  };
}

const pct = (x: number | undefined): string => (x === undefined ? '' : `${(x * 100).toFixed(1)}%`);

/** One row per outcome of `predict`. */
type Outcome = { file: string; job: JobView } | { file: string; error: { code: string; message: string } };

function tableOf(outcomes: readonly Outcome[]): string {
  const rows = outcomes.map((o) => {
    if ('error' in o) return [o.file, 'error', '', '', '', '', '', `${o.error.code}: ${o.error.message}`];
    const done = o.job.status === 'completed' ? o.job : undefined;
    const r = done?.result;
    const u = r?.uncertainty;
    return [
      o.file,
      r ? String(r.prediction) : o.job.status,
      pct(r?.probabilities[r.prediction]),
      pct(u?.reliability),
      u ? (u.reliable ? 'yes' : 'no') : '',
      u ? `{${u.predictionSet.join(',')}}` : '',
      u ? (u.outOfDistribution.flag ? 'OOD' : '') : '',
      done ? `${done.timings.totalMs} ms` : '',
    ];
  });
  return renderTable(['file', 'pred', 'prob', 'reliability', 'reliable', 'set', 'ood', 'time/error'], rows);
}

/** `predict <files or folders...>`: bounded-concurrency predictions, a table or JSON on stdout. */
export async function predictCommand(args: ParsedArgs, io: CliIO): Promise<number> {
  if (args.positionals.length === 0) throw new Error('predict needs at least one file or folder');
  const files = await expandInputs(args.positionals);
  if (files.length === 0) throw new Error('no images found in the given folders');
  const client = clientFor(args, io);
  const concurrency = numberFlag(args, 'concurrency', 8, 1, 256);
  const timeoutMs = numberFlag(args, 'timeout', 120, 1, 86_400) * 1000;
  const opts = submitOptions(args);
  const showProgress = files.length > 1 && args.flags['no-progress'] === undefined;
  const progress = createProgress(files.length, io.err);
  let failed = 0;
  const base = files.length === 1 ? path.dirname(files[0] ?? '') : commonDir(files);
  const outcomes = await mapBounded(
    files,
    concurrency,
    async (file): Promise<Outcome> => {
      const name = path.relative(base, file) || path.basename(file);
      try {
        const image = await readFile(file);
        // One key per file: each image is a request of its own.
        const key = opts.idempotencyKey !== undefined ? { idempotencyKey: `${opts.idempotencyKey}/${name}` } : {};
        const job = await client.predict(image, { ...opts, ...key, filename: path.basename(file), timeoutMs });
        return { file: name, job };
      } catch (err) {
        failed += 1;
        // A gateway that cannot be reached at all fails every file the same way: stop early and say so.
        if (err instanceof MnistApiError && err.code === 'NETWORK') throw err;
        const e = err instanceof MnistApiError ? { code: err.code, message: err.message } : errorOf(err);
        return { file: name, error: e };
      }
    },
    (done) => showProgress && progress.update(done, failed),
  );
  if (args.flags['json'] !== undefined) io.out.write(`${JSON.stringify(outcomes, null, 2)}\n`);
  else io.out.write(tableOf(outcomes));
  return failed > 0 ? 2 : 0;
}

function errorOf(err: unknown): { code: string; message: string } {
  return { code: 'CLIENT', message: err instanceof Error ? err.message : String(err) };
}

function commonDir(files: readonly string[]): string {
  const parts = files.map((f) => path.resolve(path.dirname(f)).split(path.sep));
  const first = parts[0] ?? [];
  let n = first.length;
  for (const p of parts) {
    let i = 0;
    while (i < n && p[i] === first[i]) i++;
    n = i;
  }
  const joined = first.slice(0, n).join(path.sep);
  return path.relative(process.cwd(), joined || path.sep) || '.';
}

/** `submit <file> [--webhook <url>]`: queues one image and prints its id (or the 202 body with --json). */
export async function submitCommand(args: ParsedArgs, io: CliIO): Promise<number> {
  const file = args.positionals[0];
  if (!file) throw new Error('submit takes one file, or several for a bulk submission');
  if (args.positionals.length > 1) return submitManyCommand(args, io);
  const res = await clientFor(args, io).submit(await readFile(file), {
    ...submitOptions(args),
    filename: path.basename(file),
    ...webhookOption(args),
  });
  io.out.write(args.flags['json'] !== undefined ? `${JSON.stringify(res, null, 2)}\n` : `${res.id}\n`);
  return 0;
}

/** `--webhook <url> [--events <list>]` as the SDK's `webhook` option. */
function webhookOption(args: ParsedArgs): { webhook?: { url: string; events?: WebhookEventName[] } } {
  const url = flagValue(args, 'webhook');
  const events = flagValue(args, 'events')
    ?.split(',')
    .map((e) => e.trim())
    .filter((e) => e !== '') as WebhookEventName[] | undefined;
  return url ? { webhook: { url, ...(events ? { events } : {}) } } : {};
}

/** `wait <id>`: long-polls until the job ends; prints it (table or JSON). Exit 2 when the job failed. */
export async function waitCommand(args: ParsedArgs, io: CliIO): Promise<number> {
  const id = args.positionals[0];
  if (!id || args.positionals.length > 1) throw new Error('wait takes exactly one job id');
  const timeoutMs = numberFlag(args, 'timeout', 120, 1, 86_400) * 1000;
  const job = await clientFor(args, io).wait(id, { timeoutMs });
  if (args.flags['json'] !== undefined) {
    io.out.write(`${JSON.stringify(job, null, 2)}\n`);
  } else {
    const outcome: Outcome = job.status === 'failed' ? { file: id, error: job.error } : { file: id, job };
    io.out.write(tableOf([outcome]).replace(/^file/, 'job '));
    if (job.webhook) {
      const w = job.webhook;
      io.out.write(`webhook: ${w.state}, ${w.attempts} attempt(s), last status ${w.lastStatus ?? '-'}\n`);
    }
  }
  return job.status === 'completed' ? 0 : 2;
}

/** `cancel <id>`: cancels a job; prints what happened (or the answer with --json). Exit 2 when it was not canceled. */
export async function cancelCommand(args: ParsedArgs, io: CliIO): Promise<number> {
  const id = args.positionals[0];
  if (!id || args.positionals.length > 1) throw new Error('cancel takes exactly one job id');
  const res = await clientFor(args, io).cancel(id);
  io.out.write(
    args.flags['json'] !== undefined
      ? `${JSON.stringify(res, null, 2)}\n`
      : `${id}: ${res.job.status}${res.canceled ? '' : ' (not canceled)'}: ${res.message}\n`,
  );
  return res.canceled ? 0 : 2;
}

/** `submit <files...>`: one bulk request; the batch id and a job id per file, then with --wait the batch's progress. */
async function submitManyCommand(args: ParsedArgs, io: CliIO): Promise<number> {
  const files = args.positionals;
  const client = clientFor(args, io);
  const images = await Promise.all(files.map((f) => readFile(f)));
  const scope = flagValue(args, 'webhook-scope');
  if (scope !== undefined && scope !== 'image' && scope !== 'batch') {
    throw new Error('--webhook-scope must be image or batch');
  }
  const accepted = await client.submitMany(images, {
    ...submitOptions(args),
    ...webhookOption(args),
    ...(scope ? { webhookScope: scope } : {}),
  });
  if (args.flags['wait'] === undefined) {
    io.out.write(
      args.flags['json'] !== undefined
        ? `${JSON.stringify(accepted, null, 2)}\n`
        : `batch ${accepted.id}\n${accepted.jobs.map((j, i) => `${files[i]}\t${j.id}`).join('\n')}\n`,
    );
    return 0;
  }
  const progress = createProgress(files.length, io.err);
  const timeoutMs = numberFlag(args, 'timeout', 120, 1, 86_400) * 1000;
  const batch = await client.waitBatch(accepted.id, {
    timeoutMs,
    onProgress: (ended) => args.flags['no-progress'] === undefined && progress.update(ended, 0),
  });
  if (args.flags['json'] !== undefined) io.out.write(`${JSON.stringify(batch, null, 2)}\n`);
  else {
    const outcomes: Outcome[] = batch.jobs.map((job, i) =>
      'error' in job ? { file: files[i] ?? job.id, error: job.error } : { file: files[i] ?? job.id, job },
    );
    io.out.write(tableOf(outcomes));
  }
  return batch.jobs.every((j) => j.status === 'completed') ? 0 : 2;
}
