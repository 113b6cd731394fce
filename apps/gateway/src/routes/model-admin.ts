import { timingSafeEqual } from 'node:crypto';
import { AppError } from '@mserve/common';
import type { ModelLabels } from '@mserve/contracts';
import express, { Router, type Request } from 'express';
import type { GatewayDeps } from '../deps';
import { methodNotAllowed } from './method-not-allowed';

/** Checks a label change against the model's versions (400 VALIDATION_FAILED naming what is wrong). */
export function checkLabels(body: unknown, versions: number[]): ModelLabels {
  const b = (body ?? {}) as Record<string, unknown>;
  const bad: string[] = [];
  const version = (key: 'stable' | 'canary' | 'shadow'): number | undefined => {
    const v = b[key];
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'number' || !versions.includes(v))
      bad.push(`${key} must be one of the versions ${versions.join(', ')}`);
    return typeof v === 'number' ? v : undefined;
  };
  const stable = version('stable');
  const canary = version('canary');
  const share = b['canaryShare'];
  if (share !== undefined && (typeof share !== 'number' || share < 0 || share > 1))
    bad.push('canaryShare must be in [0, 1]');
  if (canary !== undefined && share === undefined) bad.push('a canary needs canaryShare');
  const shadow = version('shadow');
  const shadowShare = b['shadowShare'];
  if (shadowShare !== undefined && (typeof shadowShare !== 'number' || shadowShare < 0 || shadowShare > 1))
    bad.push('shadowShare must be in [0, 1]');
  if (shadow !== undefined && shadowShare === undefined) bad.push('a shadow needs shadowShare');
  const extra = Object.keys(b).filter((k) => !['stable', 'canary', 'canaryShare', 'shadow', 'shadowShare'].includes(k));
  if (extra.length > 0) bad.push(`unknown fields ${extra.join(', ')}`);
  if (bad.length > 0) throw new AppError('VALIDATION_FAILED', bad.join('; '));
  return {
    ...(stable !== undefined ? { stable } : {}),
    ...(canary !== undefined ? { canary, canaryShare: share as number } : {}),
    ...(shadow !== undefined ? { shadow, shadowShare: shadowShare as number } : {}),
  };
}

/**
 * `PUT /v1/models/{name}/labels` (`{"stable": 1, "canary": 2, "canaryShare": 0.1}`, and `"shadow": 3,
 * "shadowShare": 0.2` for shadow mode; absent labels are cleared, so a rollback is one call). Needs
 * `Authorization: Bearer <MODEL_ADMIN_TOKEN>`; without a token configured the route is off (404). Labels live in
 * Redis, so every gateway routes by them from its next poll.
 */
export function modelAdminRouter(deps: GatewayDeps): Router {
  const { config, models, store } = deps;
  const router = Router();
  const authorized = (req: Request): boolean => {
    const token = config.MODEL_ADMIN_TOKEN;
    const given = Buffer.from((req.headers.authorization ?? '').replace(/^Bearer /i, ''));
    const want = Buffer.from(token);
    return token.length > 0 && given.length === want.length && timingSafeEqual(given, want);
  };
  router
    .route('/v1/models/:name/labels')
    .get((req, res) => {
      res.json(models.registry.labels(String(req.params['name'])));
    })
    .put(express.json({ limit: 4096 }), async (req, res) => {
      if (!config.MODEL_ADMIN_TOKEN) throw new AppError('NOT_FOUND', 'label changes are off (MODEL_ADMIN_TOKEN unset)');
      if (!authorized(req))
        throw new AppError('UNAUTHORIZED', 'a valid Authorization: Bearer <MODEL_ADMIN_TOKEN> is required');
      const name = String(req.params['name']);
      if (!models.registry.modelNames().includes(name)) throw new AppError('MODEL_NOT_FOUND', `no model ${name}`);
      const labels = checkLabels(req.body, models.registry.versions(name));
      await store.setModelLabels(name, labels);
      await models.registry.refresh();
      res.json(labels);
    })
    .all(methodNotAllowed);
  return router;
}
