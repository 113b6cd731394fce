import { readFileSync } from 'node:fs';
import path from 'node:path';
import { assetPath } from '@mserve/common';
import { multipart, type MultipartBody } from './multipart';

/** One kind of upload in the mixed workload and its share of the requests. */
export interface MixPart {
  label: string;
  files: string[];
  mime: string;
  /** Requests of this kind per {@link MIX_CYCLE} requests. */
  perCycle: number;
}

/** Requests per cycle: the shares below are exact over every full cycle. */
export const MIX_CYCLE = 20;

/**
 * A realistic mix of what a document pipeline sends: mostly small digit crops, some phone photos of a digit, a few
 * page scans. Files from the shared assets (`data/images`).
 */
export const MIX: MixPart[] = [
  {
    label: 'digit PNG 28x28',
    files: ['3.png', '5.png', '63.png', '65.png', '172.png'],
    mime: 'image/png',
    perCycle: 16,
  },
  { label: 'phone-photo JPEG 500x332', files: ['colour_500_332.jpg'], mime: 'image/jpeg', perCycle: 3 },
  { label: 'scan PNG 999x893', files: ['grayscale_999_893.png'], mime: 'image/png', perCycle: 1 },
];

/**
 * The request bodies of one cycle, the kinds spread out (not 16 small ones then the large ones) so every stretch
 * of the run sees the same mix. Deterministic: the same order every run.
 */
export function mixCycle(mix: MixPart[] = MIX, read: (file: string) => Buffer = readAsset): MultipartBody[] {
  const total = mix.reduce((a, p) => a + p.perCycle, 0);
  const slots: Array<{ at: number; body: MultipartBody }> = [];
  for (const part of mix) {
    for (let i = 0; i < part.perCycle; i++) {
      const file = part.files[i % part.files.length] as string;
      const body = multipart({ field: 'image', filename: path.basename(file), mime: part.mime, data: read(file) });
      // Evenly spaced positions per kind; ties broken by kind order.
      slots.push({ at: (i + 0.5) / part.perCycle, body });
    }
  }
  slots.sort((a, b) => a.at - b.at);
  if (slots.length !== total) throw new Error('mix cycle lost a request');
  return slots.map((s) => s.body);
}

function readAsset(file: string): Buffer {
  return readFileSync(assetPath(path.join('data/images', file)));
}

/** The mix as one line of text, for reports. */
export function describeMix(mix: MixPart[] = MIX): string {
  const total = mix.reduce((a, p) => a + p.perCycle, 0);
  return mix.map((p) => `${Math.round((p.perCycle / total) * 100)}% ${p.label}`).join(', ');
}
