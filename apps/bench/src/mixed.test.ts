import { MIX, MIX_CYCLE, describeMix, mixCycle } from './mixed';

describe('mixed workload', () => {
  const fake = (file: string) => Buffer.from(file);
  const kinds = (bodies: Array<{ body: Buffer }>) =>
    bodies.map((b) => (b.body.includes('999_893') ? 'scan' : b.body.includes('500_332') ? 'photo' : 'digit'));

  it('holds 80% digits, 15% phone photos and 5% scans in every cycle', () => {
    const k = kinds(mixCycle(MIX, fake));
    expect(k).toHaveLength(MIX_CYCLE);
    expect(k.filter((x) => x === 'digit')).toHaveLength(16);
    expect(k.filter((x) => x === 'photo')).toHaveLength(3);
    expect(k.filter((x) => x === 'scan')).toHaveLength(1);
    expect(describeMix()).toBe('80% digit PNG 28x28, 15% phone-photo JPEG 500x332, 5% scan PNG 999x893');
  });

  it('spreads the large uploads through the cycle instead of bunching them', () => {
    const k = kinds(mixCycle(MIX, fake));
    const photos = k.flatMap((x, i) => (x === 'photo' ? [i] : []));
    expect(photos[1]! - photos[0]!).toBeGreaterThan(3);
    expect(k.slice(0, 3)).toContain('digit');
  });
});
