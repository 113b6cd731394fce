/** CRC-32C (Castagnoli), the checksum LevelDB tables and TensorFlow tensor bundles use. */
const TABLE = (() => {
  const t = new Uint32Array(256);
  for (let i = 0; i < 256; i++) {
    let c = i;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0x82f63b78 ^ (c >>> 1) : c >>> 1;
    t[i] = c >>> 0;
  }
  return t;
})();

/** Raw CRC-32C of `bytes`, optionally continuing from a previous value. */
export function crc32c(bytes: Uint8Array, prev = 0): number {
  let crc = ~prev >>> 0;
  for (let i = 0; i < bytes.length; i++) {
    crc = (TABLE[(crc ^ bytes[i]!) & 0xff]! ^ (crc >>> 8)) >>> 0;
  }
  return ~crc >>> 0;
}

const MASK_DELTA = 0xa282ead8;

/**
 * The "masked" form stored on disk: TensorFlow and LevelDB rotate and offset the CRC so that a CRC computed over
 * data that itself contains CRCs does not degenerate.
 */
export function maskCrc(crc: number): number {
  return ((((crc >>> 15) | (crc << 17)) >>> 0) + MASK_DELTA) >>> 0;
}

/** Masked CRC-32C of `bytes`. */
export function maskedCrc32c(bytes: Uint8Array): number {
  return maskCrc(crc32c(bytes));
}
