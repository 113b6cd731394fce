/**
 * Test helpers for the Kubernetes manifests: render an overlay with `kubectl kustomize`, validate every object
 * with `kubernetes-models` (in a child process: that package is ESM-only), and typed views of the fields the
 * assertions read.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';

/** Repository root (this file lives in infra/test). */
export const ROOT = path.resolve(__dirname, '../..');
/** The kustomize tree. */
export const K8S_DIR = path.join(ROOT, 'infra/k8s');

export interface Metadata {
  name: string;
  namespace?: string;
  labels?: Record<string, string>;
}

export interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: { key: string; operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist'; values?: string[] }[];
}

export interface Probe {
  httpGet?: { path: string; port: number | string };
  exec?: { command: string[] };
  periodSeconds?: number;
  failureThreshold?: number;
}

export interface Container {
  name: string;
  image: string;
  args?: string[];
  ports?: { name?: string; containerPort: number }[];
  env?: { name: string; value?: string; valueFrom?: { secretKeyRef?: { name: string; key: string } } }[];
  envFrom?: { configMapRef?: { name: string }; secretRef?: { name: string } }[];
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
  livenessProbe?: Probe;
  readinessProbe?: Probe;
  startupProbe?: Probe;
  securityContext?: { allowPrivilegeEscalation?: boolean; readOnlyRootFilesystem?: boolean };
}

export interface PodSpec {
  containers: Container[];
  initContainers?: Container[];
  terminationGracePeriodSeconds?: number;
  securityContext?: { runAsNonRoot?: boolean };
  volumes?: { name: string; persistentVolumeClaim?: { claimName: string }; configMap?: { name: string } }[];
}

export interface NetworkPolicyPeer {
  podSelector?: LabelSelector;
  namespaceSelector?: LabelSelector;
  ipBlock?: { cidr: string; except?: string[] };
}

export interface NetworkPolicyRule {
  to?: NetworkPolicyPeer[];
  from?: NetworkPolicyPeer[];
  ports?: { protocol?: string; port?: number | string }[];
}

/** A rendered object; `spec`/`data` are typed loosely and narrowed by the helpers that read them. */
export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: Metadata;
  spec?: Record<string, unknown>;
  data?: Record<string, string>;
}

/** Renders `infra/k8s/<dir>` with kubectl's built-in kustomize; fails with a clear message when kubectl is absent. */
export function render(dir: string): K8sObject[] {
  let out: string;
  try {
    out = execFileSync('kubectl', ['kustomize', path.join(K8S_DIR, dir)], { encoding: 'utf8', stdio: 'pipe' });
  } catch (e) {
    const err = e as NodeJS.ErrnoException & { stderr?: string };
    if (err.code === 'ENOENT') throw new Error('kubectl not found: the manifest tests need kubectl >= 1.27 on PATH');
    throw new Error(`kubectl kustomize ${dir} failed: ${err.stderr ?? err.message}`);
  }
  return parseAllDocuments(out)
    .map((d) => d.toJSON() as K8sObject | null)
    .filter((o): o is K8sObject => o !== null);
}

/** Result of validating one object against its kubernetes-models schema. */
export interface ValidationResult {
  index: number;
  apiVersion: string;
  kind: string;
  name: string;
  status: 'valid' | 'invalid' | 'no-model';
  error?: string;
}

/**
 * Validates objects with kubernetes-models. Secret `data` is base64 that kustomize folds over several lines; the
 * API server's decoder skips those newlines but the schema's "byte" format does not, so they are removed first.
 */
export function validateWithModels(objects: K8sObject[]): ValidationResult[] {
  const normalised = objects.map((o) =>
    o.kind === 'Secret' && o.data
      ? { ...o, data: Object.fromEntries(Object.entries(o.data).map(([k, v]) => [k, v.replace(/\s+/g, '')])) }
      : o,
  );
  const out = execFileSync(process.execPath, [path.join(__dirname, 'validate-k8s.mjs')], {
    cwd: ROOT,
    input: JSON.stringify(normalised),
    encoding: 'utf8',
  });
  return JSON.parse(out) as ValidationResult[];
}

/** Objects of a kind. */
export function ofKind(objects: K8sObject[], kind: string): K8sObject[] {
  return objects.filter((o) => o.kind === kind);
}

