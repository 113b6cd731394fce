/**
 * Rulings of lined and squared paper: thin straight lines across the whole sheet, horizontal or vertical give or
 * take the tilt of a photo (up to {@link MAX_TILT} degrees, the perspective of a camera not square above the
 * sheet included). Found on a coarse grid by a Hough-like scan over tilts, refitted at full resolution, and
 * removed with strokes that cross them bridged.
 */

/** A row (column) line is a ruling when strokes cover at least this share of its length in the image... */
const RULE_COVER = 0.7;
/** ...including the outer 4% at both ends (rules run off the sheet; a digit's bar does not)... */
const RULE_EDGE = 0.04;
/** ...in a band no thicker than this share of the image height (width), at least 3 px... */
const RULE_THICKNESS = 0.02;
/** ...over at least this share of the image's width (height): a tilted rule may leave through another edge. */
const MIN_SPAN = 0.5;
/** Largest tilt of a ruling from the image axes, degrees. */
const MAX_TILT = 8;
const TILT_STEP = 0.5;
/** Longer side of the coarse grid the lines are searched on. */
const COARSE = 128;

/** A line y = a + s·x across the image (for vertical rulings x and y swapped), and its thickness. */
interface Line {
  a: number;
  s: number;
  thickness: number;
}

/** The image seen along one axis: `at(u, v)` is the pixel at position u along the lines, v across them. */
interface View {
  along: number;
  across: number;
  /** Lines run down the image's columns (u is y, v is x). */
  transposed: boolean;
  at: (u: number, v: number) => number;
}

/** The tilts scanned, and per coarse length the rounded rise of each tilt along it (shared: do not modify). */
interface Tilt {
  s: number;
  rise: Int32Array;
}
const tiltCache = new Map<number, Tilt[]>();
const TILT_CACHE = 64;

function tiltsFor(cu: number): Tilt[] {
  const cached = tiltCache.get(cu);
  if (cached) return cached;
  const tilts: Tilt[] = [];
  for (let deg = -MAX_TILT; deg <= MAX_TILT; deg += TILT_STEP) {
    const s = Math.tan((deg * Math.PI) / 180);
    const rise = new Int32Array(cu);
    for (let u = 0; u < cu; u++) rise[u] = Math.round(s * u);
    tilts.push({ s, rise });
  }
  if (tiltCache.size >= TILT_CACHE) tiltCache.delete(tiltCache.keys().next().value as number);
  tiltCache.set(cu, tilts);
  return tilts;
}

/**
 * Whether any line can qualify at all. A qualifying line is hit within its first and its last `edge` cells. Its
 * first cell is either in column 0 or, for a line entering through the top or bottom edge, in row 0 or row
 * cv - 1 (a tilt of at most 8° moves a line by at most one row per column), and a hit at row v reads rows v and
 * v + 1; likewise at its end. So without set cells in the first (last) `edge` columns nor in the outer `edge + 1`
 * rows, the scan would find nothing: the common case of a digit on a clean sheet, which skips the scan.
 */
function mayHaveLines(grid: Uint8Array, cu: number, cv: number, edge: number): boolean {
  let head = false;
  let tail = false;
  for (let v = 0; v < cv; v++) {
    const o = v * cu;
    if (v <= edge || v >= cv - edge) {
      for (let u = 0; u < cu; u++) if (grid[o + u]) return true;
      continue;
    }
    for (let u = 0; u < edge && u < cu; u++) if (grid[o + u]) head = true;
    for (let u = Math.max(0, cu - edge); u < cu; u++) if (grid[o + u]) tail = true;
    if (head && tail) return true;
  }
  return false;
}

