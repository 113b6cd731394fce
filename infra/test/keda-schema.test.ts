import { checkScaledObject, checkTriggerAuthentication } from './keda-schema';

const good = {
  apiVersion: 'keda.sh/v1alpha1',
  kind: 'ScaledObject',
  metadata: { name: 'w' },
  spec: {
    scaleTargetRef: { name: 'worker' },
    minReplicaCount: 1,
    maxReplicaCount: 5,
    triggers: [
      { type: 'redis', metadata: { listName: 'bull:q:wait', listLength: '10' }, authenticationRef: { name: 'a' } },
    ],
  },
};

describe('KEDA schema check', () => {
  it('accepts a well-formed redis ScaledObject', () => {
    expect(checkScaledObject(good)).toEqual([]);
  });

  it('rejects non-string trigger metadata, a missing listName, unknown fields and min > max', () => {
    const bad = structuredClone(good) as unknown as { spec: Record<string, unknown> };
    bad.spec['minReplicaCount'] = 9;
    bad.spec['maxReplicas'] = 3;
    bad.spec['triggers'] = [{ type: 'redis', metadata: { listLength: 10 } }];
    const errors = checkScaledObject(bad);
    expect(errors).toEqual(
      expect.arrayContaining([
        'spec.maxReplicas: unknown field',
        'spec.minReplicaCount: greater than maxReplicaCount',
        'spec.triggers[0].metadata.listLength: must be a string (map[string]string)',
        'spec.triggers[0].metadata.listName: required',
        'spec.triggers[0]: no address, addressFromEnv, host or authenticationRef',
      ]),
    );
  });

  it('rejects a TriggerAuthentication whose secretTargetRef lacks a key', () => {
    const ta = {
      apiVersion: 'keda.sh/v1alpha1',
      kind: 'TriggerAuthentication',
      metadata: { name: 'a' },
      spec: { secretTargetRef: [{ parameter: 'password', name: 's' }] },
    };
    expect(checkTriggerAuthentication(ta)).toEqual(['spec.secretTargetRef[0].key: required']);
  });
});
