/**
 * Open Inference Protocol v2 over REST (KServe, Triton, MLServer): server and model metadata, health, readiness,
 * and `infer` with FP32 tensor inputs or BYTES inputs holding base64-encoded images. Errors are the protocol's
 * `{"error": "..."}` bodies with the status of the service's error code. Inference runs through the same jobs
 * service as `/v1/predict` (see `run-items.ts`).
 */
import { AppError, toAppError } from '@mserve/common';
import express, { Router, type ErrorRequestHandler, type Request } from 'express';
import type { GatewayDeps } from '../deps';
import type { ModelRoute } from '../models/registry';
import { parseSelector } from '../models/selector';
import { uploadError } from '../upload';
import { OUTPUTS, selectOutputs, unknownOutputs } from './outputs';
import { runItems, type ProtocolInput } from './run-items';
import { splitTensor } from './tensor-input';
import { requireScope } from '../auth';

/** The server's name and version in `GET /v2`. */
export const OIP_SERVER = { name: 'mserve', version: '0.1.0', extensions: ['model_repository_labels'] };

interface OipInput {
  name?: unknown;
  shape?: unknown;
  datatype?: unknown;
  data?: unknown;
}

/** Flattens nested `data` (the protocol allows both flat and nested arrays). */
function flatten(data: unknown): unknown[] {
  return Array.isArray(data) ? data.flatMap((d) => (Array.isArray(d) ? flatten(d) : [d])) : [data];
}

/** The inputs of an infer request: one FP32 tensor `[N, ...]`, or one BYTES tensor `[N]` of base64 images. */
export function parseOipInputs(body: unknown, modelShape: number[]): ProtocolInput[] {
  const b = body as { inputs?: unknown } | null;
  if (!b || typeof b !== 'object' || !Array.isArray(b.inputs) || b.inputs.length !== 1) {
    throw new AppError('VALIDATION_FAILED', 'inputs must hold exactly one input tensor');
  }
  const input = b.inputs[0] as OipInput;
  if (!Array.isArray(input.shape) || !input.shape.every((d) => Number.isInteger(d))) {
    throw new AppError('VALIDATION_FAILED', 'inputs[0].shape must be an array of integers');
  }
  const shape = input.shape as number[];
  const data = flatten(input.data);
  if (input.datatype === 'FP32') {
    if (!data.every((v) => typeof v === 'number')) throw new AppError('VALIDATION_FAILED', 'FP32 data must be numbers');
    return splitTensor(data as number[], shape, modelShape).map((tensor) => ({ kind: 'tensor', tensor }));
  }
  if (input.datatype === 'BYTES') {
    if (data.length !== (shape[0] ?? -1) || shape.length !== 1) {
      throw new AppError('VALIDATION_FAILED', 'BYTES input must have shape [N] and N base64 strings of encoded images');
    }
    return data.map((v, i) => {
      if (typeof v !== 'string' || v.length === 0)
        throw new AppError('VALIDATION_FAILED', `data[${i}] is not a base64 string`);
      return { kind: 'image', bytes: Buffer.from(v, 'base64') };
    });
  }
  throw new AppError('VALIDATION_FAILED', `datatype ${String(input.datatype)} is not supported: use FP32 or BYTES`);
}

