/**
 * The gateway's view of the model repository: which models and versions exist (scanned from the repository, read
 * with `describeSavedModel`, never tfjs), which state each is in and which labels each model has (from Redis, as
 * the workers and the admin API wrote them), refreshed every MODEL_POLL_MS. Requests are routed with
 * `chooseVersion`; a version that fails to describe here is `failed` in this gateway's view too.
 */
import { AppError, type Logger } from '@mserve/common';
import type { ModelLabels, RepositoryModel, ShadowStats, VersionStatus } from '@mserve/contracts';
import { describeSavedModel } from '@mserve/model-runtime/describe';
import {
  applyVersionPolicy,
  chooseVersion,
  labelsOf,
  servingVersion,
  shadowVersion,
  type RepositoryListing,
  type RoutableVersion,
  type VersionPolicy,
  type VersionRequest,
} from '@mserve/model-runtime/repository';
import { preprocessingFingerprint } from '@mserve/preprocess';

/** One model version the gateway can route to. */
export interface ModelRoute {
  name: string;
  version: number;
  queue: string;
  dir: string;
  digest: string;
  inputShape: number[];
  preprocessingFingerprint: string;
}

/** Where the registry reads what it shows. */
export interface RegistrySources {
  listing(): RepositoryListing;
  states(): Promise<Record<string, VersionStatus>>;
  labels(): Promise<Record<string, ModelLabels>>;
  queueOf(name: string, version: number): string;
}

interface Known {
  signature: string;
  route?: ModelRoute;
  failure?: string;
}

/** The key of a version in the states hash. */
export const versionKey = (name: string, version: number) => `${name}@${version}`;

/** Keeps the repository's models, versions, states and labels; see the module comment. */
export class ModelRegistry {
  private known = new Map<string, Known>();
  private served = new Map<string, number[]>();
  private states: Record<string, VersionStatus> = {};
  private labelsByModel: Record<string, ModelLabels> = {};
  private defaultName = '';
  private timer: NodeJS.Timeout | undefined;
  private refreshing: Promise<void> | undefined;
  /**
   * Whether a version's connections are up (set by the serving layer): a version whose queue this gateway cannot
   * write yet is `loading` in its view, so the first request of a rollout never meets a cold connection.
   */
  warmCheck: (route: ModelRoute) => boolean = () => true;
  /** This gateway's tally of a model's shadow versions (set by the serving layer). */
  shadowStats: (name: string) => ShadowStats[] = () => [];
  /** Called after every scan (the serving layer opens connections for new versions). */
  onScan: () => Promise<void> = async () => undefined;

  constructor(
    private readonly sources: RegistrySources,
    private readonly policy: VersionPolicy,
    private readonly logger: Logger,
  ) {}

  /** The model of requests naming none. */
  get defaultModel(): string {
    return this.defaultName;
  }

