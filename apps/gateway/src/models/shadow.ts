/**
 * Shadow mode: a model's `shadow` label names a version that also answers `shadowShare` of the requests routed
 * without a version or label. Its answer is never returned; it is compared with the answer that is: whether the
 * predicted digit differs, and how far its reliability is from the returned one. Counted as Prometheus metrics
 * and in `GET /v1/models` (this gateway's tally), so a candidate version is judged on real traffic before it takes
 * any. The shadow request is a job of its own on the shadow version's queue, never on the client's tenant quota.
 */
import type { Logger } from '@mserve/common';
import type { ShadowStats } from '@mserve/contracts';
import { Counter, Histogram, type Registry } from 'prom-client';
import type { JobSnapshot } from '../pipeline/job-snapshot';
import type { JobsService } from '../pipeline/service';
import type { Submission } from '../pipeline/submit';
import type { ModelRegistry, ModelRoute } from './registry';

/** What shadowing needs. */
export interface ShadowDeps {
  registry: ModelRegistry;
  serviceFor(route: ModelRoute): JobsService;
  metrics: Registry;
  logger: Logger;
}

/** Shadowing of the requests of one gateway. */
export interface Shadowing {
  /**
   * Also sends `sub` (already routed to `route`, answering with `answer`) to the model's shadow version when the
   * labels ask for it; returns at once, the comparison is recorded when both have answered.
   */
  observe(route: ModelRoute, sub: Submission, requestId: string, answer: Promise<JobSnapshot>): void;
  /** This gateway's tally per shadow version of `model`. */
  stats(model: string): ShadowStats[];
}

interface Tally {
  requests: number;
  disagreements: number;
  errors: number;
  deltaSum: number;
}

/** Creates the shadowing; see the module comment. */
export function createShadowing(deps: ShadowDeps): Shadowing {
  const labelNames = ['model', 'version'] as const;
  const requests = new Counter({
    name: 'model_shadow_requests_total',
    help: 'requests a shadow version answered next to the answer returned (by model and shadow version)',
    labelNames,
    registers: [deps.metrics],
  });
  const disagreements = new Counter({
    name: 'model_shadow_disagreements_total',
    help: 'shadow answers predicting another digit than the answer returned',
    labelNames,
    registers: [deps.metrics],
  });
  const errors = new Counter({
    name: 'model_shadow_errors_total',
    help: 'shadow requests that failed while the answer returned succeeded',
    labelNames,
    registers: [deps.metrics],
  });
  const delta = new Histogram({
    name: 'model_shadow_reliability_delta',
    help: "the shadow answer's reliability minus the returned answer's",
    labelNames,
    buckets: [-0.5, -0.2, -0.1, -0.05, -0.02, 0, 0.02, 0.05, 0.1, 0.2, 0.5],
    registers: [deps.metrics],
  });
  const tallies = new Map<string, Map<number, Tally>>();
  const tallyOf = (model: string, version: number): Tally => {
    let byVersion = tallies.get(model);
    if (!byVersion) tallies.set(model, (byVersion = new Map()));
    let t = byVersion.get(version);
    if (!t) byVersion.set(version, (t = { requests: 0, disagreements: 0, errors: 0, deltaSum: 0 }));
    return t;
  };

  const record = (route: ModelRoute, shadow: ModelRoute, main: JobSnapshot, other: JobSnapshot | undefined) => {
    const labels = { model: route.name, version: String(shadow.version) };
    const t = tallyOf(route.name, shadow.version);
    // Every series of a shadow version exists from its first answer: a dashboard reads 0, not "no data".
    for (const c of [requests, disagreements, errors]) c.inc(labels, 0);
    const a = main.result?.result;
    const b = other?.status === 'completed' ? other.result?.result : undefined;
    if (!b) {
      t.errors++;
      errors.inc(labels);
      return;
    }
    if (!a) return;
    t.requests++;
    requests.inc(labels);
    if (a.prediction !== b.prediction) {
      t.disagreements++;
      disagreements.inc(labels);
    }
    const d = b.uncertainty.reliability - a.uncertainty.reliability;
    t.deltaSum += d;
    delta.observe(labels, d);
  };

  return {
    observe(route, sub, requestId, answer) {
      const shadow = deps.registry.shadowFor(route.name, route.version);
      if (!shadow) return;
      // No tenant: a shadow request is the operator's experiment, not the client's work.
      const shadowAnswer = deps.serviceFor(shadow).predict(sub, `${requestId}-shadow`);
      void Promise.allSettled([answer, shadowAnswer]).then(([main, other]) => {
        // Only requests whose returned answer completed are compared (a failed one says nothing of the shadow).
        if (main.status !== 'fulfilled' || main.value.status !== 'completed') return;
        if (other.status === 'rejected')
          deps.logger.debug({ err: (other.reason as Error)?.message, model: route.name }, 'shadow request failed');
        record(route, shadow, main.value, other.status === 'fulfilled' ? other.value : undefined);
      });
    },
    stats(model) {
      const { shadow, shadowShare = 0 } = deps.registry.labels(model);
      return [...(tallies.get(model) ?? new Map<number, Tally>())].map(([version, t]) => ({
        version,
        share: shadow === version ? shadowShare : 0,
        requests: t.requests,
        disagreements: t.disagreements,
        errors: t.errors,
        meanReliabilityDelta: t.requests > 0 ? t.deltaSum / t.requests : null,
      }));
    },
  };
}
