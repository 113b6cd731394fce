import { AppError } from '@mserve/common';
import { Type, type Static } from '@sinclair/typebox';

/**
 * A float32 tensor in a JSON-safe form: little-endian bytes in base64 plus the shape of one item. With
 * `encoding: 'zero-runs'` the bytes are runs instead of the plain values: repeatedly a u16 count of zeros, a u16
 * count of literal values, then those float32 values (lossless; a digit is mostly background, so its payload shrinks
 * to a fraction, and so does every copy of it: the gateway's JSON, Redis, the worker's parse).
 */
export const EncodedTensorSchema = Type.Object({
  dtype: Type.Literal('float32'),
  shape: Type.Array(Type.Integer({ minimum: 1 })),
  data: Type.String({ description: 'base64 of the plain or zero-runs bytes' }),
  encoding: Type.Optional(Type.Literal('zero-runs')),
});

/** A float32 tensor in a JSON-safe form (see {@link EncodedTensorSchema}). */
export type EncodedTensor = Static<typeof EncodedTensorSchema>;

/** Longest run either count of a zero-runs record can hold. */
const RUN_MAX = 0xffff;

/** Zero-runs bytes of `data` (see {@link EncodedTensor}). */
function zeroRuns(data: Float32Array): Buffer {
  const out = Buffer.allocUnsafe(data.length * 8 + 8);
  let o = 0;
  let i = 0;
  const n = data.length;
  while (i < n) {
    let zeros = 0;
    // Object.is keeps -0 as a literal, so decoding gives back the very same bits.
    while (i < n && zeros < RUN_MAX && Object.is(data[i], 0)) {
      zeros++;
      i++;
    }
    const start = i;
    while (i < n && i - start < RUN_MAX && !Object.is(data[i], 0)) i++;
    out.writeUInt16LE(zeros, o);
    out.writeUInt16LE(i - start, o + 2);
    o += 4;
    for (let k = start; k < i; k++, o += 4) out.writeFloatLE(data[k]!, o);
  }
  return out.subarray(0, o);
}

/** Inverse of {@link zeroRuns}; null when the bytes do not describe exactly `size` values. */
function fromZeroRuns(bytes: Buffer, size: number): Float32Array | null {
  const data = new Float32Array(size);
  let o = 0;
  let i = 0;
  while (o < bytes.length) {
    if (o + 4 > bytes.length) return null;
    const zeros = bytes.readUInt16LE(o);
    const literals = bytes.readUInt16LE(o + 2);
    o += 4;
    if (i + zeros + literals > size || o + literals * 4 > bytes.length) return null;
    i += zeros;
    for (let k = 0; k < literals; k++, o += 4) data[i++] = bytes.readFloatLE(o);
  }
  return i === size ? data : null;
}

/** Number of elements a shape describes. */
export function shapeSize(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/**
 * Encodes a float32 tensor for a job payload, as zero runs when that is smaller (about 1.33 bytes per byte of the
 * plain or run form, instead of ~10 for a JSON number list). Decoding gives back the same bits either way.
 */
export function encodeTensor(data: Float32Array, shape: readonly number[]): EncodedTensor {
  if (data.length !== shapeSize(shape)) {
    throw new AppError('VALIDATION_FAILED', `tensor has ${data.length} values but shape [${shape.join(',')}]`);
  }
  const runs = zeroRuns(data);
  if (runs.length < data.byteLength) {
    return { dtype: 'float32', shape: [...shape], data: runs.toString('base64'), encoding: 'zero-runs' };
  }
  const bytes = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  return { dtype: 'float32', shape: [...shape], data: bytes.toString('base64') };
}

/**
 * Decodes a tensor from a job payload, checking dtype, shape and length so that a corrupted payload fails its job
 * with a clear reason instead of feeding garbage to the model.
 */
export function decodeTensor(t: unknown): { data: Float32Array; shape: number[] } {
  const v = t as Partial<EncodedTensor> | null;
  if (!v || typeof v !== 'object' || v.dtype !== 'float32' || typeof v.data !== 'string' || !Array.isArray(v.shape)) {
    throw new AppError('VALIDATION_FAILED', 'input tensor is missing or not {dtype: "float32", shape, data}');
  }
  if (!v.shape.every((d) => Number.isInteger(d) && d > 0)) {
    throw new AppError('VALIDATION_FAILED', `input tensor shape is invalid: ${JSON.stringify(v.shape)}`);
  }
  const bytes = Buffer.from(v.data, 'base64');
  if (v.encoding === 'zero-runs') {
    const data = fromZeroRuns(bytes, shapeSize(v.shape));
    if (!data) throw new AppError('VALIDATION_FAILED', 'input tensor runs do not add up to its shape');
    return { data, shape: [...v.shape] };
  }
  if (v.encoding !== undefined) {
    throw new AppError('VALIDATION_FAILED', `input tensor encoding ${JSON.stringify(v.encoding)} is not known`);
  }
  const expected = shapeSize(v.shape) * 4;
  if (bytes.length !== expected) {
    throw new AppError('VALIDATION_FAILED', `input tensor has ${bytes.length} bytes, shape needs ${expected}`);
  }
  // Copy into a fresh, aligned buffer: a Buffer slice may start at an offset not divisible by 4.
  const data = new Float32Array(shapeSize(v.shape));
  new Uint8Array(data.buffer).set(bytes);
  return { data, shape: [...v.shape] };
}
