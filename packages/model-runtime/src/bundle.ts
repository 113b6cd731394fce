/**
 * Reads a TensorFlow checkpoint bundle (`variables/variables.index` + `variables.data-NNNNN-of-MMMMM`) and
 * verifies every tensor's masked CRC-32C, so a corrupted weight file can never be served silently.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { crc32c, maskCrc, maskedCrc32c } from './crc32c';
import { DTYPES, decodeBundleEntry, decodeBundleHeader, type BundleEntry } from './proto';
import { readTable } from './sstable';

/** One tensor of the bundle: its checkpoint key, dtype name, shape and raw little-endian bytes. */
export interface BundleTensor {
  key: string;
  dtype: string;
  shape: number[];
  bytes: Uint8Array;
}

/** Reason-carrying failure; the loader adds the model directory to it. */
export class BundleError extends Error {}

function shardName(prefix: string, shard: number, numShards: number): string {
  const pad = (n: number) => String(n).padStart(5, '0');
  return `${prefix}.data-${pad(shard)}-of-${pad(numShards)}`;
}

/**
 * Loads every tensor of the bundle whose prefix is `prefix` (e.g. `<dir>/variables/variables`).
 * Throws {@link BundleError} naming the file and key on any missing file, malformed table or checksum mismatch.
 */
export async function readBundle(prefix: string): Promise<Map<string, BundleTensor>> {
  const indexPath = `${prefix}.index`;
  const indexBytes = await readOrFail(indexPath);
  let table: Map<string, Uint8Array>;
  try {
    table = readTable(indexBytes);
  } catch (e) {
    throw new BundleError(`${path.basename(indexPath)} is not a valid tensor-bundle index: ${(e as Error).message}`);
  }
  const headerBytes = table.get('');
  if (!headerBytes) throw new BundleError(`${path.basename(indexPath)} has no bundle header (empty key)`);
  const header = decodeBundleHeader(headerBytes);
  if (header.endianness !== 0) throw new BundleError('big-endian tensor bundles are not supported');
  const numShards = header.num_shards;
  const shards: Uint8Array[] = [];
  for (let s = 0; s < numShards; s++) shards.push(await readOrFail(shardName(prefix, s, numShards)));

  const out = new Map<string, BundleTensor>();
  for (const [key, value] of table) {
    if (key === '') continue;
    const entry: BundleEntry = decodeBundleEntry(value);
    if (entry.slices.length > 0) throw new BundleError(`tensor "${key}" is stored in slices, which is not supported`);
    const shard = shards[entry.shard_id];
    const file = shardName(prefix, entry.shard_id, numShards);
    if (!shard) throw new BundleError(`tensor "${key}" refers to shard ${entry.shard_id} of ${numShards}`);
    if (entry.offset + entry.size > shard.length) {
      throw new BundleError(`tensor "${key}" lies beyond the end of ${path.basename(file)} (truncated data file)`);
    }
    const bytes = shard.subarray(entry.offset, entry.offset + entry.size);
    const shape = (entry.shape?.dim ?? []).map((d) => d.size);
    const actual = entry.dtype === DT_STRING ? stringTensorCrc(bytes, numElements(shape)) : maskedCrc32c(bytes);
    if (actual !== entry.crc32c >>> 0) {
      throw new BundleError(`tensor "${key}" fails its CRC-32C check in ${path.basename(file)} (corrupted weights)`);
    }
    const dtype = DTYPES[entry.dtype]?.name ?? `dtype#${entry.dtype}`;
    out.set(key, { key, dtype, shape, bytes });
  }
  return out;
}

const DT_STRING = 7;

function numElements(shape: number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/**
 * String tensors are laid out as varint lengths, a masked CRC of the lengths, then the bytes; TensorFlow's
 * checksum covers each length as a little-endian uint32 (not as the varint written), then the rest as stored.
 */
function stringTensorCrc(bytes: Uint8Array, count: number): number {
  let pos = 0;
  let crc = 0;
  const len4 = new Uint8Array(4);
  const lenView = new DataView(len4.buffer);
  for (let i = 0; i < count; i++) {
    let len = 0;
    let mul = 1;
    for (;;) {
      if (pos >= bytes.length) return -1;
      const b = bytes[pos++]!;
      len += (b & 0x7f) * mul;
      mul *= 128;
      if ((b & 0x80) === 0) break;
    }
    lenView.setUint32(0, len, true);
    crc = crc32c(len4, crc);
  }
  if (pos + 4 > bytes.length) return -1;
  const stored = new DataView(bytes.buffer, bytes.byteOffset + pos, 4).getUint32(0, true);
  if (stored !== maskCrc(crc)) return -1;
  return maskCrc(crc32c(bytes.subarray(pos), crc));
}

async function readOrFail(file: string): Promise<Uint8Array> {
  try {
    return await readFile(file);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new BundleError(`cannot read ${file}${code ? ` (${code})` : ''}`);
  }
}

/** A float32 tensor's values as a fresh, aligned Float32Array (little-endian on disk). */
export function toFloat32(t: BundleTensor): Float32Array {
  const n = numElements(t.shape);
  if (t.dtype !== 'float32' || t.bytes.length !== n * 4) {
    throw new BundleError(`tensor "${t.key}" is ${t.dtype} with ${t.bytes.length} bytes, expected float32[${n}]`);
  }
  const copy = new Uint8Array(t.bytes); // copy: the shard slice is not 4-byte aligned
  return new Float32Array(copy.buffer, 0, n);
}
