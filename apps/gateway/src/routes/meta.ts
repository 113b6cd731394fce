import { SAMPLES_MAX, SAMPLES_MIN, type ModelCard } from '@mserve/contracts';
import { Router } from 'express';
import { requireScope } from '../auth';
import type { GatewayDeps } from '../deps';
import { openApiDocument } from '../openapi';
import { methodNotAllowed } from './method-not-allowed';

const CARD_STALE_MS = 120_000;

/** `/v1/models`, `/healthz`, `/readyz`, `/metrics`, `/docs/openapi.json` (the page at `/docs` is `ui/routes.ts`'s). */
export function metaRouter(deps: GatewayDeps): Router {
  const { config, store, model, metrics } = deps;
  const router = Router();
  const doc = openApiDocument(config);

  router
    .route('/v1/models')
    .get(requireScope('read', deps.auth), async (_req, res) => {
      const cards = await store.modelCards();
      const byDigest = new Map<string, ModelCard>();
      // Workers refresh their card every 30 s; older cards belong to workers that are gone.
      const fresh = Date.now() - CARD_STALE_MS;
      for (const c of cards.filter((card) => card.updatedAt >= fresh)) {
        const prev = byDigest.get(c.digest);
        if (!prev || prev.updatedAt < c.updatedAt) byDigest.set(c.digest, c);
      }
      const defaults = {
        defaultSamples: config.MC_SAMPLES_DEFAULT,
        samplesRange: [SAMPLES_MIN, SAMPLES_MAX],
        defaultAlpha: config.ALPHA_DEFAULT,
      };
      const describe = (digest: string) => {
        const card = byDigest.get(digest);
        return {
          calibration: card?.calibration ?? null,
          uncertainty: { ...(card?.uncertainty ?? {}), ...defaults },
          workersLastSeenAt: card ? new Date(card.updatedAt).toISOString() : null,
        };
      };
      const fitted = byDigest.get(model.digest)?.calibration?.['preprocessingFingerprint'];
      const models = [
        {
          name: model.name,
          digest: model.digest,
          inputShape: model.inputShape,
          classes: byDigest.get(model.digest)?.classes ?? null,
          servedByThisGateway: true,
          ...describe(model.digest),
          // False means this gateway preprocesses differently from the data the calibration was fitted on: the
          // uncertainty estimates are then not calibrated for what the model is fed (refit with pnpm calibrate).
          preprocessing: {
            fingerprint: model.preprocessingFingerprint,
            matchesCalibration: typeof fitted === 'string' ? fitted === model.preprocessingFingerprint : null,
          },
        },
        ...[...byDigest.values()]
          .filter((c) => c.digest !== model.digest)
          .map((c) => ({
            name: c.name,
            digest: c.digest,
            inputShape: c.inputShape,
            classes: c.classes,
            servedByThisGateway: false,
            ...describe(c.digest),
          })),
      ];
      res.json({ models, repository: deps.models.registry.describeAll() });
    })
    .all(methodNotAllowed);

  // Liveness: the process answers. Redis trouble must not get the gateway restarted; readiness covers it.
  router
    .route('/healthz')
    .get((_req, res) => {
      res.json({ status: 'ok' });
    })
    .all(methodNotAllowed);

  router
    .route('/readyz')
    .get(async (_req, res) => {
      const redis = await store.ping();
      const checks = { redis, model: model.digest.length > 0, queueAccepting: redis && (await store.accepting()) };
      const ready = checks.redis && checks.model && checks.queueAccepting;
      if (!ready) res.set('Retry-After', String(config.RETRY_AFTER_S));
      res.status(ready ? 200 : 503).json({ status: ready ? 'ready' : 'not ready', checks });
    })
    .all(methodNotAllowed);

  router
    .route('/metrics')
    .get(async (_req, res) => {
      res.type(metrics.registry.contentType).send(await metrics.registry.metrics());
    })
    .all(methodNotAllowed);

  router
    .route('/docs/openapi.json')
    .get((_req, res) => {
      res.json(doc);
    })
    .all(methodNotAllowed);

  return router;
}
