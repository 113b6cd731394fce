import { readFile } from 'node:fs/promises';
import { gunzipSync } from 'node:zlib';
import { AppError } from '@mserve/common';

/** An IDX array: its dimensions and its unsigned-byte payload in row-major order. */
export interface IdxArray {
  dims: number[];
  data: Uint8Array;
}

const UBYTE = 0x08;

/**
 * Parses IDX bytes (the MNIST file format: two zero bytes, a type code, the rank, big-endian uint32 dimensions,
 * then the data). Only unsigned-byte payloads exist in the MNIST family, so other types are rejected.
 */
export function parseIdx(bytes: Uint8Array, source = 'IDX data'): IdxArray {
  const bad = (why: string) => new AppError('ASSETS_MISSING', `${source}: not a valid IDX file (${why})`);
  if (bytes.length < 4 || bytes[0] !== 0 || bytes[1] !== 0) throw bad('bad magic');
  if (bytes[2] !== UBYTE) throw bad(`type 0x${bytes[2]!.toString(16)} is not unsigned byte`);
  const rank = bytes[3]!;
  const headerLen = 4 + 4 * rank;
  if (rank === 0 || bytes.length < headerLen) throw bad('truncated header');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const dims: number[] = [];
  for (let i = 0; i < rank; i++) dims.push(view.getUint32(4 + 4 * i, false));
  const count = dims.reduce((a, b) => a * b, 1);
  if (bytes.length !== headerLen + count) throw bad(`expected ${count} data bytes, found ${bytes.length - headerLen}`);
  return { dims, data: bytes.slice(headerLen) };
}

/** Reads an IDX file, gunzipping it when it starts with the gzip magic. */
export async function readIdx(file: string): Promise<IdxArray> {
  let raw: Uint8Array;
  try {
    raw = await readFile(file);
  } catch (e) {
    throw new AppError('ASSETS_MISSING', `cannot read ${file} (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  const bytes = raw[0] === 0x1f && raw[1] === 0x8b ? gunzipSync(raw) : raw;
  return parseIdx(bytes, file);
}
