/**
 * Decompressor for raw Snappy (the block compression LevelDB tables may use): a varint uncompressed length, then
 * literals and back-references with 1-, 2- or 4-byte offsets.
 */
export class SnappyError extends Error {}

export function snappyUncompress(src: Uint8Array): Uint8Array {
  let pos = 0;
  let length = 0;
  for (let shift = 0; ; shift += 7) {
    if (pos >= src.length || shift > 28) throw new SnappyError('bad uncompressed-length varint');
    const b = src[pos++]!;
    length += (b & 0x7f) * 2 ** shift;
    if (!(b & 0x80)) break;
  }
  const out = new Uint8Array(length);
  let op = 0;
  const need = (n: number) => {
    if (pos + n > src.length) throw new SnappyError('input ends inside an element');
  };
  while (pos < src.length) {
    const tag = src[pos++]!;
    const kind = tag & 3;
    if (kind === 0) {
      let len = tag >>> 2;
      if (len >= 60) {
        const extra = len - 59;
        need(extra);
        len = 0;
        for (let i = 0; i < extra; i++) len += src[pos++]! * 2 ** (8 * i);
      }
      len += 1;
      need(len);
      if (op + len > length) throw new SnappyError('literal overruns the declared length');
      out.set(src.subarray(pos, pos + len), op);
      pos += len;
      op += len;
      continue;
    }
    let len: number;
    let offset: number;
    if (kind === 1) {
      need(1);
      len = ((tag >>> 2) & 7) + 4;
      offset = ((tag >>> 5) << 8) | src[pos++]!;
    } else if (kind === 2) {
      need(2);
      len = (tag >>> 2) + 1;
      offset = src[pos]! | (src[pos + 1]! << 8);
      pos += 2;
    } else {
      need(4);
      len = (tag >>> 2) + 1;
      offset = (src[pos]! | (src[pos + 1]! << 8) | (src[pos + 2]! << 16) | (src[pos + 3]! << 24)) >>> 0;
      pos += 4;
    }
    if (offset === 0 || offset > op || op + len > length) throw new SnappyError('copy refers outside the output');
    // Byte by byte: a copy may overlap the bytes it produces (run-length style).
    for (let i = 0; i < len; i++, op++) out[op] = out[op - offset]!;
  }
  if (op !== length) throw new SnappyError(`produced ${op} bytes, header declared ${length}`);
  return out;
}
