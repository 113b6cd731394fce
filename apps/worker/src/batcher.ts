/** Outcome of one item of a batch: its value, or the error that fails only that item. */
export type ItemOutcome<R> = { ok: true; value: R } | { ok: false; error: Error };

/** Runs one batch; must return one outcome per item, in order. */
export type BatchRunner<T, R> = (items: T[]) => Promise<Array<ItemOutcome<R>>>;

/** Facts about the batch an item was part of. */
export interface BatchInfo {
  size: number;
  /** Epoch ms when the batch started running. */
  startedAt: number;
  runMs: number;
}

interface Pending<T, R> {
  item: T;
  resolve: (v: { value: R; batch: BatchInfo }) => void;
  reject: (e: Error) => void;
}

/** Options of {@link MicroBatcher}. */
export interface BatcherOptions<T = unknown> {
  /** Most items in one batch. */
  maxSize: number;
  /**
   * Floor on how long an idle batcher waits for companions before it runs what it holds, in ms. 0 (the default of
   * the worker): run at once, and let the items that arrive during a pass form the next batch.
   */
  maxWaitMs: number;
  /** Called after every batch, for metrics. */
  onBatch?: (info: BatchInfo) => void;
  /**
   * Class of an item, lower first: a batch holds only items of the lowest class waiting, in arrival order, so an
   * urgent item never shares a pass with (and waits for) a batch of less urgent ones. Default: one class for all.
   */
  rank?: (item: T) => number;
}

/**
 * Adaptive batching (group commit, the rule the gateway's prediction batcher uses for enqueues): an idle batcher
 * runs what it holds at once, and the items that arrive while a pass runs form the next batch, capped at
 * `maxSize`. So an idle service adds no wait to a lone job, and under load the batch size follows the arrival rate
 * times the pass time, with no timer in the loop. "At once" is the next turn of the event loop (`setImmediate`):
 * jobs whose fetch replies arrived in the same read from Redis still share the pass. `maxWaitMs` > 0 restores a
 * fixed window for an idle batcher (a batch starts when `maxSize` items wait or the oldest has waited that long).
 * Batches run one at a time (inference is CPU-bound: two concurrent passes only compete for the same core), and
 * the batcher yields to the event loop between batches so that BullMQ's lock renewal timers and new job fetches get
 * their turn.
 */
export class MicroBatcher<T, R> {
  private queue: Array<Pending<T, R>> = [];
  private timer: NodeJS.Timeout | undefined;
  private immediate: NodeJS.Immediate | undefined;
  private running = false;
  private idleWaiters: Array<() => void> = [];

  constructor(
    private readonly run: BatchRunner<T, R>,
    private readonly opts: BatcherOptions<T>,
  ) {}

  /** Items waiting for a batch. */
  get pending(): number {
    return this.queue.length;
  }

  /** Whether a batch is running now. */
  get busy(): boolean {
    return this.running;
  }

  /** Queues one item; resolves with its own result and the batch it shared, or rejects with its own error. */
  submit(item: T): Promise<{ value: R; batch: BatchInfo }> {
    return new Promise((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      this.schedule();
    });
  }

  /** Runs whatever is waiting without waiting for the window to close (used on shutdown). */
  flushNow(): void {
    this.clearTimer();
    void this.drain();
  }

  /** Resolves once nothing is waiting or running. */
  whenIdle(): Promise<void> {
    if (!this.running && this.queue.length === 0) return Promise.resolve();
    return new Promise((r) => this.idleWaiters.push(r));
  }

  private schedule(): void {
    if (this.running) return; // the loop picks the new item up when the current batch ends
    if (this.queue.length >= this.opts.maxSize) {
      this.clearTimer();
      void this.drain();
    } else if (this.opts.maxWaitMs <= 0) {
      this.immediate ??= setImmediate(() => {
        this.immediate = undefined;
        void this.drain();
      });
    } else if (!this.timer) {
      this.timer = setTimeout(() => {
        this.timer = undefined;
        void this.drain();
      }, this.opts.maxWaitMs);
    }
  }

  private clearTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    if (this.immediate) clearImmediate(this.immediate);
    this.timer = undefined;
    this.immediate = undefined;
  }

  private async drain(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      while (this.queue.length > 0) {
        const batch = this.takeBatch();
        await this.runOne(batch);
        // Let timers (lock renewal), I/O (job fetches and completions) run before the next pass.
        // Items that arrived meanwhile already waited at least one pass, so they run without a new window.
        await new Promise<void>((r) => setImmediate(r));
      }
    } finally {
      this.running = false;
      this.clearTimer();
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      for (const w of waiters) w();
    }
  }

  /** The next batch: up to `maxSize` of the waiting items of the most urgent class, oldest first. */
  private takeBatch(): Array<Pending<T, R>> {
    const rank = this.opts.rank;
    if (!rank) return this.queue.splice(0, this.opts.maxSize);
    const ranks = this.queue.map((p) => rank(p.item));
    const top = Math.min(...ranks);
    const batch: Array<Pending<T, R>> = [];
    const rest: Array<Pending<T, R>> = [];
    this.queue.forEach((p, i) => (ranks[i] === top && batch.length < this.opts.maxSize ? batch : rest).push(p));
    this.queue = rest;
    return batch;
  }

  private async runOne(batch: Array<Pending<T, R>>): Promise<void> {
    const startedAt = Date.now();
    let outcomes: Array<ItemOutcome<R>>;
    try {
      outcomes = await this.run(batch.map((p) => p.item));
      if (outcomes.length !== batch.length) {
        throw new Error(`batch runner returned ${outcomes.length} outcomes for ${batch.length} items`);
      }
    } catch (e) {
      const err = e instanceof Error ? e : new Error(String(e));
      outcomes = batch.map(() => ({ ok: false, error: err }));
    }
    const info: BatchInfo = { size: batch.length, startedAt, runMs: Date.now() - startedAt };
    this.opts.onBatch?.(info);
    batch.forEach((p, i) => {
      const o = outcomes[i];
      if (o && o.ok) p.resolve({ value: o.value, batch: info });
      else p.reject(o && !o.ok ? o.error : new Error('missing outcome'));
    });
  }
}
