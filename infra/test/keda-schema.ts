/**
 * A strict schema check for the KEDA custom resources this repository uses (keda.sh/v1alpha1 ScaledObject and
 * TriggerAuthentication), after KEDA's CRD: kubernetes-models ships no KEDA types, and the API server would only
 * catch these mistakes at apply time. Unknown fields are errors, like a strict server-side apply.
 */

type Json = unknown;

const isObj = (v: Json): v is Record<string, Json> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isInt = (v: Json): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 0;

function unknownKeys(where: string, v: Record<string, Json>, allowed: string[], errors: string[]): void {
  for (const k of Object.keys(v)) if (!allowed.includes(k)) errors.push(`${where}.${k}: unknown field`);
}

function checkMetadata(obj: Record<string, Json>, errors: string[]): void {
  const md = obj['metadata'];
  if (!isObj(md) || typeof md['name'] !== 'string' || md['name'] === '') errors.push('metadata.name: required');
}

const TRIGGER_FIELDS = ['type', 'name', 'metadata', 'authenticationRef', 'metricType', 'useCachedMetrics'];
const SCALED_OBJECT_SPEC = [
  'scaleTargetRef',
  'pollingInterval',
  'cooldownPeriod',
  'initialCooldownPeriod',
  'idleReplicaCount',
  'minReplicaCount',
  'maxReplicaCount',
  'fallback',
  'advanced',
  'triggers',
];

/** Redis list scaler: listName and a numeric listLength are required; the address comes from somewhere. */
function checkRedisTrigger(where: string, md: Record<string, Json>, hasAuth: boolean, errors: string[]): void {
  if (typeof md['listName'] !== 'string' || md['listName'] === '') errors.push(`${where}.metadata.listName: required`);
  if (typeof md['listLength'] !== 'string' || !/^\d+$/.test(md['listLength'])) {
    errors.push(`${where}.metadata.listLength: required, a whole number as a string`);
  }
  const addressed = ['address', 'addressFromEnv', 'host', 'hostFromEnv'].some((k) => typeof md[k] === 'string');
  if (!addressed && !hasAuth) errors.push(`${where}: no address, addressFromEnv, host or authenticationRef`);
  for (const k of ['enableTLS', 'unsafeSsl']) {
    if (md[k] !== undefined && md[k] !== 'true' && md[k] !== 'false')
      errors.push(`${where}.metadata.${k}: "true"|"false"`);
  }
}

/** Errors of a keda.sh/v1alpha1 ScaledObject (empty when valid). */
export function checkScaledObject(obj: Json): string[] {
  const errors: string[] = [];
  if (!isObj(obj)) return ['not an object'];
  if (obj['apiVersion'] !== 'keda.sh/v1alpha1') errors.push('apiVersion: must be keda.sh/v1alpha1');
  if (obj['kind'] !== 'ScaledObject') errors.push('kind: must be ScaledObject');
  checkMetadata(obj, errors);
  const spec = obj['spec'];
  if (!isObj(spec)) return [...errors, 'spec: required'];
  unknownKeys('spec', spec, SCALED_OBJECT_SPEC, errors);
  const ref = spec['scaleTargetRef'];
  if (!isObj(ref) || typeof ref['name'] !== 'string') errors.push('spec.scaleTargetRef.name: required');
  else unknownKeys('spec.scaleTargetRef', ref, ['apiVersion', 'kind', 'name', 'envSourceContainerName'], errors);
  for (const k of ['pollingInterval', 'cooldownPeriod', 'minReplicaCount', 'maxReplicaCount', 'idleReplicaCount']) {
    if (spec[k] !== undefined && !isInt(spec[k])) errors.push(`spec.${k}: must be a non-negative integer`);
  }
  const min = spec['minReplicaCount'];
  const max = spec['maxReplicaCount'];
  if (isInt(min) && isInt(max) && min > max) errors.push('spec.minReplicaCount: greater than maxReplicaCount');
  const fallback = spec['fallback'];
  if (fallback !== undefined) {
    if (!isObj(fallback) || !isInt(fallback['failureThreshold']) || !isInt(fallback['replicas'])) {
      errors.push('spec.fallback: failureThreshold and replicas (integers) required');
    }
  }
  if (spec['advanced'] !== undefined && !isObj(spec['advanced'])) errors.push('spec.advanced: must be an object');
  const triggers = spec['triggers'];
  if (!Array.isArray(triggers) || triggers.length === 0) return [...errors, 'spec.triggers: at least one required'];
  triggers.forEach((t: Json, i) => {
    const where = `spec.triggers[${i}]`;
    if (!isObj(t)) return void errors.push(`${where}: not an object`);
    unknownKeys(where, t, TRIGGER_FIELDS, errors);
    if (typeof t['type'] !== 'string' || t['type'] === '') errors.push(`${where}.type: required`);
    const md = t['metadata'];
    if (!isObj(md)) return void errors.push(`${where}.metadata: required`);
    for (const [k, v] of Object.entries(md)) {
      if (typeof v !== 'string') errors.push(`${where}.metadata.${k}: must be a string (map[string]string)`);
    }
    const auth = t['authenticationRef'];
    if (auth !== undefined) {
      if (!isObj(auth) || typeof auth['name'] !== 'string') errors.push(`${where}.authenticationRef.name: required`);
      else if (
        auth['kind'] !== undefined &&
        !['TriggerAuthentication', 'ClusterTriggerAuthentication'].includes(String(auth['kind']))
      ) {
        errors.push(`${where}.authenticationRef.kind: TriggerAuthentication|ClusterTriggerAuthentication`);
      }
    }
    if (t['type'] === 'redis') checkRedisTrigger(where, md, auth !== undefined, errors);
  });
  return errors;
}

/** Errors of a keda.sh/v1alpha1 TriggerAuthentication using secretTargetRef/env (empty when valid). */
export function checkTriggerAuthentication(obj: Json): string[] {
  const errors: string[] = [];
  if (!isObj(obj)) return ['not an object'];
  if (obj['apiVersion'] !== 'keda.sh/v1alpha1') errors.push('apiVersion: must be keda.sh/v1alpha1');
  if (obj['kind'] !== 'TriggerAuthentication') errors.push('kind: must be TriggerAuthentication');
  checkMetadata(obj, errors);
  const spec = obj['spec'];
  if (!isObj(spec)) return [...errors, 'spec: required'];
  unknownKeys('spec', spec, ['secretTargetRef', 'env', 'podIdentity', 'hashiCorpVault', 'configMapTargetRef'], errors);
  const refs = spec['secretTargetRef'];
  if (refs !== undefined) {
    if (!Array.isArray(refs)) errors.push('spec.secretTargetRef: must be a list');
    else
      refs.forEach((r: Json, i) => {
        if (!isObj(r)) return void errors.push(`spec.secretTargetRef[${i}]: not an object`);
        unknownKeys(`spec.secretTargetRef[${i}]`, r, ['parameter', 'name', 'key'], errors);
        for (const k of ['parameter', 'name', 'key']) {
          if (typeof r[k] !== 'string' || r[k] === '') errors.push(`spec.secretTargetRef[${i}].${k}: required`);
        }
      });
  }
  return errors;
}
