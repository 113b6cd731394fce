/**
 * The T/2 antithetic pairs of fast MC dropout for one input: standard normal rows from a shared table, turned into
 * logit deviations d = L eps and accumulated as the draws l + d and l - d. `fastMcDropout` (mc-dropout.ts) computes
 * the moments and summarises; this module only draws and accumulates.
 */
import { PRODUCT_FLUSH, pairKernel } from './mc-kernel';
import { Rng } from './prng';

/** Reusable scratch for `fastMcDropout`: allocate once per batch. */
export interface FastMcScratch {
  cov: Float64Array;
  L: Float64Array;
  z: Float64Array;
  d: Float64Array;
  p: Float64Array;
  /** exp(logit - max logit) of the input. */
  e: Float64Array;
  /** Softmax numerators of the + draw of the current pair (p holds the - draw's). */
  f: Float64Array;
  /** The input's logits. */
  l: Float64Array;
  /** Results of a pair kernel call. */
  out: Float64Array;
}

/** Scratch buffers for k classes. */
export function fastMcScratch(k: number): FastMcScratch {
  return {
    cov: new Float64Array((k * (k + 1)) / 2),
    L: new Float64Array(k * k),
    z: new Float64Array(k),
    d: new Float64Array(k),
    p: new Float64Array(k),
    e: new Float64Array(k),
    f: new Float64Array(k),
    l: new Float64Array(k),
    out: new Float64Array(5),
  };
}

/**
 * Largest |d| for which a pair shares one exp(d): e * exp(d) stays far from overflow (e <= 1) and e / exp(d) from
 * underflow of every term at once (the largest logit's e is 1). Larger deviations take the direct softmax.
 */
const SHARED_EXP_LIMIT = 300;

/**
 * Adds one draw z = l + sign * d to the running sums, computing its softmax directly (relative to the largest z);
 * returns its entropy. The slow path, for pairs whose deviations are too large to share one exp.
 */
function addDirectDraw(sign: number, s: FastMcScratch, sum: Float64Array, sumSq: Float64Array): number {
  const { d, l, p, z } = s;
  const k = d.length;
  let shift = -Infinity;
  for (let j = 0; j < k; j++) {
    z[j] = l[j]! + sign * d[j]!;
    if (z[j]! > shift) shift = z[j]!;
  }
  let se = 0;
  for (let j = 0; j < k; j++) {
    const w = Math.exp(z[j]! - shift);
    p[j] = w;
    se += w;
  }
  const inv = 1 / se;
  let pz = 0;
  for (let j = 0; j < k; j++) {
    const pj = p[j]! * inv;
    pz += pj * z[j]!;
    sum[j] = sum[j]! + pj;
    sumSq[j] = sumSq[j]! + pj * pj;
  }
  return shift + Math.log(se) - pz;
}

/** Running sums of the shared-exp pairs: entropies are sums of log(se) - wz/se, the logs taken of products. */
interface PairSums {
  sum: Float64Array;
  sumSq: Float64Array;
  /** Sum of (wz / se) over the draws. */
  weighted: number;
  /** Sum of log(se) flushed so far, and the product of the se since. */
  logSum: number;
  product: number;
  draws: number;
}

function addNormaliser(acc: PairSums, se: number): void {
  const p = acc.product * se;
  if (p > PRODUCT_FLUSH || p < 1 / PRODUCT_FLUSH) {
    acc.logSum += Math.log(p);
    acc.product = 1;
  } else acc.product = p;
}

/**
 * Adds the antithetic pair l + d and l - d (only the first when `both` is false). Relative to the largest logit
 * the softmax numerators are e * exp(d) and e / exp(d), so the pair costs k exps instead of 2k, and both draws
 * are accumulated in the same passes; the entropy terms log(se) are taken once per many draws, of a product.
 */
function addSharedPair(l: Float64Array, s: FastMcScratch, both: boolean, acc: PairSums): void {
  const { d, e, f, p } = s;
  const { sum, sumSq } = acc;
  const k = d.length;
  let sp = 0;
  let sm = 0;
  let wzp = 0;
  let wzm = 0;
  for (let j = 0; j < k; j++) {
    const dj = d[j]!;
    const ej = e[j]!;
    const fj = Math.exp(dj);
    const wp = ej * fj;
    const wm = ej / fj;
    f[j] = wp;
    p[j] = wm;
    sp += wp;
    sm += wm;
    wzp += wp * (l[j]! + dj);
    wzm += wm * (l[j]! - dj);
  }
  const ip = 1 / sp;
  const im = both ? 1 / sm : 0;
  for (let j = 0; j < k; j++) {
    const a = f[j]! * ip;
    const b = p[j]! * im;
    sum[j] = sum[j]! + a + b;
    sumSq[j] = sumSq[j]! + a * a + b * b;
  }
  acc.weighted += wzp * ip;
  addNormaliser(acc, sp);
  acc.draws++;
  if (both) {
    acc.weighted += wzm * im;
    addNormaliser(acc, sm);
    acc.draws++;
  }
}