/** Candidate lines on a coarse OR-pooled grid: (offset, slope) pairs covering most of the length, edge to edge. */
function coarseLines(mask: Uint8Array, view: View, f: number): { a: number; s: number }[] {
  const cu = Math.ceil(view.along / f);
  const cv = Math.ceil(view.across / f);
  const grid = new Uint8Array(cu * cv);
  // Walk the mask in memory order (rows of the image) whichever way the lines run.
  const width = view.transposed ? view.across : view.along;
  const height = view.transposed ? view.along : view.across;
  const cellX = new Int32Array(width);
  for (let x = 0; x < width; x++) cellX[x] = (x / f) | 0;
  for (let y = 0; y < height; y++) {
    const cy = (y / f) | 0;
    const o = y * width;
    if (view.transposed) {
      for (let x = 0; x < width; x++) if (mask[o + x]) grid[cellX[x]! * cu + cy] = 1;
    } else {
      const row = cy * cu;
      for (let x = 0; x < width; x++) if (mask[o + x]) grid[row + cellX[x]!] = 1;
    }
  }
  const edge = Math.max(1, Math.round(RULE_EDGE * cu));
  if (!mayHaveLines(grid, cu, cv, edge)) return [];
  // A line is hit at (u, v) when the cell or the one below it is set: pooled once rather than per line.
  const pair = new Uint8Array(cu * cv);
  for (let i = 0; i < cu * cv; i++) pair[i] = grid[i]! | (i + cu < cu * cv ? grid[i + cu]! : 0);
  // Prefix sums of set cells per coarse row: a line can only qualify if the rows it crosses hold enough of them,
  // which rules out most (offset, tilt) pairs before walking them.
  const prefix = new Int32Array(cv + 1);
  for (let v = 0; v < cv; v++) {
    let c = 0;
    for (let u = 0; u < cu; u++) c += grid[v * cu + u]!;
    prefix[v + 1] = prefix[v]! + c;
  }
  // A tilted rule may leave the image through the top or bottom edge: it must span at least half the image along
  // its direction, be covered on RULE_COVER of that span, and be inked at both ends of it.
  const minSpan = Math.ceil(MIN_SPAN * cu);
  const need = RULE_COVER * minSpan;
  const found: { a: number; s: number; hits: number }[] = [];
  for (const { s, rise } of tiltsFor(cu)) {
    const lo = Math.floor(Math.min(0, -s * cu));
    const hi = Math.ceil(cv + Math.max(0, -s * cu));
    const spanLo = Math.min(0, rise[cu - 1]!);
    const spanHi = Math.max(0, rise[cu - 1]!) + 1;
    for (let b = lo; b < hi; b++) {
      const r0 = Math.max(0, b + spanLo);
      const r1 = Math.min(cv, b + spanHi + 1);
      if (r1 <= r0 || prefix[r1]! - prefix[r0]! < need) continue;
      let hits = 0;
      let first = -1;
      let last = -1;
      let firstHit = cu;
      let lastHit = -1;
      for (let u = 0; u < cu; u++) {
        const v = b + rise[u]!;
        if (v < 0 || v >= cv) continue;
        if (first < 0) first = u;
        last = u;
        if (pair[v * cu + u]) {
          hits++;
          if (u < firstHit) firstHit = u;
          lastHit = u;
        }
      }
      const span = last - first + 1;
      if (first < 0 || span < minSpan || hits < RULE_COVER * span) continue;
      if (firstHit - first < edge && last - lastHit < edge) found.push({ a: b, s, hits });
    }
  }
  // One candidate per line: the best-covered among those that cross it within two coarse cells.
  found.sort((p, q) => q.hits - p.hits || p.a - q.a || p.s - q.s);
  const mids: number[] = [];
  const kept: { a: number; s: number }[] = [];
  for (const c of found) {
    const mid = c.a + (c.s * cu) / 2;
    if (mids.some((m) => Math.abs(m - mid) <= 2)) continue;
    mids.push(mid);
    kept.push({ a: (c.a + 0.5) * f, s: c.s });
  }
  return kept;
}

/**
 * Refits a candidate at full resolution from the runs of ink it passes through: where the run is thin (no stroke
 * crossing), its centre is a point of the line and its length the thickness. Null when the runs are too thick
 * for a ruling (a stroke of the digit, not a rule).
 */
