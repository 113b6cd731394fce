/**
 * The jobs service over several model versions: a submission is routed by its `model`, `version` and `label`
 * fields to the service of one version (its own queue pair); a job, batch or cancel by id is looked up in the
 * default version's service first (one read, as before), then in the others.
 */
import { AppError } from '@mserve/common';
import type { JobSnapshot } from '../pipeline/job-snapshot';
import type { JobsService } from '../pipeline/service';
import type { Submission } from '../pipeline/submit';
import type { ModelRoute } from './registry';
import { takeModelFields, type ModelSelector } from './selector';

/** What the routed service needs: routing and a service per route. */
export interface RoutedJobsDeps {
  resolve(sel: ModelSelector): ModelRoute;
  serviceFor(route: ModelRoute): JobsService;
  /** Every route's service that may hold jobs, the default version's first. */
  lookupOrder(): JobsService[];
  /** Shadow mode: sees every prediction routed without a version or label (see `shadow.ts`). */
  shadow?(route: ModelRoute, sub: Submission, requestId: string, answer: Promise<JobSnapshot>): void;
}

/** A submission routed: the service of its version, and the submission without the routing fields. */
export interface Routed {
  service: JobsService;
  sub: Submission;
  route: ModelRoute;
  /** Whether the request left the version to routing (named no version or label). */
  unpinned: boolean;
}

/** Routes one submission (404 MODEL_NOT_FOUND, 503 MODEL_UNAVAILABLE, 400 for a bad selector). */
export function routeSubmission(deps: RoutedJobsDeps, sub: Submission): Routed {
  const { selector, fields } = takeModelFields(sub.fields);
  const route = deps.resolve(selector);
  const unpinned = selector.version === undefined && selector.label === undefined;
  return { service: deps.serviceFor(route), sub: { ...sub, fields }, route, unpinned };
}

/** The first service answering `op` with anything but NOT_FOUND; NOT_FOUND when none does. */
async function firstFound<T>(services: JobsService[], op: (s: JobsService) => Promise<T>): Promise<T> {
  let last: unknown = new AppError('NOT_FOUND', 'not found');
  for (const s of services) {
    try {
      return await op(s);
    } catch (e) {
      if (!(e instanceof AppError) || e.code !== 'NOT_FOUND') throw e;
      last = e;
    }
  }
  throw last;
}

/** A {@link JobsService} that routes by model; see the module comment. */
export function createRoutedJobsService(deps: RoutedJobsDeps): JobsService {
  return {
    submitJob: (sub, requestId, opts) => {
      const r = routeSubmission(deps, sub);
      return r.service.submitJob(r.sub, requestId, opts);
    },
    predict: (sub, requestId, signal, opts) => {
      const r = routeSubmission(deps, sub);
      const answer = r.service.predict(r.sub, requestId, signal, opts);
      if (r.unpinned) deps.shadow?.(r.route, r.sub, requestId, answer);
      return answer;
    },
    submitBatch: (sub, requestId, opts) => {
      const r = routeSubmission(deps, sub);
      return r.service.submitBatch(r.sub, requestId, opts);
    },
    getJob: (id, waitMs, signal, tenant) => firstFound(deps.lookupOrder(), (s) => s.getJob(id, waitMs, signal, tenant)),
    cancelJob: (id, signal, tenant) => firstFound(deps.lookupOrder(), (s) => s.cancelJob(id, signal, tenant)),
    getBatch: (id, waitMs, signal, tenant) =>
      firstFound(deps.lookupOrder(), (s) => s.getBatch(id, waitMs, signal, tenant)),
  };
}
