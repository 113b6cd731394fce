/** One 8-connected component of a binary mask. */
export interface Component {
  label: number;
  area: number;
  /** Sum of the ink strength over the component. */
  mass: number;
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

/** The flood fill's stack, reused across calls (the labelling is synchronous; only its first entries are read). */
let sharedStack = new Int32Array(0);

function stackFor(n: number): Int32Array {
  if (sharedStack.length < n) sharedStack = new Int32Array(n);
  return sharedStack;
}

/**
 * Labels the 8-connected components of `mask` (iterative flood fill, no recursion so large blobs cannot overflow
 * the stack). Returns the label image (0 = background) and per-component area, mass and bounding box.
 */
export function labelComponents(
  mask: Uint8Array,
  strength: Float32Array,
  width: number,
  height: number,
): { labels: Int32Array; components: Component[] } {
  const labels = new Int32Array(width * height);
  const components: Component[] = [];
  const stack = stackFor(width * height);
  for (let start = 0; start < mask.length; start++) {
    if (!mask[start] || labels[start]) continue;
    const label = components.length + 1;
    const c: Component = { label, area: 0, mass: 0, x0: width, y0: height, x1: -1, y1: -1 };
    let top = 0;
    stack[top++] = start;
    labels[start] = label;
    while (top > 0) {
      const p = stack[--top]!;
      const x = p % width;
      const y = (p - x) / width;
      c.area++;
      c.mass += strength[p]!;
      if (x < c.x0) c.x0 = x;
      if (x > c.x1) c.x1 = x;
      if (y < c.y0) c.y0 = y;
      if (y > c.y1) c.y1 = y;
      for (let dy = -1; dy <= 1; dy++) {
        const yy = y + dy;
        if (yy < 0 || yy >= height) continue;
        for (let dx = -1; dx <= 1; dx++) {
          const xx = x + dx;
          if (xx < 0 || xx >= width) continue;
          const q = yy * width + xx;
          if (mask[q] && !labels[q]) {
            labels[q] = label;
            stack[top++] = q;
          }
        }
      }
    }
    components.push(c);
  }
  return { labels, components };
}