function refine(mask: Uint8Array, view: View, c: { a: number; s: number }, f: number): Line | null {
  const maxBand = Math.max(3, Math.round(RULE_THICKNESS * view.across));
  const us: number[] = [];
  const vs: number[] = [];
  const lengths: number[] = [];
  for (let u = 0; u < view.along; u++) {
    const guess = Math.round(c.a + c.s * u);
    let best = -1;
    for (let d = 0; d <= f + 1 && best < 0; d++) {
      for (const v of [guess - d, guess + d]) {
        if (v >= 0 && v < view.across && mask[view.at(u, v)]) {
          best = v;
          break;
        }
      }
    }
    if (best < 0) continue;
    let v0 = best;
    let v1 = best;
    while (v0 > 0 && mask[view.at(u, v0 - 1)] && best - v0 < maxBand + 2) v0--;
    while (v1 < view.across - 1 && mask[view.at(u, v1 + 1)] && v1 - best < maxBand + 2) v1++;
    if (v1 - v0 + 1 > maxBand) continue;
    us.push(u);
    vs.push((v0 + v1) / 2);
    lengths.push(v1 - v0 + 1);
  }
  if (us.length < RULE_COVER * MIN_SPAN * view.along * 0.6) return null;
  let su = 0;
  let sv = 0;
  let suu = 0;
  let suv = 0;
  for (let k = 0; k < us.length; k++) {
    su += us[k]!;
    sv += vs[k]!;
    suu += us[k]! * us[k]!;
    suv += us[k]! * vs[k]!;
  }
  const n = us.length;
  const den = n * suu - su * su;
  const s = den !== 0 ? (n * suv - su * sv) / den : c.s;
  const a = (sv - s * su) / n;
  lengths.sort((p, q) => p - q);
  return { a, s, thickness: lengths[Math.floor(n / 2)]! };
}

/**
 * Replaces the band of a line (plus one pixel each side, its anti-aliased edges) by what lies beyond it: a stroke
 * crossing the rule continues through (the weaker of the two sides), the rule itself becomes paper.
 */
function cutLine(mask: Uint8Array, ink: Float32Array, level: number, view: View, line: Line): void {
  const half = line.thickness / 2 + 1;
  for (let u = 0; u < view.along; u++) {
    const centre = line.a + line.s * u;
    // Where the line has left the image (through another edge), there is nothing to cut.
    if (centre + half < 0 || centre - half > view.across - 1) continue;
    const first = Math.max(0, Math.floor(centre - half + 0.5));
    const last = Math.min(view.across - 1, Math.ceil(centre + half - 0.5));
    const before = first > 0 ? ink[view.at(u, first - 1)]! : 0;
    const after = last < view.across - 1 ? ink[view.at(u, last + 1)]! : 0;
    const fill = before < after ? before : after;
    for (let v = first; v <= last; v++) {
      const i = view.at(u, v);
      ink[i] = fill;
      mask[i] = fill > level ? 1 : 0;
    }
  }
}

function removeAlong(mask: Uint8Array, ink: Float32Array, level: number, view: View): number {
  const f = Math.max(1, Math.ceil(Math.max(view.along, view.across) / COARSE));
  let cut = 0;
  for (const c of coarseLines(mask, view, f)) {
    const line = refine(mask, view, c, f);
    if (!line) continue;
    cutLine(mask, ink, level, view, line);
    cut += line.thickness;
  }
  return cut;
}

/**
 * Removes the rulings of lined or squared paper (see the module comment); `mask` marks ink above `level` and is
 * updated with `ink`. The digit's own bars are neither that long nor edge to edge. Returns the summed thickness
 * of the rulings removed (rows plus columns, for axis-aligned rules).
 */
export function removeRulings(
  mask: Uint8Array,
  ink: Float32Array,
  level: number,
  width: number,
  height: number,
): number {
  const rows: View = { along: width, across: height, transposed: false, at: (u, v) => v * width + u };
  const cols: View = { along: height, across: width, transposed: true, at: (u, v) => u * width + v };
  return removeAlong(mask, ink, level, rows) + removeAlong(mask, ink, level, cols);
}
