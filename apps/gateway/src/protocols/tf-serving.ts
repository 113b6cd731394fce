/**
 * TF Serving's REST API: `POST /v1/models/{name}[/versions/{v}|/labels/{l}]:predict` with `instances` (row format;
 * an instance is a nested array of numbers in [0, 1], or `{"b64": ...}` for an encoded image, or an object with
 * one named input holding either) or `inputs` (columnar: the same items as one list, or one named input holding
 * it); `GET /v1/models/{name}[/versions/{v}]` (status) and `.../metadata`. Errors are `{"error": "..."}`.
 * `samples` and `alpha` may be given in the query string. Inference runs as `/v1/predict` does.
 */
import { AppError, toAppError } from '@mserve/common';
import express, { Router, type ErrorRequestHandler, type Request } from 'express';
import type { GatewayDeps } from '../deps';
import type { ModelRoute } from '../models/registry';
import { parseSelector } from '../models/selector';
import { uploadError } from '../upload';
import { OUTPUTS } from './outputs';
import { runItems, type ProtocolInput } from './run-items';
import { splitTensor } from './tensor-input';
import { requireScope } from '../auth';

const PREDICT_RE = /^\/v1\/models\/([A-Za-z0-9_-]+)(?:\/versions\/([0-9]+)|\/labels\/([A-Za-z0-9_-]+))?:predict$/;

/** The nesting dimensions of a number array (`[[1,2],[3,4]]` → [2, 2]); throws on ragged arrays. */
function dims(v: unknown): number[] {
  if (!Array.isArray(v)) return [];
  const inner = v.map(dims);
  const first = inner[0] ?? [];
  if (!inner.every((d) => d.join() === first.join())) throw new AppError('VALIDATION_FAILED', 'ragged instance array');
  return [v.length, ...first];
}

/** One item: a named input's value is unwrapped; `{b64}` is an image; an array is a tensor. */
function item(v: unknown, i: number, modelShape: number[]): ProtocolInput {
  let x = v;
  if (x && typeof x === 'object' && !Array.isArray(x) && !('b64' in x)) {
    const vals = Object.values(x);
    if (vals.length !== 1) throw new AppError('VALIDATION_FAILED', `instance ${i} must have exactly one named input`);
    x = vals[0];
  }
  if (x && typeof x === 'object' && !Array.isArray(x) && 'b64' in x) {
    const b64 = (x as { b64: unknown }).b64;
    if (typeof b64 !== 'string' || b64.length === 0)
      throw new AppError('VALIDATION_FAILED', `instance ${i}: b64 must be a string`);
    return { kind: 'image', bytes: Buffer.from(b64, 'base64') };
  }
  if (!Array.isArray(x))
    throw new AppError('VALIDATION_FAILED', `instance ${i} is neither a number array nor {"b64": ...}`);
  const shape = [1, ...dims(x)];
  const flat = (x as unknown[]).flat(Infinity) as unknown[];
  if (!flat.every((n) => typeof n === 'number'))
    throw new AppError('VALIDATION_FAILED', `instance ${i} holds non-numbers`);
  const [tensor] = splitTensor(flat as number[], shape, modelShape);
  return { kind: 'tensor', tensor: tensor as Float32Array };
}

/** The items of a predict body, and whether the answer is columnar (`inputs`) or row (`instances`). */
export function parsePredictBody(body: unknown, modelShape: number[]): { items: ProtocolInput[]; columnar: boolean } {
  const b = body as { instances?: unknown; inputs?: unknown } | null;
  if (b && Array.isArray(b.instances)) {
    return { items: b.instances.map((v, i) => item(v, i, modelShape)), columnar: false };
  }
  if (b && b.inputs !== undefined) {
    let cols = b.inputs;
    if (cols && typeof cols === 'object' && !Array.isArray(cols) && !('b64' in cols)) {
      const vals = Object.values(cols);
      if (vals.length !== 1) throw new AppError('VALIDATION_FAILED', 'inputs must name exactly one input');
      cols = vals[0];
    }
    const list = Array.isArray(cols) ? cols : [cols];
    return { items: list.map((v, i) => item(v, i, modelShape)), columnar: true };
  }
  throw new AppError('VALIDATION_FAILED', 'the body needs "instances" (row format) or "inputs" (columnar format)');
}

const TF_STATE = {
  ready: 'AVAILABLE',
  loading: 'LOADING',
  calibrating: 'LOADING',
  failed: 'END',
  unknown: 'START',
} as const;

