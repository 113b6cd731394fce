import { readFileSync } from 'node:fs';
import path from 'node:path';
import { checkScaledObject, checkTriggerAuthentication } from './keda-schema';
import { egressClasses, egressRulesFor, policiesFor, policySpec } from './netpol';
import {
  type Container,
  type K8sObject,
  ROOT,
  find,
  ofKind,
  podTemplate,
  render,
  replicasOf,
  typeCheckWithModels,
  validateWithModels,
} from './render';

const OVERLAYS = ['dev', 'prod', 'prod-sentinel', 'model-repository'] as const;
/** Secrets each overlay expects to exist without rendering them (provisioned from a secret manager). */
const EXTERNAL_SECRETS: Record<(typeof OVERLAYS)[number], string[]> = {
  dev: [],
  prod: ['mserve-secrets'],
  'prod-sentinel': ['mserve-secrets'],
  'model-repository': [],
};
const KEDA_CHECKS: Record<string, (o: unknown) => string[]> = {
  ScaledObject: checkScaledObject,
  TriggerAuthentication: checkTriggerAuthentication,
};

/** The queue name the code uses when QUEUE_NAME is unset (read from the contracts source, not imported). */
function codeDefaultQueueName(): string {
  const src = readFileSync(path.join(ROOT, 'packages/contracts/src/queues.ts'), 'utf8');
  const m = /DEFAULT_QUEUE_NAME = '([^']+)'/.exec(src);
  if (!m?.[1]) throw new Error('DEFAULT_QUEUE_NAME not found in packages/contracts/src/queues.ts');
  return m[1];
}