/** `/v2/...`; see the module comment. */
export function oipRouter(deps: GatewayDeps): Router {
  const { config, models } = deps;
  const registry = models.registry;
  // The same keys and scopes as /v1 (health and server metadata stay open, like /healthz).
  const [predict, read] = [requireScope('predict', deps.auth), requireScope('read', deps.auth)];
  const router = Router();
  router.use('/v2', express.json({ limit: config.MAX_UPLOAD_BYTES }));

  const routeOf = (req: Request): ModelRoute => {
    const name = String(req.params['name']);
    if (!registry.modelNames().includes(name)) throw new AppError('MODEL_NOT_FOUND', `no model ${name}`);
    const sel = parseSelector({ model: name, version: req.params['version'] });
    return models.resolve(sel);
  };
  const isReady = (name: string, version?: string): boolean => {
    try {
      const route = routeOf({ params: { name, ...(version ? { version } : {}) } } as unknown as Request);
      return registry.status(route.name, route.version).state === 'ready';
    } catch {
      return false;
    }
  };

  router.get(['/v2', '/v2/'], (_req, res) => {
    res.json(OIP_SERVER);
  });
  router.get('/v2/health/live', (_req, res) => {
    res.json({ live: true });
  });
  router.get('/v2/health/ready', async (_req, res) => {
    const redis = await deps.store.ping();
    const ready = redis && registry.modelNames().every((n) => isReady(n));
    res.status(ready ? 200 : 503).json({ ready });
  });

  const metadata = (req: Request) => {
    const route = routeOf(req);
    return {
      name: route.name,
      versions: registry.versions(route.name).map(String),
      platform: 'tensorflow_savedmodel',
      inputs: [{ name: 'input', datatype: 'FP32', shape: [-1, ...route.inputShape] }],
      outputs: OUTPUTS.map((o) => ({ name: o.name, datatype: o.datatype, shape: [-1, ...o.itemShape] })),
      properties: {
        digest: route.digest,
        version: String(route.version),
        state: registry.status(route.name, route.version).state,
      },
    };
  };
  router.get(['/v2/models/:name', '/v2/models/:name/versions/:version'], read, (req, res) => {
    res.json(metadata(req));
  });
  router.get(['/v2/models/:name/ready', '/v2/models/:name/versions/:version/ready'], read, (req, res) => {
    const route = routeOf(req);
    const ready = isReady(route.name, String(route.version));
    res.status(ready ? 200 : 503).json({ name: route.name, ready });
  });
  router.post(['/v2/models/:name/infer', '/v2/models/:name/versions/:version/infer'], predict, async (req, res) => {
    const route = routeOf(req);
    const body = (req.body ?? {}) as {
      id?: unknown;
      parameters?: Record<string, unknown>;
      outputs?: Array<{ name?: unknown }>;
    };
    const wanted = Array.isArray(body.outputs) ? body.outputs.map((o) => String(o?.name)) : undefined;
    const unknown = wanted ? unknownOutputs(wanted) : [];
    if (unknown.length > 0) throw new AppError('VALIDATION_FAILED', `unknown outputs ${unknown.join(', ')}`);
    const inputs = parseOipInputs(body, route.inputShape);
    const params = body.parameters ?? {};
    const ac = new AbortController();
    res.once('close', () => ac.abort());
    const unpinned = req.params['version'] === undefined;
    const results = await runItems(
      models.serviceFor(route),
      route,
      inputs,
      params,
      ac.signal,
      unpinned ? (sub, id, answer) => models.shadow(route, sub, id, answer) : undefined,
    );
    const n = results.length;
    res.json({
      model_name: route.name,
      model_version: String(route.version),
      ...(typeof body.id === 'string' ? { id: body.id } : {}),
      parameters: {
        samples: results[0]?.result.uncertainty.samples ?? 0,
        alpha: results[0]?.result.uncertainty.alpha ?? 0,
      },
      outputs: selectOutputs(wanted).map((o) => ({
        name: o.name,
        datatype: o.datatype,
        shape: [n, ...o.itemShape],
        data: results.flatMap((r) => {
          const v = o.pick(r);
          return Array.isArray(v) ? v : [v];
        }),
      })),
    });
  });

  router.use('/v2', (req, _res, next) => {
    next(new AppError('NOT_FOUND', `no route ${req.method} ${req.originalUrl.split('?')[0] ?? ''}`));
  });
  const onError: ErrorRequestHandler = (err: unknown, req, res, _next) => {
    const e = uploadError(err, config.MAX_UPLOAD_BYTES) ?? toAppError(err);
    if (e.status >= 500) req.log?.error({ err: e.cause ?? err }, e.message);
    if (res.headersSent) return;
    res.status(e.status).json({ error: `${e.code}: ${e.message}` });
  };
  router.use('/v2', onError);
  return router;
}
