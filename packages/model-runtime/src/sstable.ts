/**
 * Reader for the LevelDB table format TensorFlow uses for `variables.index` (tensorflow/core/lib/io/table):
 * a 48-byte footer pointing at a metaindex and an index block; the index block maps separator keys to data
 * blocks; every block carries a 5-byte trailer (compression type + masked CRC-32C of contents and type).
 * TensorFlow writes bundle indexes uncompressed, but snappy blocks (type 1) are decoded too.
 */
import { maskedCrc32c } from './crc32c';
import { snappyUncompress } from './snappy';

/** Thrown for any structural problem; callers wrap it with the file name. */
export class TableFormatError extends Error {}

const FOOTER_LEN = 48;
const BLOCK_TRAILER_LEN = 5;
// kTableMagicNumber 0xdb4775248b80fb57, stored little-endian.
const MAGIC_LO = 0x8b80fb57;
const MAGIC_HI = 0xdb477524;

interface BlockHandle {
  offset: number;
  size: number;
}

class Cursor {
  constructor(
    readonly buf: Uint8Array,
    public pos: number,
    readonly end: number,
  ) {}

  varint(): number {
    let result = 0;
    let mul = 1;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.end) throw new TableFormatError('varint runs past the end of its block');
      const b = this.buf[this.pos++]!;
      result += (b & 0x7f) * mul;
      if ((b & 0x80) === 0) return result;
      mul *= 128;
    }
    throw new TableFormatError('varint longer than 10 bytes');
  }

  bytes(n: number): Uint8Array {
    if (this.pos + n > this.end) throw new TableFormatError('entry runs past the end of its block');
    const out = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }
}

function readHandle(c: Cursor): BlockHandle {
  return { offset: c.varint(), size: c.varint() };
}

function readBlock(file: Uint8Array, h: BlockHandle): Uint8Array {
  if (h.offset + h.size + BLOCK_TRAILER_LEN > file.length) {
    throw new TableFormatError(
      `block at ${h.offset} (+${h.size}) lies beyond the end of the file (${file.length} bytes)`,
    );
  }
  const withType = file.subarray(h.offset, h.offset + h.size + 1);
  const type = file[h.offset + h.size]!;
  const view = new DataView(file.buffer, file.byteOffset, file.byteLength);
  const stored = view.getUint32(h.offset + h.size + 1, true);
  if (maskedCrc32c(withType) !== stored) {
    throw new TableFormatError(`block at ${h.offset} fails its CRC-32C check`);
  }
  const contents = file.subarray(h.offset, h.offset + h.size);
  if (type === 0) return contents;
  if (type === 1) {
    try {
      return snappyUncompress(contents);
    } catch (e) {
      throw new TableFormatError(`snappy block at ${h.offset} is corrupt: ${(e as Error).message}`);
    }
  }
  throw new TableFormatError(`block at ${h.offset} uses unknown compression type ${type}`);
}

/** All key/value entries of one block, in order, with prefix-compressed keys expanded. */
function blockEntries(block: Uint8Array): [Uint8Array, Uint8Array][] {
  if (block.length < 4) throw new TableFormatError('block shorter than its restart count');
  const view = new DataView(block.buffer, block.byteOffset, block.byteLength);
  const numRestarts = view.getUint32(block.length - 4, true);
  const dataEnd = block.length - 4 - 4 * numRestarts;
  if (dataEnd < 0) throw new TableFormatError('restart array larger than its block');
  const c = new Cursor(block, 0, dataEnd);
  const out: [Uint8Array, Uint8Array][] = [];
  let prev = new Uint8Array(0);
  while (c.pos < dataEnd) {
    const shared = c.varint();
    const nonShared = c.varint();
    const valueLen = c.varint();
    if (shared > prev.length) throw new TableFormatError('key shares more bytes than the previous key has');
    const key = new Uint8Array(shared + nonShared);
    key.set(prev.subarray(0, shared), 0);
    key.set(c.bytes(nonShared), shared);
    out.push([key, c.bytes(valueLen)]);
    prev = key;
  }
  return out;
}

/** Decodes a whole table into an ordered map from UTF-8 key to value bytes. */
export function readTable(file: Uint8Array): Map<string, Uint8Array> {
  if (file.length < FOOTER_LEN) throw new TableFormatError(`file is ${file.length} bytes, shorter than a table footer`);
  const footerStart = file.length - FOOTER_LEN;
  const view = new DataView(file.buffer, file.byteOffset, file.byteLength);
  if (view.getUint32(file.length - 8, true) !== MAGIC_LO || view.getUint32(file.length - 4, true) !== MAGIC_HI) {
    throw new TableFormatError('bad magic number in the table footer (truncated or not a table)');
  }
  const fc = new Cursor(file, footerStart, file.length - 8);
  readHandle(fc); // metaindex: TensorFlow writes no filter blocks, nothing to read there
  const indexHandle = readHandle(fc);
  const decoder = new TextDecoder('utf-8', { fatal: true });
  const out = new Map<string, Uint8Array>();
  for (const [, handleBytes] of blockEntries(readBlock(file, indexHandle))) {
    const h = readHandle(new Cursor(handleBytes, 0, handleBytes.length));
    for (const [k, v] of blockEntries(readBlock(file, h))) out.set(decoder.decode(k), v);
  }
  return out;
}
