/** Options of {@link GroupCommit}. */
export interface GroupCommitOptions<T, R> {
  /** Most items in one commit. */
  maxItems: number;
  /** Most commits in flight at once. */
  maxInFlight: number;
  /** Writes one group; resolves with one result per item, in order, or rejects for the whole group. */
  commit: (items: T[]) => Promise<R[]>;
  /** Called with the size of every group committed, for metrics. */
  onGroup?: (size: number) => void;
}

interface Entry<T, R> {
  item: T;
  resolve: (r: R) => void;
  reject: (e: unknown) => void;
}

/**
 * Group commit, the rule behind every write of the gateway to the queue. An item arriving while nothing is being
 * committed goes out at once, alone (the commit starts synchronously inside `submit`), so an idle service adds no
 * latency; items arriving while a commit is in flight wait for it and go out together. Under load the group size
 * follows the arrival rate times Redis' round trip, and the per-write costs are paid once per group. A full group
 * does not wait for the commit in flight, up to `maxInFlight` commits.
 */
export class GroupCommit<T, R> {
  private pending: Array<Entry<T, R>> = [];
  private inFlight = 0;

  constructor(private readonly opts: GroupCommitOptions<T, R>) {}

  /** Items waiting for their commit to start. */
  get waiting(): number {
    return this.pending.length;
  }

  /** Resolves with the item's own result once its group is committed; rejects with the group's error otherwise. */
  submit(item: T): Promise<R> {
    return new Promise((resolve, reject) => {
      this.pending.push({ item, resolve, reject });
      this.drain();
    });
  }

  private drain(): void {
    const { maxItems, maxInFlight } = this.opts;
    while (
      this.pending.length > 0 &&
      this.inFlight < maxInFlight &&
      (this.inFlight === 0 || this.pending.length >= maxItems)
    ) {
      this.flush(this.pending.splice(0, maxItems));
    }
  }

  private flush(group: Array<Entry<T, R>>): void {
    this.inFlight++;
    this.opts.onGroup?.(group.length);
    let committed: Promise<R[]>;
    try {
      committed = this.opts.commit(group.map((e) => e.item));
    } catch (e) {
      committed = Promise.reject(e);
    }
    committed
      .then(
        (results) => group.forEach((e, i) => e.resolve(results[i] as R)),
        (err: unknown) => group.forEach((e) => e.reject(err)),
      )
      .finally(() => {
        this.inFlight--;
        this.drain();
      });
  }
}
