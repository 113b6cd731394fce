/** A row (column) is a ruling when strokes cover at least this share of it... */
const RULE_COVER = 0.7;
/** ...including the outer 4% at both ends (rules run off the sheet; a digit's bar does not)... */
const RULE_EDGE = 0.04;
/** ...in a band no thicker than this share of the image height (width), at least 3 px. */
const RULE_THICKNESS = 0.02;

function cutLines(
  mask: Uint8Array,
  ink: Float32Array,
  level: number,
  lines: number,
  length: number,
  at: (line: number, k: number) => number,
): number {
  const edge = Math.max(1, Math.round(RULE_EDGE * length));
  const ruled = new Uint8Array(lines);
  for (let l = 0; l < lines; l++) {
    let cover = 0;
    let head = false;
    let tail = false;
    for (let k = 0; k < length; k++) {
      if (!mask[at(l, k)]) continue;
      cover++;
      if (k < edge) head = true;
      if (k >= length - edge) tail = true;
    }
    ruled[l] = head && tail && cover >= RULE_COVER * length ? 1 : 0;
  }
  const maxBand = Math.max(3, Math.round(RULE_THICKNESS * lines));
  let cut = 0;
  for (let l = 0; l < lines;) {
    if (!ruled[l]) {
      l++;
      continue;
    }
    let end = l;
    while (end + 1 < lines && ruled[end + 1]) end++;
    if (end - l + 1 <= maxBand) {
      // Replace the band and one line either side (the rule's anti-aliased edges) by what lies beyond it: a stroke
      // crossing the rule continues through (the weaker of the two sides), the rule itself becomes paper.
      const first = Math.max(0, l - 1);
      const last = Math.min(lines - 1, end + 1);
      for (let k = 0; k < length; k++) {
        const before = first > 0 ? ink[at(first - 1, k)]! : 0;
        const after = last < lines - 1 ? ink[at(last + 1, k)]! : 0;
        const fill = before < after ? before : after;
        for (let m = first; m <= last; m++) {
          ink[at(m, k)] = fill;
          mask[at(m, k)] = fill > level ? 1 : 0;
        }
      }
      cut += end - l + 1;
    }
    l = end + 1;
  }
  return cut;
}

/**
 * The ruling remover from before tilted rulings were handled, kept so that switching `tiltedRulings` off gives
 * exactly the earlier preprocessing. Removes the rulings of lined or squared paper: thin horizontal (vertical)
 * bands where strokes cover most of the row (column) and reach both edges of the image. A stroke crossing a rule is bridged across the removed band;
 * the digit's own bars are neither that long nor edge to edge. `mask` marks ink above `level`. Straight rules only:
 * a ruling tilted by more than its thickness over the image width is not recognised. Returns rows + columns cut.
 */
export function removeAxisRulings(
  mask: Uint8Array,
  ink: Float32Array,
  level: number,
  width: number,
  height: number,
): number {
  const rows = cutLines(mask, ink, level, height, width, (y, x) => y * width + x);
  const cols = cutLines(mask, ink, level, width, height, (x, y) => y * width + x);
  return rows + cols;
}