/** Rows of the shared table of standard normal vectors. */
export const NORMAL_ROWS = 4096;
const normalTables = new Map<number, Float64Array>();

/**
 * A fixed table of NORMAL_ROWS standard normal k-vectors. Each input reads T/2 consecutive rows from an offset
 * drawn from its own seeded PRNG (the hash of its bytes), so its draws are i.i.d. normal, identical for identical
 * inputs, and cost no transcendental function per draw.
 */
export function normalTable(k: number): Float64Array {
  let t = normalTables.get(k);
  if (!t) {
    const rng = new Rng(0x6e6f726d);
    t = Float64Array.from({ length: NORMAL_ROWS * k }, () => rng.normal());
    normalTables.set(k, t);
  }
  return t;
}

/** The pairs of one input through the generated kernel of its class count; returns the sum of draw entropies. */
function kernelPairs(
  kernel: NonNullable<ReturnType<typeof pairKernel>>,
  scratch: FastMcScratch,
  table: Float64Array,
  row: number,
  T: number,
  lmax: number,
  sum: Float64Array,
  sumSq: Float64Array,
): number {
  const { out } = scratch;
  kernel({
    L: scratch.L,
    table,
    tableRows: NORMAL_ROWS,
    row,
    T,
    e: scratch.e,
    l: scratch.l,
    limit: SHARED_EXP_LIMIT,
    sum,
    sumSq,
    d: scratch.d,
    direct: (both) => addDirectDraw(1, scratch, sum, sumSq) + (both ? addDirectDraw(-1, scratch, sum, sumSq) : 0),
    out,
  });
  const [weighted, logSum, product, draws, directEntropy] = out as unknown as [number, number, number, number, number];
  return directEntropy + draws * lmax + logSum + Math.log(product) - weighted;
}

/** The same pairs as plain loops, for class counts too large for a generated kernel. */
function loopPairs(
  scratch: FastMcScratch,
  table: Float64Array,
  startRow: number,
  T: number,
  lmax: number,
  sum: Float64Array,
  sumSq: Float64Array,
): number {
  const { L, d, l } = scratch;
  const k = d.length;
  let entropySum = 0;
  const pairs: PairSums = { sum, sumSq, weighted: 0, logSum: 0, product: 1, draws: 0 };
  let row = startRow;
  for (let t = 0; t < T; t += 2) {
    const base = row * k;
    let shared = true;
    for (let i = 0, li = 0; i < k; i++, li += k) {
      let s = 0;
      for (let j = 0; j <= i; j++) s += L[li + j]! * table[base + j]!;
      d[i] = s;
      if (!(s <= SHARED_EXP_LIMIT && s >= -SHARED_EXP_LIMIT)) shared = false;
    }
    row = row + 1 === NORMAL_ROWS ? 0 : row + 1;
    const both = t + 1 < T;
    if (shared) addSharedPair(l, scratch, both, pairs);
    else {
      entropySum += addDirectDraw(1, scratch, sum, sumSq);
      if (both) entropySum += addDirectDraw(-1, scratch, sum, sumSq);
    }
  }
  return entropySum + pairs.draws * lmax + pairs.logSum + Math.log(pairs.product) - pairs.weighted;
}

/**
 * Runs the T draws of one input from table row `row` (generated kernel when the class count allows, plain loops
 * otherwise), adding the probabilities and their squares to `sum` and `sumSq`; returns the sum of the draws'
 * entropies. Expects `scratch.L` (Cholesky factor), `scratch.l` (logits) and `scratch.e` (exp(l - lmax)) filled.
 */
export function drawPairs(
  scratch: FastMcScratch,
  row: number,
  T: number,
  lmax: number,
  sum: Float64Array,
  sumSq: Float64Array,
): number {
  const k = scratch.d.length;
  const table = normalTable(k);
  const kernel = pairKernel(k);
  return kernel
    ? kernelPairs(kernel, scratch, table, row, T, lmax, sum, sumSq)
    : loopPairs(scratch, table, row, T, lmax, sum, sumSq);
}
