import { readFileSync } from 'node:fs';
import path from 'node:path';
import { resolveAssetsDir } from '@mserve/common';
import { crc32c, maskCrc, maskedCrc32c } from './crc32c';
import { snappyUncompress } from './snappy';
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

/** A minimal LevelDB table writer (prefix-compressed keys, restart points, optional snappy literal blocks). */
function buildTable(entries: [string, string][], snappy: boolean): Uint8Array {
  const enc = new TextEncoder();
  const out: number[] = [];
  const varint = (dst: number[], v: number) => {
    while (v >= 0x80) {
      dst.push((v & 0x7f) | 0x80);
      v >>>= 7;
    }
    dst.push(v);
  };
  const u32 = (dst: number[], v: number) => dst.push(v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, v >>> 24);
  const block = (kvs: [Uint8Array, Uint8Array][]): Uint8Array => {
    const b: number[] = [];
    const restarts: number[] = [];
    let prev = new Uint8Array(0);
    kvs.forEach(([k, v], i) => {
      let shared = 0;
      if (i % 2 === 0) restarts.push(b.length);
      else while (shared < prev.length && shared < k.length && prev[shared] === k[shared]) shared++;
      varint(b, shared);
      varint(b, k.length - shared);
      varint(b, v.length);
      b.push(...k.subarray(shared), ...v);
      prev = k;
    });
    if (restarts.length === 0) restarts.push(0);
    restarts.forEach((r) => u32(b, r));
    u32(b, restarts.length);
    return Uint8Array.from(b);
  };
  const write = (contents: Uint8Array): number[] => {
    let raw = contents;
    if (snappy) {
      const s: number[] = [];
      varint(s, contents.length);
      for (let i = 0; i < contents.length; i += 60) {
        const chunk = contents.subarray(i, i + 60);
        s.push((chunk.length - 1) << 2, ...chunk);
      }
      raw = Uint8Array.from(s);
    }
    const handle: number[] = [];
    varint(handle, out.length);
    varint(handle, raw.length);
    const type = snappy ? 1 : 0;
    out.push(...raw, type);
    u32(out, maskedCrc32c(Uint8Array.from([...raw, type])));
    return handle;
  };
  const data = write(block(entries.map(([k, v]) => [enc.encode(k), enc.encode(v)])));
  const meta = write(block([]));
  const index = write(block([[enc.encode('~'), Uint8Array.from(data)]]));
  const footer = [...meta, ...index];
  while (footer.length < 40) footer.push(0);
  footer.push(0x57, 0xfb, 0x80, 0x8b, 0x24, 0x75, 0x47, 0xdb);
  return Uint8Array.from([...out, ...footer]);
}

describe('readTable on tables written by a reference writer', () => {
  const entries: [string, string][] = [
    ['', 'header'],
    ['layer/a', 'one'],
    ['layer/b', 'two'],
    ['layer/bb', 'three'],
    ['other', 'x'.repeat(150)],
  ];
  const asText = (m: Map<string, Uint8Array>) => [...m].map(([k, v]) => [k, new TextDecoder().decode(v)]);

  it('expands prefix-compressed keys across restart points', () => {
    expect(asText(readTable(buildTable(entries, false)))).toEqual(entries);
  });

  it('decodes snappy-compressed blocks to the same entries', () => {
    expect(asText(readTable(buildTable(entries, true)))).toEqual(entries);
  });
});

describe('snappyUncompress', () => {
  it('expands a literal followed by an overlapping 1-byte-offset copy', () => {
    const out = snappyUncompress(Uint8Array.from([12, 0x08, 97, 98, 99, 0x15, 3]));
    expect(new TextDecoder().decode(out)).toBe('abcabcabcabc');
  });

  it('expands a 2-byte-offset copy', () => {
    // "ab" then copy(len 4, offset 2) → "ababab"
    expect(new TextDecoder().decode(snappyUncompress(Uint8Array.from([6, 0x04, 97, 98, (3 << 2) | 2, 2, 0])))).toBe(
      'ababab',
    );
  });

  it('rejects a copy reaching before the start of the output', () => {
    expect(() => snappyUncompress(Uint8Array.from([5, 0x00, 97, 0x11, 4]))).toThrow(/outside the output/);
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