  /** Scans once, then every `pollMs`. */
  async start(pollMs: number): Promise<void> {
    await this.refresh();
    this.timer = setInterval(() => void this.refresh().catch(() => undefined), pollMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }

  /** One scan of the repository and of Redis; concurrent callers share it. */
  refresh(): Promise<void> {
    this.refreshing ??= this.scan().finally(() => {
      this.refreshing = undefined;
    });
    return this.refreshing;
  }

  private async scan(): Promise<void> {
    let listing: RepositoryListing | undefined;
    try {
      listing = this.sources.listing();
    } catch (e) {
      this.logger.warn({ err: (e as Error).message }, 'model repository unreadable; keeping the last listing');
    }
    if (listing) {
      this.defaultName = listing.defaultModel;
      const served = new Map<string, number[]>();
      for (const m of listing.models) {
        const versions = applyVersionPolicy(
          m.versions.map((v) => v.version),
          this.policy,
        );
        served.set(m.name, versions);
        for (const v of m.versions.filter((x) => versions.includes(x.version))) {
          const key = versionKey(m.name, v.version);
          const prev = this.known.get(key);
          if (prev && prev.signature === v.signature && (prev.route || prev.failure)) continue;
          // A folder still changing (being copied in) is read once two scans see the same files.
          if (!prev || prev.signature !== v.signature) {
            this.known.set(key, { signature: v.signature });
            if (prev || this.served.size > 0) continue;
          }
          await this.describe(m.name, v.version, v.dir, v.signature);
        }
      }
      this.served = served;
    }
    try {
      [this.states, this.labelsByModel] = await Promise.all([this.sources.states(), this.sources.labels()]);
    } catch {
      // Redis away: keep the last states; requests fail on the queue with REDIS_UNAVAILABLE anyway.
    }
    await this.onScan().catch(() => undefined);
  }

  private async describe(name: string, version: number, dir: string, signature: string): Promise<void> {
    const key = versionKey(name, version);
    try {
      const d = await describeSavedModel(dir);
      const route: ModelRoute = {
        name,
        version,
        queue: this.sources.queueOf(name, version),
        dir,
        digest: d.digest,
        inputShape: d.inputShape,
        preprocessingFingerprint: await preprocessingFingerprint(d.inputShape),
      };
      this.known.set(key, { signature, route });
      this.logger.info({ model: name, version, digest: d.digest }, 'model version found');
    } catch (e) {
      const failure = e instanceof Error ? e.message : String(e);
      this.known.set(key, { signature, failure });
      this.logger.warn({ model: name, version, reason: failure }, 'model version unreadable');
    }
  }

  private routable(name: string): RoutableVersion[] {
    return (this.served.get(name) ?? []).map((version) => {
      const k = this.known.get(versionKey(name, version));
      const st = this.states[versionKey(name, version)];
      if (k?.failure || st?.state === 'failed') return { version, state: 'failed' as const };
      if (!k?.route || !this.warmCheck(k.route)) return { version, state: 'loading' as const };
      return { version, state: st?.state ?? 'unknown' };
    });
  }

  /** Names of the served models, the default first. */
  modelNames(): string[] {
    const names = [...this.served.keys()];
    return [this.defaultName, ...names.filter((n) => n !== this.defaultName)].filter((n) => this.served.has(n));
  }

  /** A known version's route, whatever its state (null when unknown or unreadable). */
  route(name: string, version: number): ModelRoute | null {
    return this.known.get(versionKey(name, version))?.route ?? null;
  }

  /**
   * Routes of versions no longer served (their folder is gone or the version policy dropped them): no worker will
   * take their queued jobs any more.
   */
  droppedRoutes(): ModelRoute[] {
    return this.routes().filter((r) => !(this.served.get(r.name) ?? []).includes(r.version));
  }

  /** Every readable version's route. */
  routes(): ModelRoute[] {
    return [...this.known.values()].flatMap((k) => (k.route ? [k.route] : []));
  }

  /**
   * The route of one request: 404 MODEL_NOT_FOUND for an unknown model, version or label, 503 MODEL_UNAVAILABLE
   * for one that cannot answer now (failed, still loading or calibrating). `draw` decides the canary share.
   */
  resolve(name: string | undefined, req: VersionRequest, draw = Math.random()): ModelRoute {
    const model = name ?? this.defaultName;
    if (!this.served.has(model)) throw new AppError('MODEL_NOT_FOUND', `no model ${model}`);
    const choice = chooseVersion(model, this.routable(model), this.labelsByModel[model] ?? {}, req, draw);
    if (!choice.ok)
      throw new AppError(choice.why === 'missing' ? 'MODEL_NOT_FOUND' : 'MODEL_UNAVAILABLE', choice.message);
    const route = this.route(model, choice.version);
    if (!route) throw new AppError('MODEL_UNAVAILABLE', `version ${choice.version} of model ${model} is not readable`);
    return route;
  }

  /**
   * The shadow version also answering a request routed to version `chosen` of `model` (see `shadowVersion`);
   * null when there is none, it is not ready, or `draw` falls outside its share.
   */
  shadowFor(model: string, chosen: number, draw = Math.random()): ModelRoute | null {
    const v = shadowVersion(this.routable(model), this.labels(model), chosen, draw);
    return v === null ? null : this.route(model, v);
  }

  /** The state of one version (`unknown` until a worker reported), with the reason of a failure. */
  status(name: string, version: number): { state: string; reason?: string } {
    const k = this.known.get(versionKey(name, version));
    const st = this.states[versionKey(name, version)];
    if (k?.failure) return { state: 'failed', reason: k.failure };
    if (st) return st.reason ? { state: st.state, reason: st.reason } : { state: st.state };
    return { state: k?.route ? 'unknown' : 'loading' };
  }

  /** The labels of a model. */
  labels(name: string): ModelLabels {
    return this.labelsByModel[name] ?? {};
  }

  /** Every model with its versions, states and labels (`GET /v1/models`). */
  describeAll(): RepositoryModel[] {
    return this.modelNames().map((name) => {
      const labels = this.labels(name);
      const serving = servingVersion(this.routable(name), labels);
      const shadow = this.shadowStats(name);
      return {
        ...(shadow.length > 0 ? { shadow } : {}),
        name,
        default: name === this.defaultName,
        labels,
        servingVersion: serving,
        versions: (this.served.get(name) ?? []).map((version) => {
          const route = this.route(name, version);
          const { state, reason } = this.status(name, version);
          return {
            version,
            state: state as RepositoryModel['versions'][number]['state'],
            ...(reason ? { reason } : {}),
            digest: route?.digest ?? null,
            inputShape: route?.inputShape ?? null,
            labels: labelsOf(version, labels, serving),
            queue: this.sources.queueOf(name, version),
          };
        }),
      };
    });
  }

  /** Versions of `name` the policy serves (empty for an unknown model). */
  versions(name: string): number[] {
    return this.served.get(name) ?? [];
  }
}