/** The one object of a kind and name; throws naming what is missing. */
export function find(objects: K8sObject[], kind: string, name: string): K8sObject {
  const o = objects.find((x) => x.kind === kind && x.metadata.name === name);
  if (!o) throw new Error(`no ${kind}/${name} in the render`);
  return o;
}

interface Workload {
  replicas?: number;
  selector?: LabelSelector;
  template?: { metadata?: { labels?: Record<string, string> }; spec: PodSpec };
  jobTemplate?: { spec: { template: { metadata?: { labels?: Record<string, string> }; spec: PodSpec } } };
}

/** Pod template (labels and spec) of a Deployment, StatefulSet, DaemonSet or Job; undefined for other kinds. */
export function podTemplate(o: K8sObject): { labels: Record<string, string>; spec: PodSpec } | undefined {
  if (!['Deployment', 'StatefulSet', 'DaemonSet', 'Job'].includes(o.kind)) return undefined;
  const w = o.spec as Workload;
  if (!w.template) return undefined;
  return { labels: w.template.metadata?.labels ?? {}, spec: w.template.spec };
}

/** The `spec.replicas` of a workload (undefined when an autoscaler owns it). */
export function replicasOf(o: K8sObject): number | undefined {
  return (o.spec as Workload).replicas;
}

/** Whether a label selector selects a set of labels (an empty selector selects everything). */
export function selects(selector: LabelSelector | undefined, labels: Record<string, string>): boolean {
  if (!selector) return true;
  for (const [k, v] of Object.entries(selector.matchLabels ?? {})) if (labels[k] !== v) return false;
  for (const e of selector.matchExpressions ?? []) {
    const has = Object.prototype.hasOwnProperty.call(labels, e.key);
    const value = labels[e.key];
    if (e.operator === 'In' && !(has && value !== undefined && (e.values ?? []).includes(value))) return false;
    if (e.operator === 'NotIn' && has && value !== undefined && (e.values ?? []).includes(value)) return false;
    if (e.operator === 'Exists' && !has) return false;
    if (e.operator === 'DoesNotExist' && has) return false;
  }
  return true;
}

/**
 * Unknown-field check: kubernetes-models' JSON schemas accept unknown fields, so each object is also written as a
 * typed object literal (`const o: IDeployment = {...}`) and compiled with tsc, whose excess-property check rejects
 * a misspelt or misplaced field at any depth. Returns one message per object that fails (`Kind/name: tsc error`).
 * Objects without a kubernetes-models type (KEDA) are skipped here and checked by infra/test/keda-schema.ts.
 */
export function typeCheckWithModels(objects: K8sObject[], modelled: (o: K8sObject) => boolean): string[] {
  const dir = mkdtempSync(path.join(tmpdir(), 'k8s-types-'));
  try {
    symlinkSync(path.join(ROOT, 'node_modules'), path.join(dir, 'node_modules'));
    const lines: string[] = [];
    const owners: string[] = [];
    objects.forEach((o, i) => {
      if (!modelled(o)) return;
      lines.push(`import type { I${o.kind} as T${i} } from 'kubernetes-models/${o.apiVersion}/${o.kind}';`);
      owners.push('');
    });
    objects.forEach((o, i) => {
      if (!modelled(o)) return;
      lines.push(`export const o${i}: T${i} = ${JSON.stringify(o)};`);
      owners.push(`${o.kind}/${o.metadata.name}`);
    });
    writeFileSync(path.join(dir, 'check.mts'), lines.join('\n') + '\n');
    const tsc = path.join(ROOT, 'node_modules/typescript/bin/tsc');
    const args = [
      '--noEmit',
      '--strict',
      '--target',
      'es2022',
      '--module',
      'nodenext',
      '--moduleResolution',
      'nodenext',
    ];
    const r = spawnSync(process.execPath, [tsc, ...args, '--skipLibCheck', '--types', 'node', 'check.mts'], {
      cwd: dir,
      encoding: 'utf8',
    });
    if (r.status === 0) return [];
    const errors = `${r.stdout}${r.stderr}`.split('\n').filter((l) => /^check\.mts\(\d+,\d+\)/.test(l));
    if (errors.length === 0) throw new Error(`tsc failed without diagnostics: ${r.stdout}${r.stderr}`);
    return errors.map((l) => {
      const line = Number(/^check\.mts\((\d+),/.exec(l)?.[1]);
      return `${owners[line - 1] || 'imports'}: ${l.replace(/^check\.mts\(\d+,\d+\): /, '')}`;
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