/** The sync queue's name as `syncQueueName` in packages/contracts/src/queues.ts builds it. */
function codeSyncQueueName(queue: string | undefined): string {
  const src = readFileSync(path.join(ROOT, 'packages/contracts/src/queues.ts'), 'utf8');
  const m = /return `\$\{queueName\}([^`]*)`;/.exec(src);
  if (m?.[1] === undefined) throw new Error('syncQueueName not found in packages/contracts/src/queues.ts');
  return `${queue ?? ''}${m[1]}`;
}

/** A model's queue as `modelQueueName` in packages/contracts/src/queues.ts builds it. */
function codeModelQueueName(queue: string | undefined, model: string, version: number): string {
  const src = readFileSync(path.join(ROOT, 'packages/contracts/src/queues.ts'), 'utf8');
  const m = /return `\$\{base\}([^$]*)\$\{model\}([^$]*)\$\{version\}`;/.exec(src);
  if (!m) throw new Error('modelQueueName not found in packages/contracts/src/queues.ts');
  return `${queue ?? ''}${m[1]}${model}${m[2]}${version}`;
}

/**
 * The versions a `specific:<v>,<v>` policy serves. A repository deployment on Kubernetes pins them: the scaler's
 * list names are static, so `all` or `latest:<n>` would serve versions no ScaledObject watches.
 */
function pinnedVersions(policy: string | undefined): number[] {
  const m = /^specific:(\d+(?:,\d+)*)$/.exec(policy ?? '');
  if (!m?.[1]) throw new Error(`MODEL_VERSION_POLICY ${policy} is not pinned (specific:<v>,<v>)`);
  return m[1].split(',').map(Number);
}

function containersOf(o: K8sObject): Container[] {
  const t = podTemplate(o);
  return t ? [...(t.spec.initContainers ?? []), ...t.spec.containers] : [];
}

interface ScaledObjectSpec {
  scaleTargetRef: { kind?: string; name: string };
  minReplicaCount?: number;
  maxReplicaCount?: number;
  triggers: { type: string; metadata: Record<string, string>; authenticationRef?: { name: string } }[];
}

describe.each(OVERLAYS)('infra/k8s/overlays/%s', (overlay) => {
  let objects: K8sObject[];
  let config: Record<string, string>;
  const deployment = (name: string): K8sObject => find(objects, 'Deployment', name);
  /** The worker the single-worker checks read: the model repository's overlay has one per model, all alike. */
  const WORKER = overlay === 'model-repository' ? 'mserve-worker-mnist-model' : 'mserve-worker';

  beforeAll(() => {
    objects = render(`overlays/${overlay}`);
    config = find(objects, 'ConfigMap', 'mserve-config').data ?? {};
  });

  it('renders and every object validates against its schema (kubernetes-models, KEDA CRD fields)', () => {
    expect(objects.length).toBeGreaterThan(15);
    const results = validateWithModels(objects);
    const invalid = results.filter((r) => r.status === 'invalid').map((r) => `${r.kind}/${r.name}: ${r.error}`);
    expect(invalid).toEqual([]);
    const unmodelled = results.filter((r) => r.status === 'no-model');
    for (const r of unmodelled) {
      const check = KEDA_CHECKS[r.kind];
      if (!check) throw new Error(`${r.apiVersion} ${r.kind}/${r.name} has no schema to validate against`);
      expect({ [`${r.kind}/${r.name}`]: check(objects[r.index]) }).toEqual({ [`${r.kind}/${r.name}`]: [] });
    }
    // Proof the validator runs: a Deployment with a malformed CPU quantity must be refused.
    const broken = structuredClone(deployment('mserve-gateway'));
    const c = podTemplate(broken)?.spec.containers[0];
    if (!c?.resources?.limits) throw new Error('gateway has no limits');
    c.resources.limits['cpu'] = 'two cores';
    expect(validateWithModels([broken])[0]?.status).toBe('invalid');
  });

  it('has no unknown or misplaced fields (TypeScript excess-property check against kubernetes-models types)', () => {
    // A copy of the worker with a misspelt probe field proves the check can fail; it must be the only error.
    const typo = structuredClone(deployment(WORKER));
    typo.metadata.name = 'typo-probe';
    const probe = podTemplate(typo)?.spec.containers[0]?.livenessProbe as Record<string, unknown> | undefined;
    if (!probe) throw new Error('worker has no liveness probe');
    probe['periodSecond'] = 10;
    const errors = typeCheckWithModels([...objects, typo], (o) => !o.apiVersion.startsWith('keda.sh/'));
    expect(errors.map((e) => e.split(':')[0])).toEqual(['Deployment/typo-probe']);
    expect(errors[0]).toMatch(/periodSecond/);
  }, 60_000);

  it('gives every container CPU and memory requests and limits', () => {
    const missing: string[] = [];
    for (const o of objects) {
      for (const c of containersOf(o)) {
        for (const kind of ['requests', 'limits'] as const) {
          for (const r of ['cpu', 'memory']) {
            if (!c.resources?.[kind]?.[r]) missing.push(`${o.kind}/${o.metadata.name}/${c.name} ${kind}.${r}`);
          }
        }
      }
    }
    expect(missing).toEqual([]);
  });

  it('gives every long-running container startup, liveness and readiness probes on the documented endpoints', () => {
    for (const o of [...ofKind(objects, 'Deployment'), ...ofKind(objects, 'StatefulSet')]) {
      for (const c of containersOf(o)) {
        expect({ [c.name]: [!!c.startupProbe, !!c.livenessProbe, !!c.readinessProbe] }).toEqual({
          [c.name]: [true, true, true],
        });
      }
    }
    const probe = (name: string): [string | undefined, string | undefined, number | undefined] => {
      const c = containersOf(deployment(name))[0];
      const port = c?.ports?.[0]?.containerPort;
      return [c?.livenessProbe?.httpGet?.path, c?.readinessProbe?.httpGet?.path, port];
    };
    expect(probe('mserve-gateway')).toEqual(['/healthz', '/readyz', 8080]);
    expect(probe(WORKER)).toEqual(['/healthz', '/healthz', 9100]);
    expect(probe('mserve-notifier')).toEqual(['/healthz', '/healthz', 9101]);
    expect(config['WORKER_HTTP_PORT']).toBe('9100');
    expect(config['NOTIFIER_HTTP_PORT']).toBe('9101');
  });

  it('gives the worker a termination grace longer than its drain, and the gateway one longer than a long-poll', () => {
    const drainMs = Number(config['SHUTDOWN_TIMEOUT_MS']);
    expect(drainMs).toBeGreaterThan(0);
    const workerGrace = podTemplate(deployment(WORKER))?.spec.terminationGracePeriodSeconds ?? 30;
    // At least 10 s beyond the drain for closing Redis connections and the webhook producer.
    expect(workerGrace * 1000).toBeGreaterThanOrEqual(drainMs + 10_000);
    const gatewayGrace = podTemplate(deployment('mserve-gateway'))?.spec.terminationGracePeriodSeconds ?? 30;
    expect(gatewayGrace).toBeGreaterThan(Number(config['MAX_WAIT_S']));
  });

  it('runs every pod as non-root without privilege escalation', () => {
    for (const o of objects) {
      const t = podTemplate(o);
      if (!t) continue;
      expect({ [o.metadata.name]: t.spec.securityContext?.runAsNonRoot }).toEqual({ [o.metadata.name]: true });
      for (const c of containersOf(o)) expect(c.securityContext?.allowPrivilegeEscalation).toBe(false);
    }
  });

  it('runs every container with a read-only root filesystem', () => {
    for (const o of objects) {
      if (!podTemplate(o)) continue;
      for (const c of containersOf(o)) {
        const where = `${o.metadata.name}/${c.name}`;
        expect({ [where]: c.securityContext?.readOnlyRootFilesystem }).toEqual({ [where]: true });
      }
    }
  });

  it('scales the gateway on CPU and the workers with KEDA on the BullMQ wait lists of the configured queue and its sync queue', () => {
    const hpa = find(objects, 'HorizontalPodAutoscaler', 'mserve-gateway').spec as {
      scaleTargetRef: { kind: string; name: string };
      metrics: { type: string; resource?: { name: string } }[];
    };
    expect(hpa.scaleTargetRef).toMatchObject({ kind: 'Deployment', name: 'mserve-gateway' });
    expect(hpa.metrics).toContainEqual(
      expect.objectContaining({ type: 'Resource', resource: expect.objectContaining({ name: 'cpu' }) }),
    );

    const queue = config['QUEUE_NAME'];
    expect(queue).toBe(codeDefaultQueueName());
    // Every worker Deployment (one per model with the model repository) and the queues it consumes: its
    // WORKER_MODELS' versions of MODEL_VERSION_POLICY on their own queues, or QUEUE_NAME itself without a repository.
    const workers = ofKind(objects, 'Deployment').filter((d) => d.metadata.name.startsWith('mserve-worker'));
    expect(workers.length).toBeGreaterThan(0);
    for (const d of workers) {
      const env = containersOf(d).find((c) => c.name === 'worker')?.env ?? [];
      const model = env.find((e) => e.name === 'WORKER_MODELS')?.value;
      const queues = config['MODEL_REPOSITORY']
        ? pinnedVersions(config['MODEL_VERSION_POLICY']).map((v) => codeModelQueueName(queue, model ?? '', v))
        : [queue];
      if (config['MODEL_REPOSITORY']) expect(model).toMatch(/^[A-Za-z0-9_-]+$/);
      const scalers = ofKind(objects, 'ScaledObject').filter(
        (o) => (o.spec as unknown as ScaledObjectSpec).scaleTargetRef.name === d.metadata.name,
      );
      expect(scalers.map((o) => o.metadata.name)).toEqual([d.metadata.name]);
      const so = scalers[0]?.spec as unknown as ScaledObjectSpec;
      expect(so.scaleTargetRef.kind ?? 'Deployment').toBe('Deployment');
      const lists = so.triggers.filter((t) => t.type.startsWith('redis')).map((t) => t.metadata['listName']);
      for (const q of queues) {
        expect(lists).toContain(`${config['QUEUE_PREFIX']}:${q}:wait`);
        expect(lists).toContain(`${config['QUEUE_PREFIX']}:${q}:active`);
        // Batch jobs of synchronous predictions wait in their own queue: its backlog scales workers too.
        expect(lists).toContain(`${config['QUEUE_PREFIX']}:${codeSyncQueueName(q)}:wait`);
        expect(lists).toContain(`${config['QUEUE_PREFIX']}:${codeSyncQueueName(q)}:active`);
      }
      // The autoscalers own the replica counts: a fixed count in the Deployment would fight them on every apply.
      expect(replicasOf(d)).toBeUndefined();
      for (const t of so.triggers) {
        if (t.authenticationRef) find(objects, 'TriggerAuthentication', t.authenticationRef.name);
      }
    }
    expect(replicasOf(deployment('mserve-gateway'))).toBeUndefined();
  });

  it('protects every Deployment with a PodDisruptionBudget selecting its pods', () => {
    const pdbs = ofKind(objects, 'PodDisruptionBudget').map(
      (p) => (p.spec as { selector: { matchLabels: Record<string, string> } }).selector.matchLabels,
    );
    for (const d of ofKind(objects, 'Deployment')) {
      const labels = podTemplate(d)?.labels ?? {};
      const covered = pdbs.some((sel) => Object.entries(sel).every(([k, v]) => labels[k] === v));
      expect({ [d.metadata.name]: covered }).toEqual({ [d.metadata.name]: true });
    }
  });

  it('denies all traffic by default and lets only the notifier reach the internet', () => {
    const deny = objects.filter((o) => {
      const s = policySpec(o);
      return (
        o.kind === 'NetworkPolicy' &&
        (s.policyTypes ?? []).includes('Ingress') &&
        (s.policyTypes ?? []).includes('Egress') &&
        !s.ingress?.length &&
        !s.egress?.length
      );
    });
    expect(deny.length).toBeGreaterThan(0);
    for (const o of objects) {
      const t = podTemplate(o);
      if (!t) continue;
      expect({ [o.metadata.name]: deny.some((d) => policiesFor([d], t.labels, 'Egress').length > 0) }).toEqual({
        [o.metadata.name]: true,
      });
    }
    const classesOf = (name: string): string[] => {
      const t = podTemplate(deployment(name));
      return [...new Set(egressClasses(egressRulesFor(objects, t?.labels ?? {})))].sort();
    };
    expect(classesOf('mserve-gateway')).toEqual(['dns', 'redis']);
    expect(classesOf(WORKER)).toEqual(['dns', 'redis']);
    expect(classesOf('mserve-notifier')).toEqual(['dns', 'internet', 'redis']);
    const calibrate = podTemplate(find(objects, 'Job', 'mserve-calibrate'));
    expect([...new Set(egressClasses(egressRulesFor(objects, calibrate?.labels ?? {})))]).toEqual(['dns']);

    // The notifier's internet is public addresses only: a second wall behind its SSRF guard.
    const internet = egressRulesFor(objects, podTemplate(deployment('mserve-notifier'))?.labels ?? {})
      .flatMap((r) => r.to ?? [])
      .find((p) => p.ipBlock?.cidr === '0.0.0.0/0');
    expect(internet?.ipBlock?.except).toEqual(
      expect.arrayContaining(['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '127.0.0.0/8', '169.254.0.0/16']),
    );
  });

  it('references only ConfigMaps, Secrets and volumes that exist (or are declared external)', () => {
    const names = (kind: string): Set<string> => new Set(ofKind(objects, kind).map((o) => o.metadata.name));
    const secrets = new Set([...names('Secret'), ...EXTERNAL_SECRETS[overlay]]);
    const configMaps = names('ConfigMap');
    const claims = names('PersistentVolumeClaim');
    const dangling: string[] = [];
    for (const o of objects) {
      const t = podTemplate(o);
      if (!t) continue;
      for (const c of containersOf(o)) {
        for (const e of c.env ?? []) {
          const ref = e.valueFrom?.secretKeyRef;
          if (ref && !secrets.has(ref.name)) dangling.push(`${c.name}: Secret ${ref.name}`);
        }
        for (const e of c.envFrom ?? []) {
          if (e.configMapRef && !configMaps.has(e.configMapRef.name))
            dangling.push(`${c.name}: ConfigMap ${e.configMapRef.name}`);
        }
      }
      for (const v of t.spec.volumes ?? []) {
        if (v.persistentVolumeClaim && !claims.has(v.persistentVolumeClaim.claimName))
          dangling.push(`PVC ${v.persistentVolumeClaim.claimName}`);
        if (v.configMap && !configMaps.has(v.configMap.name)) dangling.push(`ConfigMap ${v.configMap.name}`);
      }
    }
    for (const ta of ofKind(objects, 'TriggerAuthentication')) {
      for (const r of (ta.spec as { secretTargetRef: { name: string }[] }).secretTargetRef) {
        if (!secrets.has(r.name)) dangling.push(`TriggerAuthentication: Secret ${r.name}`);
      }
    }
    expect(dangling).toEqual([]);
  });

  it('mounts models read-only from a volume, never from the image', () => {
    for (const name of ['mserve-gateway', WORKER]) {
      const t = podTemplate(deployment(name));
      expect(t?.spec.volumes?.find((v) => v.name === 'assets')?.persistentVolumeClaim?.claimName).toBe('mserve-assets');
    }
    expect(config['ASSETS_DIR']).toBe('/assets');
    expect(config['MODEL_DIR']?.startsWith('/assets/models/')).toBe(true);
  });
});

describe('infra/k8s/overlays/model-repository: a worker per model', () => {
  const objects = render('overlays/model-repository');
  const workers = ofKind(objects, 'Deployment').filter((d) => d.metadata.name.startsWith('mserve-worker'));
  const selector = (o: K8sObject) =>
    (o.spec as { selector: { matchLabels: Record<string, string> } }).selector.matchLabels;
  const modelOf = (d: K8sObject) =>
    containersOf(d)
      .find((c) => c.name === 'worker')
      ?.env?.find((e) => e.name === 'WORKER_MODELS')?.value;

  it('hosts each model of the repository in a Deployment of its own, serving MODEL_REPOSITORY', () => {
    const config = find(objects, 'ConfigMap', 'mserve-config').data ?? {};
    expect(config['MODEL_REPOSITORY']).toMatch(/^\/assets\//);
    expect(workers.map(modelOf).sort()).toEqual(['mnist_cnn', 'mnist_dropout', 'mnist_model']);
  });

  it("selects each worker's pods by its model, so no Deployment or disruption budget reaches another's pods", () => {
    for (const d of workers) {
      expect(selector(d)['mserve.io/model']).toBe(modelOf(d));
      const pods = podTemplate(d)?.labels ?? {};
      const others = workers.filter((o) => o !== d && Object.entries(selector(o)).every(([k, v]) => pods[k] === v));
      expect(others.map((o) => o.metadata.name)).toEqual([]);
      const budgets = ofKind(objects, 'PodDisruptionBudget').filter((p) =>
        Object.entries(selector(p)).every(([k, v]) => pods[k] === v),
      );
      expect(budgets).toHaveLength(1);
    }
  });
});

describe('Redis per environment', () => {
  it('dev runs its own Redis with an append-only file and noeviction; prod runs none and uses TLS to a managed one', () => {
    const dev = render('overlays/dev');
    const conf = find(dev, 'ConfigMap', 'redis-config').data?.['redis.conf'] ?? '';
    expect(conf).toMatch(/^appendonly yes$/m);
    expect(conf).toMatch(/^maxmemory-policy noeviction$/m);
    const sts = find(dev, 'StatefulSet', 'redis').spec as { volumeClaimTemplates?: unknown[] };
    expect(sts.volumeClaimTemplates?.length).toBe(1);

    const prod = render('overlays/prod');
    expect(ofKind(prod, 'StatefulSet')).toEqual([]);
    expect(ofKind(prod, 'Secret')).toEqual([]);
    const so = find(prod, 'ScaledObject', 'mserve-worker').spec as unknown as ScaledObjectSpec;
    for (const t of so.triggers) expect(t.metadata['enableTLS']).toBe('true');
    for (const d of ofKind(prod, 'Deployment')) {
      for (const c of containersOf(d)) expect(c.image).toMatch(/^ghcr\.io\/[^/]+\/mserve-[a-z]+:[\w.-]+$/);
    }
  });
});

describe('Redis with Sentinel (overlays/prod-sentinel)', () => {
  it('runs three data nodes with sentinels and points every process and the scaler at the sentinels', () => {
    const objects = render('overlays/prod-sentinel');
    const sts = find(objects, 'StatefulSet', 'redis');
    const spec = sts.spec as { replicas?: number; volumeClaimTemplates?: unknown[] };
    expect(spec.replicas).toBe(3);
    expect(spec.volumeClaimTemplates?.length).toBe(1);
    expect(containersOf(sts).map((c) => c.name)).toEqual(['redis', 'sentinel']);
    const conf = find(objects, 'ConfigMap', 'redis-config').data?.['redis.conf'] ?? '';
    expect(conf).toMatch(/^maxmemory-policy noeviction$/m);
    const config = find(objects, 'ConfigMap', 'mserve-config').data ?? {};
    const sentinels = (config['REDIS_SENTINELS'] ?? '').split(',');
    expect(sentinels).toHaveLength(3);
    for (const s of sentinels) expect(s).toMatch(/^redis-\d\.redis-headless:26379$/);
    expect(config['REDIS_SENTINEL_NAME']).toBe('mserve');
    // The scripts' monitor name and the apps' must agree.
    const scripts = find(objects, 'ConfigMap', 'redis-sentinel-scripts').data ?? {};
    expect(scripts['sentinel.sh']).toContain(`sentinel monitor ${config['REDIS_SENTINEL_NAME']} `);
    const so = find(objects, 'ScaledObject', 'mserve-worker').spec as unknown as ScaledObjectSpec;
    for (const t of so.triggers) {
      expect(t.type).toBe('redis-sentinel');
      expect(t.metadata['addresses']).toBe(config['REDIS_SENTINELS']);
      expect(t.metadata['sentinelMaster']).toBe('mserve');
    }
  });
});