/** TF Serving's REST routes; see the module comment. */
export function tfServingRouter(deps: GatewayDeps): Router {
  const { config, models } = deps;
  const registry = models.registry;
  // The same keys and scopes as /v1 (health and server metadata stay open, like /healthz).
  const [predict, read] = [requireScope('predict', deps.auth), requireScope('read', deps.auth)];
  const router = Router();
  const json = express.json({ limit: config.MAX_UPLOAD_BYTES });

  const known = (name: string) => {
    if (!registry.modelNames().includes(name))
      throw new AppError('MODEL_NOT_FOUND', `Servable not found for request: Latest(${name})`);
  };

  router.post(PREDICT_RE, predict, json, async (req, res) => {
    const m = PREDICT_RE.exec(req.path) ?? [];
    const [, name = '', version, label] = m;
    known(name);
    const route: ModelRoute = models.resolve(parseSelector({ model: name, version, label }));
    const { items, columnar } = parsePredictBody(req.body, route.inputShape);
    if (items.length === 0) throw new AppError('VALIDATION_FAILED', 'no instances');
    const ac = new AbortController();
    res.once('close', () => ac.abort());
    const q = req.query;
    const results = await runItems(
      models.serviceFor(route),
      route,
      items,
      { samples: q['samples'], alpha: q['alpha'] },
      ac.signal,
      version === undefined && label === undefined
        ? (sub, id, answer) => models.shadow(route, sub, id, answer)
        : undefined,
    );
    res.set('x-model-version', String(route.version));
    if (columnar) {
      res.json({ outputs: Object.fromEntries(OUTPUTS.map((o) => [o.name, results.map((r) => o.pick(r))])) });
    } else {
      res.json({ predictions: results.map((r) => Object.fromEntries(OUTPUTS.map((o) => [o.name, o.pick(r)]))) });
    }
  });

  const status = (req: Request) => {
    const name = String(req.params['name']);
    known(name);
    const only = req.params['version'] !== undefined ? Number(req.params['version']) : undefined;
    const versions = registry.versions(name).filter((v) => only === undefined || v === only);
    if (versions.length === 0)
      throw new AppError('MODEL_NOT_FOUND', `Servable not found for request: Specific(${name}, ${String(only)})`);
    return {
      model_version_status: versions.map((v) => {
        const st = registry.status(name, v);
        return {
          version: String(v),
          state: TF_STATE[st.state as keyof typeof TF_STATE] ?? 'UNKNOWN',
          status:
            st.state === 'failed'
              ? { error_code: 'UNKNOWN', error_message: st.reason ?? 'failed' }
              : { error_code: 'OK', error_message: '' },
        };
      }),
    };
  };
  router.get(['/v1/models/:name', '/v1/models/:name/versions/:version'], read, (req, res) => {
    res.json(status(req));
  });

  router.get(['/v1/models/:name/metadata', '/v1/models/:name/versions/:version/metadata'], read, (req, res) => {
    const name = String(req.params['name']);
    known(name);
    const route = models.resolve(parseSelector({ model: name, version: req.params['version'] }));
    const dim = (shape: number[]) => ({
      dim: [-1, ...shape].map((size) => ({ size: String(size), name: '' })),
      unknown_rank: false,
    });
    res.json({
      model_spec: { name, signature_name: '', version: String(route.version) },
      metadata: {
        signature_def: {
          signature_def: {
            serving_default: {
              inputs: { input: { dtype: 'DT_FLOAT', tensor_shape: dim(route.inputShape), name: 'input' } },
              outputs: Object.fromEntries(
                OUTPUTS.map((o) => [
                  o.name,
                  {
                    dtype: o.datatype === 'FP32' ? 'DT_FLOAT' : o.datatype === 'INT64' ? 'DT_INT64' : 'DT_BOOL',
                    tensor_shape: dim(o.itemShape),
                    name: o.name,
                  },
                ]),
              ),
              method_name: 'tensorflow/serving/predict',
            },
          },
        },
      },
    });
  });

  const onError: ErrorRequestHandler = (err: unknown, req, res, next) => {
    // Only this router's own routes answer in TF Serving's shape; anything else keeps the service's error body.
    if (!req.path.startsWith('/v1/models/')) return next(err);
    const e = uploadError(err, config.MAX_UPLOAD_BYTES) ?? toAppError(err);
    if (e.status >= 500) req.log?.error({ err: e.cause ?? err }, e.message);
    if (res.headersSent) return;
    res.status(e.status).json({ error: e.message });
  };
  router.use(onError);
  return router;
}
