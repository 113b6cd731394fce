import { Router } from 'express';
import { requireScope } from '../auth';
import type { GatewayDeps } from '../deps';
import { renderMonitoring } from '../monitoring';
import { methodNotAllowed } from './method-not-allowed';

/** `GET /v1/monitoring`: drift statistics of the last 5 minutes and hour, from the buckets every worker writes. */
export function monitoringRouter(deps: GatewayDeps): Router {
  const router = Router();
  router
    .route('/v1/monitoring')
    // Statistics over every tenant's traffic: an operator's view.
    .get(requireScope('admin', deps.auth), async (_req, res) => {
      const windows = await deps.monitoring.windows();
      res.json(renderMonitoring({ name: deps.model.name, digest: deps.model.digest }, windows));
    })
    .all(methodNotAllowed);
  return router;
}
