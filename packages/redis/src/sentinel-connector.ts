import { SentinelConnector, type SentinelConnectionOptions } from 'ioredis';

/** The part of ioredis' connector state this class touches (private in its typings). */
interface DetectorHolder {
  failoverDetector: { cleanup(): void } | null;
}

/**
 * ioredis' Sentinel connector, with the failover detector tied to the connection it was made for.
 *
 * ioredis subscribes to the sentinels' `+switch-master` once a connection to the primary is up, and on that
 * message disconnects the connector so the client reconnects to the new primary. But the subscription outlived
 * its connection: when the primary dies, the client starts reconnecting while the old subscription still listens,
 * and the `+switch-master` of that very failover then disconnects the connector in the middle of asking the
 * sentinels for the new primary. ioredis takes that for a deliberate close and ends the client for good (status
 * `end`, no more retries): an idle gateway lost Redis at some failover and answered 503 until restarted. Here the
 * subscription is dropped when its connection closes; the reconnect finds the new primary by asking the sentinels
 * anyway, and the next connection subscribes afresh.
 */
export class FailoverSafeSentinelConnector extends SentinelConnector {
  /** ioredis hands a `Connector` the client's options as `unknown`; with `sentinels` set they are these. */
  constructor(options: unknown) {
    super(options as SentinelConnectionOptions);
  }

  override async connect(...args: Parameters<SentinelConnector['connect']>): ReturnType<SentinelConnector['connect']> {
    const stream = await super.connect(...args);
    // Runs before the client's own close handler, which schedules the reconnect: no detector of a dead connection
    // is left to interrupt it.
    stream.once('close', () => {
      const self = this as unknown as DetectorHolder;
      self.failoverDetector?.cleanup();
      self.failoverDetector = null;
    });
    return stream;
  }
}
