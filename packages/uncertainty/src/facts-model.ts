/**
 * A density over the preprocessing's input facts (ink share, luminance entropy, edge density, contrast, box fill,
 * stroke width, output ink, box aspect, colourfulness): a mixture of Gaussians, one per acquisition route (28x28 digit pixels, and
 * digits photographed or scanned as uploads), each with a Ledoit–Wolf shrinkage covariance. An input is as far
 * from "a digit" as its nearest component. Pixel-space density alone cannot tell a centred 20-px garment from a
 * digit after MNIST-style normalisation; these facts can, because they describe the upload before it was
 * normalised.
 */
import { cholesky, invertLower } from './linalg';
import { ledoitWolf } from './gaussian';
import type { InputFactsLike } from './types';

/** Names of the facts used, in vector order. */
export const FACT_NAMES = [
  'inkFraction',
  'lumaEntropy',
  'edgeDensity',
  'borderContrast',
  'bboxFill',
  'strokeWidth',
  'outputInk',
  'bboxAspect',
  'colourfulness',
] as const;

/** One mixture component. */
export interface FactsComponent {
  name: string;
  count: number;
  mean: number[];
  /** Lower-triangular inverse Cholesky factor of the covariance, row-major. */
  whitener: number[];
  shrinkage: number;
}

/** The fitted facts density. */
export interface FactsModel {
  names: string[];
  components: FactsComponent[];
}

/** Facts as a numeric vector (bboxAspect and colourfulness on log scales); undefined when any fact is missing. */
export function factsVector(f: InputFactsLike | undefined): number[] | undefined {
  if (!f) return undefined;
  const rec = f as Record<string, unknown>;
  const out: number[] = [];
  for (const n of FACT_NAMES) {
    const v = rec[n];
    if (typeof v !== 'number' || !Number.isFinite(v)) return undefined;
    out.push(n === 'bboxAspect' ? Math.log(Math.max(v, 1e-3)) : n === 'colourfulness' ? Math.log1p(Math.max(v, 0)) : v);
  }
  return out;
}

/** Fits one component per named group of facts (groups with fewer than 20 complete rows are skipped). */
export function fitFactsModel(groups: { name: string; facts: InputFactsLike[] }[]): FactsModel {
  const p = FACT_NAMES.length;
  const components: FactsComponent[] = [];
  for (const g of groups) {
    const rows = g.facts.map(factsVector).filter((v): v is number[] => v !== undefined);
    if (rows.length < 20) continue;
    const mean = new Array<number>(p).fill(0);
    for (const r of rows) r.forEach((v, j) => (mean[j] = (mean[j] as number) + v / rows.length));
    const centred = rows.map((r) => Float64Array.from(r, (v, j) => v - (mean[j] as number)));
    const lw = ledoitWolf(centred, p);
    // A floor on each variance keeps a fact that is constant in one route (e.g. paper noise of raw pixels) from
    // making any deviation infinitely surprising.
    for (let j = 0; j < p; j++) lw.cov[j * p + j] = (lw.cov[j * p + j] as number) + 1e-6;
    components.push({
      name: g.name,
      count: rows.length,
      mean,
      whitener: Array.from(invertLower(cholesky(lw.cov, p), p)),
      shrinkage: lw.shrinkage,
    });
  }
  return { names: [...FACT_NAMES], components };
}

/**
 * The acquisition route of an upload for the last reliability map: `pixels` when its facts are nearest the 28x28
 * digit-pixels component (or there are no facts: a raw tensor), `uploads` otherwise (photographed or scanned).
 */
export function factsRoute(m: FactsModel, f: InputFactsLike | undefined): 'pixels' | 'uploads' {
  const x = factsVector(f);
  if (!x || m.components.length === 0) return 'pixels';
  let best = Infinity;
  let name = 'pixels';
  for (const c of m.components) {
    const d = mahalanobis2(c, x);
    if (d < best) {
      best = d;
      name = c.name;
    }
  }
  return name === 'pixels' ? 'pixels' : 'uploads';
}

function mahalanobis2(c: FactsComponent, x: number[]): number {
  const p = x.length;
  let d = 0;
  for (let i = 0; i < p; i++) {
    let s = 0;
    for (let j = 0; j <= i; j++) s += (c.whitener[i * p + j] as number) * ((x[j] as number) - (c.mean[j] as number));
    d += s * s;
  }
  return d;
}

/** Mahalanobis distance to the nearest component, divided by the number of facts; undefined without facts. */
export function factsScore(m: FactsModel, f: InputFactsLike | undefined): number | undefined {
  const x = factsVector(f);
  if (!x || m.components.length === 0) return undefined;
  let best = Infinity;
  for (const c of m.components) best = Math.min(best, mahalanobis2(c, x));
  return best / x.length;
}
