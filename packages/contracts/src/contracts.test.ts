import { AppError } from '@mserve/common';
import {
  EXAMPLE_FACTS,
  decodeFailure,
  decodeTensor,
  encodeFailure,
  encodeTensor,
  parseJobData,
  crc16,
  queueShards,
  shardOf,
  syncQueueName,
} from './index';

const validData = () => ({
  v: 1,
  requestId: 'r1',
  submittedAt: 1,
  input: encodeTensor(new Float32Array([0, 0.5, 1, -2.25]), [2, 2, 1]),
  facts: EXAMPLE_FACTS,
  params: { samples: 10, alpha: 0.1 },
});

describe('tensor encoding', () => {
  it('round-trips float32 values and shape exactly', () => {
    const src = new Float32Array([0.1, -3.5, 1e-7, 42]);
    const out = decodeTensor(JSON.parse(JSON.stringify(encodeTensor(src, [4]))));
    expect(Array.from(out.data)).toEqual(Array.from(src));
    expect(out.shape).toEqual([4]);
  });

  it('round-trips sparse tensors bit for bit as zero runs, at most half the size, including -0, NaN and long runs', () => {
    const rand = (() => {
      let x = 7;
      return () => (x = (Math.imul(x, 1103515245) + 12345) >>> 0) / 2 ** 32;
    })();
    const cases = [
      Float32Array.from({ length: 784 }, () => (rand() < 0.8 ? 0 : rand())),
      Float32Array.from([-0, 0, NaN, 0, 0, Infinity, 1]),
      new Float32Array(200_000),
      Float32Array.from({ length: 140_000 }, (_, i) => (i < 70_000 ? 1 : 0)),
    ];
    for (const src of cases) {
      const enc = encodeTensor(src, [src.length]);
      const out = decodeTensor(JSON.parse(JSON.stringify(enc)));
      expect(Buffer.from(out.data.buffer).equals(Buffer.from(src.buffer))).toBe(true);
    }
    const digit = encodeTensor(cases[0]!, [28, 28]);
    expect(digit.encoding).toBe('zero-runs');
    expect(digit.data.length).toBeLessThan((784 * 4 * 4) / 3 / 2);
    // Dense data stays plain: runs would only add headers.
    expect(
      encodeTensor(
        Float32Array.from({ length: 64 }, () => 1 + rand()),
        [64],
      ).encoding,
    ).toBeUndefined();
  });

  it('refuses zero runs that do not add up to the shape, and unknown encodings', () => {
    const enc = encodeTensor(Float32Array.from([0, 0, 0, 1]), [4]);
    expect(enc.encoding).toBe('zero-runs');
    expect(() => decodeTensor({ ...enc, shape: [5] })).toThrow(AppError);
    expect(() => decodeTensor({ ...enc, shape: [3] })).toThrow(AppError);
    expect(() => decodeTensor({ ...enc, data: enc.data.slice(0, 4) })).toThrow(AppError);
    expect(() => decodeTensor({ ...enc, encoding: 'gzip' })).toThrow(AppError);
  });

  it('refuses a tensor whose byte length disagrees with its shape', () => {
    const enc = encodeTensor(Float32Array.from([1, 2, 3, 4]), [4]);
    expect(enc.encoding).toBeUndefined();
    expect(() => decodeTensor({ ...enc, shape: [5] })).toThrow(AppError);
  });
});

describe('parseJobData', () => {
  it('accepts a well-formed payload and decodes its tensor', () => {
    const d = parseJobData(validData());
    expect(d.tensor.length).toBe(4);
    expect(d.params).toEqual({ samples: 10, alpha: 0.1 });
  });

  it.each([
    ['samples out of range', { params: { samples: 0, alpha: 0.1 } }],
    ['alpha of 1', { params: { samples: 1, alpha: 1 } }],
    ['a missing tensor', { input: undefined }],
    ['an unknown version', { v: 2 }],
    ['facts missing a field', { facts: { ...EXAMPLE_FACTS, inkFraction: undefined } }],
    ['a webhook subscribed to no event', { webhook: { url: 'https://x.example/', events: [] } }],
    ['no request id', { requestId: undefined }],
  ])('fails with VALIDATION_FAILED on %s', (_name, patch) => {
    expect(() => parseJobData({ ...validData(), ...patch })).toThrow(
      expect.objectContaining({ code: 'VALIDATION_FAILED' }),
    );
  });

  it('names the first bad field of a payload', () => {
    expect(() => parseJobData({ ...validData(), params: { samples: 1001, alpha: 0.1 } })).toThrow(/params\.samples/);
    expect(() => parseJobData({ ...validData(), facts: { ...EXAMPLE_FACTS, polarity: 'up' } })).toThrow(
      /facts\.polarity/,
    );
  });
});

describe('failure reasons', () => {
  it('carry the error code through the BullMQ failed reason string', () => {
    expect(decodeFailure(encodeFailure('IMAGE_EMPTY', 'blank: no ink'))).toEqual({
      code: 'IMAGE_EMPTY',
      message: 'blank: no ink',
    });
  });

  it('map reasons written by BullMQ itself to INTERNAL with the original text', () => {
    expect(decodeFailure('job stalled more than allowable limit')).toEqual({
      code: 'INTERNAL',
      message: 'job stalled more than allowable limit',
    });
  });
});

describe('queue shards', () => {
  it('keep the plain queue name for one shard and hash-tag each of several', () => {
    expect(queueShards('mnist', 1)).toEqual(['mnist']);
    const names = queueShards('{mnist}', 3);
    expect(names).toHaveLength(3);
    for (const [i, n] of names.entries()) expect(n).toMatch(new RegExp(`^\\{mnist\\.${i}-\\d+\\}$`));
    // Each tag's slot lies in its third of the slot space, so an evenly split 3-primary cluster holds one each.
    const slots = names.map((n) => crc16(n.slice(1, -1)) % 16384);
    expect(slots.map((s) => Math.floor((s * 3) / 16384))).toEqual([0, 1, 2]);
    // The sync queue of a shard shares its hash tag, hence its cluster slot.
    expect(syncQueueName(names[1]!)).toBe(`${names[1]}-sync`);
  });

  it('hash keys as Redis Cluster does (CRC16-XMODEM)', () => {
    // Values from the Redis Cluster specification and `CLUSTER KEYSLOT`.
    expect(crc16('123456789')).toBe(0x31c3);
    expect(crc16('foo') % 16384).toBe(12182);
  });

  it('place a job by its id alone, the same everywhere, and spread random ids over every shard', () => {
    expect(shardOf('any', 1)).toBe(0);
    const id = '0192f1e2-7c4b-7a3e-9f10-3b2a1c0d4e5f';
    expect(shardOf(id, 3)).toBe(shardOf(id, 3));
    const counts = [0, 0, 0];
    for (let i = 0; i < 3000; i++) counts[shardOf(crypto.randomUUID(), 3)]!++;
    for (const c of counts) expect(c).toBeGreaterThan(800);
  });
});
