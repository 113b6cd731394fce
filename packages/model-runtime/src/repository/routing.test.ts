import { applyVersionPolicy, parseVersionPolicy } from './policy';
import { chooseVersion, labelsOf, servingVersion, shadowVersion, type RoutableVersion } from './routing';

const v = (version: number, state: RoutableVersion['state']): RoutableVersion => ({ version, state });

describe('version policy', () => {
  it('serves all, the latest n, or specific versions', () => {
    expect(applyVersionPolicy([3, 1, 2], parseVersionPolicy('all'))).toEqual([1, 2, 3]);
    expect(applyVersionPolicy([3, 1, 2], parseVersionPolicy('latest:2'))).toEqual([2, 3]);
    expect(applyVersionPolicy([3, 1, 2], parseVersionPolicy('specific:1,3'))).toEqual([1, 3]);
  });

  it('refuses a policy it does not know', () => {
    expect(() => parseVersionPolicy('newest')).toThrow(/use all, latest:<n> or specific/);
  });
});

describe('routing', () => {
  it('sends unlabelled traffic to the latest ready version, never to a failed or loading one', () => {
    expect(servingVersion([v(1, 'ready'), v(2, 'failed'), v(3, 'calibrating')], {})).toBe(1);
    expect(servingVersion([v(1, 'ready'), v(2, 'ready')], {})).toBe(2);
  });

  it('follows the stable label unless that version failed', () => {
    expect(servingVersion([v(1, 'ready'), v(2, 'ready')], { stable: 1 })).toBe(1);
    expect(servingVersion([v(1, 'failed'), v(2, 'ready')], { stable: 1 })).toBe(2);
  });

  it('queues for a version no worker reported yet only while none has reported', () => {
    expect(servingVersion([v(1, 'unknown')], {})).toBe(1);
    expect(servingVersion([v(1, 'unknown'), v(2, 'loading')], {})).toBeNull();
  });

  it('gives the canary its share of the draws when it is ready', () => {
    const versions = [v(1, 'ready'), v(2, 'ready')];
    const labels = { stable: 1, canary: 2, canaryShare: 0.1 };
    const picks = Array.from({ length: 100 }, (_, i) => chooseVersion('m', versions, labels, {}, i / 100));
    expect(picks.filter((p) => p.ok && p.version === 2)).toHaveLength(10);
    const notReady = chooseVersion('m', [v(1, 'ready'), v(2, 'calibrating')], labels, {}, 0);
    expect(notReady).toMatchObject({ ok: true, version: 1 });
  });

  it('refuses an explicit version that failed or does not exist, and resolves labels', () => {
    const versions = [v(1, 'ready'), v(2, 'failed')];
    expect(chooseVersion('m', versions, {}, { version: 2 }, 0)).toMatchObject({ ok: false, why: 'unavailable' });
    expect(chooseVersion('m', versions, {}, { version: 7 }, 0)).toMatchObject({ ok: false, why: 'missing' });
    expect(chooseVersion('m', versions, {}, { label: 'stable' }, 0)).toMatchObject({ ok: true, version: 1 });
    expect(chooseVersion('m', versions, {}, { label: 'canary' }, 0)).toMatchObject({ ok: false, why: 'missing' });
  });
});

describe('shadow', () => {
  const versions = [v(1, 'ready'), v(2, 'ready'), v(3, 'calibrating')];

  it("shadows the share of requests its draw falls in, with the shadow label's version", () => {
    const labels = { stable: 1, shadow: 2, shadowShare: 0.25 };
    expect(shadowVersion(versions, labels, 1, 0.1)).toBe(2);
    expect(shadowVersion(versions, labels, 1, 0.3)).toBeNull();
    expect(labelsOf(2, labels, 1)).toEqual(['shadow']);
  });

  it('never shadows with a version that is not ready, or with the version that answers', () => {
    expect(shadowVersion(versions, { shadow: 3, shadowShare: 1 }, 1, 0)).toBeNull();
    expect(shadowVersion(versions, { shadow: 2, shadowShare: 1 }, 2, 0)).toBeNull();
    expect(shadowVersion(versions, { shadow: 2 }, 1, 0)).toBeNull();
  });
});
