import { readFileSync } from 'node:fs';
import path from 'node:path';
import { resolveAssetsDir } from '@mserve/common';
import { crc32c, maskCrc } from './crc32c';
import { readTable } from './sstable';
import { groupLayerWeights } from './weights';
import type { BundleTensor } from './bundle';

const index = readFileSync(path.join(resolveAssetsDir(), 'models/mnist_model/variables/variables.index'));

describe('crc32c', () => {
  it('computes the Castagnoli check value of "123456789"', () => {
    expect(crc32c(new TextEncoder().encode('123456789'))).toBe(0xe3069283);
  });

  it('continues a running checksum across chunks', () => {
    const all = new TextEncoder().encode('hello, world');
    expect(crc32c(all.subarray(5), crc32c(all.subarray(0, 5)))).toBe(crc32c(all));
  });

  it('masks by rotating right 15 bits and adding 0xa282ead8', () => {
    expect(maskCrc(0)).toBe(0xa282ead8);
    expect(maskCrc(0x8000)).toBe((1 + 0xa282ead8) >>> 0);
  });
});

describe('readTable', () => {
  it('lists every key of a real variables.index in sorted order, the header under the empty key', () => {
    const keys = [...readTable(index).keys()];
    expect(keys[0]).toBe('');
    expect(keys).toContain('layer_with_weights-0/kernel/.ATTRIBUTES/VARIABLE_VALUE');
    expect([...keys].sort()).toEqual(keys);
  });

  it('rejects a truncated table by its footer magic', () => {
    expect(() => readTable(index.subarray(0, index.length - 10))).toThrow(/bad magic number/);
  });

  it('rejects a data block whose bytes no longer match its CRC', () => {
    const copy = new Uint8Array(index);
    copy[20] = copy[20]! ^ 0xff;
    expect(() => readTable(copy)).toThrow(/fails its CRC-32C check/);
  });
});

describe('groupLayerWeights', () => {
  const t = (key: string): BundleTensor => ({ key, dtype: 'float32', shape: [1], bytes: new Uint8Array(4) });
  const bundle = new Map(
    [
      'layer_with_weights-0/kernel/.ATTRIBUTES/VARIABLE_VALUE',
      'layer_with_weights-0/kernel/.OPTIMIZER_SLOT/optimizer/m/.ATTRIBUTES/VARIABLE_VALUE',
      'conv/bias/.ATTRIBUTES/VARIABLE_VALUE',
      'optimizer/iter/.ATTRIBUTES/VARIABLE_VALUE',
    ].map((k) => [k, t(k)]),
  );

  it('maps layer_with_weights-N through the object graph and named-layer keys directly, skipping optimizer slots', () => {
    const grouped = groupLayerWeights(bundle, new Map([['layer_with_weights-0', 'dense']]), new Set(['dense', 'conv']));
    expect([...grouped.keys()].sort()).toEqual(['conv', 'dense']);
    expect([...grouped.get('dense')!.keys()]).toEqual(['kernel']);
    expect([...grouped.get('conv')!.keys()]).toEqual(['bias']);
  });
});
