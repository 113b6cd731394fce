/**
 * Request plans for the API fuzz suite, generated from the OpenAPI document: valid requests built from each
 * operation's parameter and body schemas, and invalid ones (wrong types, missing fields, oversized strings, garbage
 * bodies, wrong content types, bad multipart, random image bytes, random paths and methods).
 *
 * A plan is plain data (so fast-check can print and replay it); `materialize` turns it into an HTTP request
 * against the identities and job ids the run has seen. Two dimensions are open for callers:
 * - identities: each plan is sent as one of `identities` (its headers, e.g. `Authorization`), and every accepted job
 *   is recorded under the identity that made it;
 * - job references: a path id is a fresh UUID, garbage, or a job made by any identity (`{ owner, n }`), so a run
 *   with several identities sends one identity's requests for another's jobs, and the caller's oracle can say what
 *   such a request must answer (see `Materialized.owner`).
 */
import fc from 'fast-check';
import {
  invalidArbitrary,
  refResolver,
  schemaArbitrary,
  type Schema,
  type SchemaArbitraryOptions,
} from './schema-arbitrary';

/** Who sends a request: a name for the report and the headers that identify it. */
export interface Identity {
  name: string;
  headers: Record<string, string>;
}

/** A job a plan's path refers to: the `n`-th (modulo) job accepted for identity `owner` (modulo). */
export interface JobRef {
  owner: number;
  n: number;
}

/** One generated request, before ids are resolved. */
export interface Plan {
  /** What kind of request this is, for the status mix. */
  kind: string;
  method: string;
  /** Path with `{id}` where a job reference goes. */
  path: string;
  id?: string | JobRef;
  query: string;
  headers: Record<string, string>;
  body?: Uint8Array;
  /** Index into the identities. */
  identity: number;
}

/** Accepted job ids per identity index. */
export class KnownJobs {
  private readonly byOwner = new Map<number, string[]>();

  /** Records a job accepted for `owner`. */
  add(owner: number, id: string): void {
    const list = this.byOwner.get(owner) ?? [];
    list.push(id);
    this.byOwner.set(owner, list);
  }

  /** The job `ref` points at, or undefined when its owner has none yet. */
  pick(ref: JobRef, identities: number): { id: string; owner: number } | undefined {
    const owner = ref.owner % identities;
    const list = this.byOwner.get(owner);
    return list?.length ? { id: list[ref.n % list.length]!, owner } : undefined;
  }

  /** Number of jobs recorded. */
  get size(): number {
    return [...this.byOwner.values()].reduce((a, l) => a + l.length, 0);
  }
}

/** A plan ready to send: its URL path with query, headers and body, and whose job it names (if any). */
export interface Materialized {
  plan: Plan;
  url: string;
  headers: Record<string, string>;
  body?: Buffer;
  /** The identity that made the job the path names, when it names a known job. */
  owner?: number;
}

/** Resolves a plan's job reference and adds its identity's headers. */
export function materialize(plan: Plan, identities: Identity[], jobs: KnownJobs): Materialized {
  let id: string | undefined;
  let owner: number | undefined;
  if (typeof plan.id === 'string') id = plan.id;
  else if (plan.id) {
    const known = jobs.pick(plan.id, identities.length);
    id = known?.id ?? '00000000-0000-4000-8000-000000000000';
    owner = known?.owner;
  }
  const path = id !== undefined ? plan.path.replace('{id}', encodeURIComponent(id)) : plan.path;
  const identity = identities[plan.identity % identities.length]!;
  return {
    plan,
    url: `${path}${plan.query}`,
    headers: { ...plan.headers, ...identity.headers },
    ...(plan.body ? { body: Buffer.from(plan.body) } : {}),
    ...(owner !== undefined ? { owner } : {}),
  };
}

interface Parameter {
  name: string;
  in: 'query' | 'header' | 'path';
  required?: boolean;
  schema: Schema;
}
interface Operation {
  parameters?: Parameter[];
  requestBody?: { content: Record<string, { schema: Schema }> };
}
type Doc = { paths: Record<string, Record<string, Operation>> };

/** What the fuzz knows beyond the document: sample images and the gateway's upload limit. */
export interface PlanInputs {
  /** Small real images (PNG/JPEG bytes) that the gateway decodes. */
  images: Buffer[];
  /** The gateway's MAX_UPLOAD_BYTES (bodies just over it are sent). */
  maxUploadBytes: number;
  /** How many identities plans choose from. */
  identities: number;
}

