import sharp from 'sharp';

/** The only libvips loaders reachable from this package: buffer loaders of the accepted formats. */
const ALLOWED_LOADERS = [
  'VipsForeignLoadPngBuffer',
  'VipsForeignLoadJpegBuffer',
  'VipsForeignLoadWebpBuffer',
  'VipsForeignLoadNsgifBuffer',
  'VipsForeignLoadTiffBuffer',
  'VipsForeignLoadHeifBuffer',
];

let configured = false;

/**
 * Hardens libvips for untrusted input, once per process: every loader blocked except the buffer loaders of the
 * accepted formats (SVG, PDF, Magick, FITS, matrix, CSV, ... stay unreachable even if type detection were fooled);
 * no operation cache (uploads are never repeated, so a cache only grows); one libvips thread per image because
 * parallelism comes from concurrent requests on the libuv pool, and on a small machine per-image threads only
 * contend. These settings are process-wide, which is intended: this package is the process's image entry point.
 */
export function ensureSharpConfigured(): typeof sharp {
  if (!configured) {
    sharp.block({ operation: ['VipsForeignLoad'] });
    sharp.unblock({ operation: ALLOWED_LOADERS });
    sharp.cache(false);
    sharp.concurrency(1);
    configured = true;
  }
  return sharp;
}
