/**
 * Which version of a model a request goes to, from the versions' states and the model's labels. A pure function so
 * the canary share and the "never to a failed or unready version" rules are tested without Redis.
 */

/** Labels of a model (the `ModelLabels` of @mserve/contracts). */
export interface ModelLabels {
  stable?: number;
  canary?: number;
  canaryShare?: number;
  shadow?: number;
  shadowShare?: number;
}

/** States of a version (the `VersionState` of @mserve/contracts). */
export type VersionState = 'loading' | 'calibrating' | 'ready' | 'failed';

/** What routing knows of one version. */
export interface RoutableVersion {
  version: number;
  /** `unknown` until a worker hosting it reported. */
  state: VersionState | 'unknown';
}

/** What the request asked for. */
export interface VersionRequest {
  version?: number;
  label?: string;
}

/** The chosen version, or why there is none (`missing`: 404; `unavailable`: 503, with the version's state). */
export type RouteChoice =
  | { ok: true; version: number; via: 'version' | 'label' | 'stable' | 'canary' | 'latest' }
  | { ok: false; why: 'missing' | 'unavailable'; message: string };

/**
 * The version a request naming none or a label answers from: the `stable` label's when set and not failed; else
 * the latest `ready` one (a new version takes the traffic once ready); else, while no worker has reported any
 * (a fresh start), the latest that has not failed, so jobs wait in its queue as they always did.
 */
export function servingVersion(versions: RoutableVersion[], labels: ModelLabels): number | null {
  const usable = (v: RoutableVersion | undefined) => v !== undefined && v.state !== 'failed';
  if (labels.stable !== undefined && usable(versions.find((v) => v.version === labels.stable))) return labels.stable;
  const sorted = [...versions].sort((a, b) => b.version - a.version);
  const ready = sorted.find((v) => v.state === 'ready');
  if (ready) return ready.version;
  if (sorted.some((v) => v.state !== 'unknown' && v.state !== 'failed')) return null;
  return sorted.find((v) => v.state === 'unknown')?.version ?? null;
}

/**
 * Chooses the version for one request. An explicit version or label must exist and not have failed (a version
 * still loading or calibrating is refused as unavailable: its queue has no consumer yet). Otherwise the canary
 * takes `canaryShare` of the requests (`draw` is uniform in [0, 1)) when it is ready, the rest go to
 * {@link servingVersion}.
 */
export function chooseVersion(
  model: string,
  versions: RoutableVersion[],
  labels: ModelLabels,
  req: VersionRequest,
  draw: number,
): RouteChoice {
  const find = (n: number) => versions.find((v) => v.version === n);
  const check = (n: number, via: 'version' | 'label'): RouteChoice => {
    const v = find(n);
    if (!v) return { ok: false, why: 'missing', message: `model ${model} has no version ${n}` };
    if (v.state === 'failed' || v.state === 'loading' || v.state === 'calibrating') {
      return { ok: false, why: 'unavailable', message: `version ${n} of model ${model} is ${v.state}` };
    }
    return { ok: true, version: n, via };
  };
  if (req.version !== undefined) return check(req.version, 'version');
  if (req.label !== undefined) {
    const n =
      req.label === 'stable'
        ? (labels.stable ?? servingVersion(versions, labels))
        : req.label === 'canary'
          ? labels.canary
          : undefined;
    if (n === undefined || n === null)
      return { ok: false, why: 'missing', message: `model ${model} has no label ${req.label}` };
    return check(n, 'label');
  }
  const canary = labels.canary !== undefined ? find(labels.canary) : undefined;
  if (canary?.state === 'ready' && draw < (labels.canaryShare ?? 0))
    return { ok: true, version: canary.version, via: 'canary' };
  const serving = servingVersion(versions, labels);
  if (serving === null) return { ok: false, why: 'unavailable', message: `model ${model} has no version ready yet` };
  return { ok: true, version: serving, via: labels.stable === serving ? 'stable' : 'latest' };
}

/** The labels naming `version` (for listings). */
export function labelsOf(version: number, labels: ModelLabels, serving: number | null): string[] {
  const out: string[] = [];
  if (labels.stable === version || (labels.stable === undefined && serving === version)) out.push('stable');
  if (labels.canary === version) out.push('canary');
  if (labels.shadow === version) out.push('shadow');
  return out;
}

/**
 * The shadow version that also answers a request routed to `chosen` (its answer compared, never returned): the
 * `shadow` label's version when it is ready, is not `chosen` itself, and `draw` (uniform in [0, 1)) falls within
 * `shadowShare`; otherwise null.
 */
export function shadowVersion(
  versions: RoutableVersion[],
  labels: ModelLabels,
  chosen: number,
  draw: number,
): number | null {
  const shadow = labels.shadow;
  if (shadow === undefined || shadow === chosen || draw >= (labels.shadowShare ?? 0)) return null;
  return versions.find((v) => v.version === shadow)?.state === 'ready' ? shadow : null;
}