/** Printable ASCII only: what an HTTP client may put in a header value. */
const headerSafe = (v: unknown) => String(typeof v === 'object' ? JSON.stringify(v) : v).replace(/[^\x20-\x7e]/g, '?');

/** Webhook URLs that the guard refuses or accepts without a DNS lookup (IP literals, malformed URLs). */
const webhookUrl = fc.constantFrom(
  'http://10.0.0.1/hook',
  'http://127.0.0.1:9/hook',
  'https://[::1]/x',
  'http://169.254.169.254/latest',
  'ftp://1.2.3.4/x',
  'not a url',
  'http://',
);

const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'HEAD'];

/** Every generated request kind with its weight; valid predictions are a small share (they cost a worker run). */
export function planArbitrary(doc: Doc, inputs: PlanInputs): fc.Arbitrary<Plan> {
  const resolve = refResolver(doc);
  const opts: SchemaArbitraryOptions = { resolve, formats: { uri: webhookUrl }, maxSize: 24 };
  const identity = fc.nat({ max: Math.max(0, inputs.identities - 1) });
  const realImage = fc.constantFrom(...inputs.images);
  const cheapSamples = fc.integer({ min: 1, max: 20 });

  const idArb: fc.Arbitrary<string | JobRef> = fc.oneof(
    { weight: 3, arbitrary: fc.record({ owner: fc.nat({ max: 7 }), n: fc.nat() }) },
    { weight: 2, arbitrary: fc.uuid() },
    { weight: 1, arbitrary: fc.string({ maxLength: 40 }) },
    { weight: 1, arbitrary: fc.constant('x'.repeat(300)) },
  );

  /** Optional headers any request may carry: request ids of every shape, odd Accept values, CORS origins. */
  const commonHeaders = fc.record(
    {
      'x-request-id': fc.oneof(
        fc.stringMatching(/^[\w.:-]{1,128}$/),
        fc.constant('r'.repeat(129)),
        fc.string({ maxLength: 40 }).map(headerSafe),
      ),
      accept: fc.constantFrom('*/*', 'text/html', 'application/xml', 'application/json'),
      origin: fc.constantFrom('https://app.example', 'https://evil.example', 'null'),
      'access-control-request-method': fc.constantFrom('GET', 'POST', 'DELETE', 'PUT'),
    },
    { requiredKeys: [] },
  );

  /** Query string and headers from an operation's parameters: each absent, valid or (when allowed) invalid. */
  const paramsFor = (op: Operation, invalid: boolean) => {
    const params = (op.parameters ?? []).filter((p) => p.in !== 'path');
    const valueFor = (p: Parameter) =>
      fc.oneof(
        { weight: 3, arbitrary: fc.constant(undefined) },
        { weight: 3, arbitrary: schemaArbitrary(p.schema, opts) },
        { weight: invalid ? 2 : 0, arbitrary: invalidArbitrary(p.schema, opts) },
      );
    return fc.tuple(...params.map(valueFor)).map((values) => {
      const query = new URLSearchParams();
      const headers: Record<string, string> = {};
      params.forEach((p, i) => {
        const v = values[i];
        if (v === undefined) return;
        if (p.in === 'query') query.append(p.name, typeof v === 'object' ? JSON.stringify(v) : String(v));
        else headers[p.name.toLowerCase()] = headerSafe(v);
      });
      const q = query.toString();
      return { query: q ? `?${q}` : '', headers };
    });
  };

  const json = (v: unknown) => new Uint8Array(Buffer.from(JSON.stringify(v)));
  const b64 = (b: Buffer) => b.toString('base64');

  /** A multipart body with its content type; `parts` are [field, filename | undefined, type, bytes]. */
  const multipart = (parts: Array<[string, string | undefined, string, Uint8Array]>, boundary = 'fuzzBoundary7') => {
    const chunks: Buffer[] = [];
    for (const [name, filename, type, bytes] of parts) {
      const disp = `form-data; name="${name}"${filename ? `; filename="${filename}"` : ''}`;
      chunks.push(Buffer.from(`--${boundary}\r\nContent-Disposition: ${disp}\r\nContent-Type: ${type}\r\n\r\n`));
      chunks.push(Buffer.from(bytes), Buffer.from('\r\n'));
    }
    chunks.push(Buffer.from(`--${boundary}--\r\n`));
    return { type: `multipart/form-data; boundary=${boundary}`, body: new Uint8Array(Buffer.concat(chunks)) };
  };

  /** Request bodies for an operation that takes an image, each with its content type. */
  const bodiesFor = (op: Operation) => {
    const content = op.requestBody!.content;
    const jsonSchema = content['application/json']!.schema;
    const bytes = fc.uint8Array({ maxLength: 600 });
    const formFields = fc.record(
      { samples: cheapSamples.map(String), priority: fc.constantFrom('high', 'normal', 'low', 'urgent') },
      { requiredKeys: [] },
    );
    const weighted = <T>(w: number, kind: string, arb: fc.Arbitrary<T>) => ({
      weight: w,
      arbitrary: arb.map((v) => ({ kind, ...(v as object) }) as { kind: string; type?: string; body: Uint8Array }),
    });
    return fc.oneof(
      weighted(
        1,
        'valid-png',
        realImage.map((b) => ({ type: 'image/png', body: new Uint8Array(b), cheap: true })),
      ),
      weighted(
        1,
        'valid-json',
        fc.tuple(schemaArbitrary(jsonSchema, opts), realImage, cheapSamples).map(([v, img, samples]) => ({
          type: 'application/json',
          body: json({ ...(v as object), images: undefined, image: b64(img), samples }),
        })),
      ),
      weighted(
        1,
        'valid-multipart',
        fc
          .tuple(realImage, formFields)
          .map(([img, fields]) =>
            multipart([
              ['image', 'digit.png', 'image/png', img],
              ...Object.entries(fields).map(
                ([k, v]) => [k, undefined, 'text/plain', Buffer.from(v)] as [string, undefined, string, Buffer],
              ),
            ]),
          ),
      ),
      weighted(
        8,
        'random-image-bytes',
        fc
          .tuple(fc.constantFrom('image/png', 'image/jpeg', 'image/gif', 'image/webp', 'image/x-unknown'), bytes)
          .map(([type, body]) => ({ type, body })),
      ),
      weighted(
        4,
        'truncated-image',
        fc
          .tuple(realImage, fc.nat())
          .map(([b, n]) => ({ type: 'image/png', body: new Uint8Array(b.subarray(0, n % b.length)) })),
      ),
      weighted(
        8,
        'schema-json',
        schemaArbitrary(jsonSchema, opts).map((v) => ({ type: 'application/json', body: json(v) })),
      ),
      weighted(
        10,
        'invalid-json',
        invalidArbitrary(jsonSchema, opts).map((v) => ({ type: 'application/json', body: json(v) })),
      ),
      weighted(
        4,
        'json-value',
        fc.jsonValue().map((v) => ({ type: 'application/json', body: json(v) })),
      ),
      weighted(
        5,
        'garbage-body',
        fc
          .tuple(
            fc.constantFrom('application/json', 'multipart/form-data', 'image/png', undefined),
            fc.string({ maxLength: 200 }),
          )
          .map(([type, s]) => ({ ...(type ? { type } : {}), body: new Uint8Array(Buffer.from(s)) })),
      ),
      weighted(
        5,
        'wrong-content-type',
        fc
          .tuple(
            fc.oneof(
              fc.constantFrom('text/plain', 'application/xml', 'application/x-www-form-urlencoded', 'video/mp4'),
              fc.string({ maxLength: 30 }).map(headerSafe),
            ),
            bytes,
          )
          .map(([type, body]) => ({ type, body })),
      ),
      weighted(
        6,
        'bad-multipart',
        fc.oneof(
          bytes.map((b) => ({ type: 'multipart/form-data', body: b })),
          fc.tuple(realImage, fc.nat()).map(([img, n]) => {
            const m = multipart([['image', 'd.png', 'image/png', img]]);
            return { type: m.type, body: m.body.subarray(0, n % m.body.length) };
          }),
          realImage.map((img) => ({
            ...multipart([['image', 'd.png', 'image/png', img]]),
            type: 'multipart/form-data; boundary=other',
          })),
          fc
            .tuple(realImage, fc.string({ maxLength: 12 }))
            .map(([img, field]) => multipart([[field || 'file', 'd.png', 'image/png', img]])),
          realImage.map((img) =>
            multipart([
              ['image', 'a.png', 'image/png', img],
              ['image', 'b.png', 'image/png', img],
            ]),
          ),
          fc
            .tuple(bytes, formFields)
            .map(([b, fields]) =>
              multipart([
                ['image', 'x.bin', 'application/octet-stream', b],
                ...Object.entries(fields).map(
                  ([k, v]) => [k, undefined, 'text/plain', Buffer.from(v)] as [string, undefined, string, Buffer],
                ),
              ]),
            ),
          fc.string({ maxLength: 30 }).map((s) => multipart([['samples', undefined, 'text/plain', Buffer.from(s)]])),
        ),
      ),
      weighted(
        2,
        'oversized',
        fc.constantFrom('image/png', 'application/json').map((type) => ({
          type,
          body: new Uint8Array(
            type === 'application/json'
              ? Buffer.from(JSON.stringify({ image: 'A'.repeat(inputs.maxUploadBytes + 16) }))
              : Buffer.alloc(inputs.maxUploadBytes + 16, 7),
          ),
        })),
      ),
    );
  };

  const documented = Object.entries(doc.paths).flatMap(([route, ops]) =>
    Object.entries(ops).map(([method, op]) => ({ route, method: method.toUpperCase(), op })),
  );

  const operationPlans = documented.map(({ route, method, op }) => {
    const hasId = route.includes('{id}');
    const base = fc.record({
      params: paramsFor(op, true),
      common: commonHeaders,
      identity,
      id: hasId ? idArb : fc.constant(undefined),
    });
    const toPlan = (
      b: {
        params: { query: string; headers: Record<string, string> };
        common: Record<string, string>;
        identity: number;
        id: string | JobRef | undefined;
      },
      kind: string,
      extra: { type?: string; body?: Uint8Array } = {},
    ): Plan => ({
      kind,
      method,
      path: route,
      ...(b.id !== undefined ? { id: b.id } : {}),
      query: b.params.query,
      headers: { ...b.common, ...b.params.headers, ...(extra.type ? { 'content-type': extra.type } : {}) },
      ...(extra.body ? { body: extra.body } : {}),
      identity: b.identity,
    });
    if (!op.requestBody) return base.map((b) => toPlan(b, `${method} ${route}`));
    return fc.tuple(base, paramsFor(op, false), bodiesFor(op)).map(([b, validParams, body]) => {
      // A valid image goes with valid parameters, so it becomes a job; its samples stay small (the worker's time
      // is the fuzz's budget).
      const cheap = body.kind.startsWith('valid-')
        ? { ...b, params: { ...validParams, query: validParams.query.replace(/samples=\d+/, 'samples=5') } }
        : b;
      return toPlan(cheap, `${method} ${route} ${body.kind}`, body);
    });
  });

  /** Documented paths with a method they lack, and paths that do not exist at all. */
  const segment = fc.oneof(
    fc.constantFrom('v1', 'jobs', 'batches', 'predict', 'models', '..', '%2e%2e', '%zz', ''),
    fc.webSegment(),
  );
  const randomPath = fc.array(segment, { minLength: 1, maxLength: 5 }).map((s) => `/${s.join('/')}`);
  const stray = fc
    .record({
      method: fc.constantFrom(...METHODS),
      path: fc.oneof(randomPath, fc.constantFrom(...Object.keys(doc.paths))),
      id: idArb,
      common: commonHeaders,
      identity,
      body: fc.option(fc.uint8Array({ maxLength: 200 }), { nil: undefined }),
    })
    .map(({ method, path, id, common, identity: who, body }): Plan => {
      const documentedPath = path in doc.paths;
      return {
        kind: documentedPath ? `stray ${method} ${path}` : 'random-path',
        method,
        path,
        ...(path.includes('{id}') ? { id } : {}),
        query: '',
        headers: common,
        ...(body && method !== 'GET' && method !== 'HEAD' ? { body } : {}),
        identity: who,
      };
    })
    // /docs is served but not a documented operation; its page has its own tests.
    .filter((p) => !/^\/docs(\/|$)/i.test(new URL(`http://h${p.path}`).pathname));

  const oversizedHeader: fc.Arbitrary<Plan> = fc
    .record({ identity, n: fc.integer({ min: 17_000, max: 40_000 }) })
    .map(({ identity: who, n }) => ({
      kind: 'oversized-header',
      method: 'GET',
      path: '/v1/models',
      query: '',
      headers: { 'x-padding': 'p'.repeat(n) },
      identity: who,
    }));

  return fc.oneof(
    { weight: 80, arbitrary: fc.oneof(...operationPlans) },
    { weight: 18, arbitrary: stray },
    { weight: 2, arbitrary: oversizedHeader },
  );
}
