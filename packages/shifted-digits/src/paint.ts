import { invert, type Mat3 } from './geometry';
import type { Capture, Medium, Plan, RulingSpec } from './looks';
import { between, blurPlane, normalTable, valueNoise, type Rand } from './noise';

/** Planar RGB, 0..255 floats, one plane per channel. */
export type Planes = Float32Array[];

function planes(n: number): Planes {
  return [new Float32Array(n), new Float32Array(n), new Float32Array(n)];
}

/**
 * Coverage of rulings at each pixel: the pixel centre is taken back to the flat sheet through the inverse page map
 * and its distance to the nearest rule gives an anti-aliased line of the rule's width.
 */
function rulingCoverage(r: RulingSpec, page: Mat3, width: number, height: number): Float32Array {
  const inv = invert(page);
  const out = new Float32Array(width * height);
  const half = r.width / 2;
  const line = (d: number): number => {
    const c = half + 0.5 - d;
    return c <= 0 ? 0 : c >= 1 ? 1 : c;
  };
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const px = x + 0.5;
      const py = y + 0.5;
      const w = inv[6]! * px + inv[7]! * py + inv[8]!;
      const u = (inv[0]! * px + inv[1]! * py + inv[2]!) / w;
      const v = (inv[3]! * px + inv[4]! * py + inv[5]!) / w;
      const m = (((v - r.phase) % r.spacing) + r.spacing) % r.spacing;
      let c = line(Math.min(m, r.spacing - m));
      if (r.kind === 'squared') {
        const mu = (((u - r.phase) % r.spacing) + r.spacing) % r.spacing;
        c = Math.max(c, line(Math.min(mu, r.spacing - mu)));
      }
      out[y * width + x] = c;
    }
  }
  return out;
}

/** Grain of a rough surface: 1 where the tool marks, towards 0 in the pits it skips, per pixel. */
function grainField(rand: Rand, n: number, amount: number): Float32Array {
  const out = new Float32Array(n);
  const { table, start } = normalTable(rand);
  let k = start;
  for (let i = 0; i < n; i++) {
    k = (k * 1103515245 + 12345) & 4095;
    const g = 1 - amount + table[k]! * amount * 0.9;
    out[i] = g < 0 ? 0 : g > 1 ? 1 : g;
  }
  return out;
}

/** Puts ink coverage on a medium: ink absorbs light on paper and whiteboards, chalk and screens emit or reflect it. */
export function applyMedium(
  medium: Medium,
  coverage: Float32Array,
  page: Mat3,
  width: number,
  height: number,
  rand: Rand,
): Planes {
  const n = width * height;
  const out = planes(n);
  const cell = Math.max(3, Math.min(width, height) / 6);
  switch (medium.type) {
    case 'paper': {
      const fibre = valueNoise(rand, width, height, 2);
      const pressure = valueNoise(rand, width, height, cell / 2);
      const grain = medium.grain > 0 ? grainField(rand, n, medium.grain) : null;
      const ruled = medium.ruling ? rulingCoverage(medium.ruling, page, width, height) : null;
      const margin = medium.ruling?.margin ?? null;
      for (let i = 0; i < n; i++) {
        const x = i % width;
        let a = coverage[i]! * (1 - medium.pressure * pressure[i]!);
        if (grain) a *= grain[i]!;
        const r = ruled ? ruled[i]! : 0;
        const m = margin !== null ? Math.max(0, 1 - Math.abs(x + 0.5 - margin)) : 0;
        const f = 1 + (fibre[i]! - 0.5) * 0.05;
        for (let c = 0; c < 3; c++) {
          let v = medium.paper[c]! * f;
          if (r > 0) v *= 1 - r + (r * medium.ruling!.colour[c]!) / 255;
          if (m > 0) v *= 1 - m + (m * [230, 110, 120][c]!) / 255;
          out[c]![i] = v * (1 - a + (a * medium.ink[c]!) / 255);
        }
      }
      for (let s = 0; s < medium.specks; s++) {
        const sx = rand() * width;
        const sy = rand() * height;
        const sr = between(rand, 0.6, 2.2);
        const dark = between(rand, 0.3, 0.8);
        for (let y = Math.max(0, Math.floor(sy - sr)); y <= Math.min(height - 1, sy + sr); y++) {
          for (let x = Math.max(0, Math.floor(sx - sr)); x <= Math.min(width - 1, sx + sr); x++) {
            if ((x + 0.5 - sx) ** 2 + (y + 0.5 - sy) ** 2 > sr * sr) continue;
            for (let c = 0; c < 3; c++) out[c]![y * width + x]! *= 1 - dark;
          }
        }
      }
      return out;
    }
    case 'chalk': {
      const haze = valueNoise(rand, width, height, cell);
      const grain = grainField(rand, n, medium.grain);
      const density = valueNoise(rand, width, height, cell / 3);
      for (let i = 0; i < n; i++) {
        const a = coverage[i]! * grain[i]! * (0.75 + 0.25 * density[i]!);
        const h = medium.haze * haze[i]! * 0.35;
        for (let c = 0; c < 3; c++) {
          const board = medium.board[c]! * (1 - h) + medium.chalk[c]! * h;
          out[c]![i] = board * (1 - a) + medium.chalk[c]! * a;
        }
      }
      return out;
    }
    case 'screen': {
      for (let i = 0; i < n; i++) {
        const a = coverage[i]!;
        for (let c = 0; c < 3; c++) out[c]![i] = medium.background[c]! * (1 - a) + medium.text[c]! * a;
      }
      return out;
    }
    case 'whiteboard': {
      const ghost = valueNoise(rand, width, height, cell);
      const streak = valueNoise(rand, width, height, Math.max(1.5, cell / 8));
      for (let i = 0; i < n; i++) {
        const a = coverage[i]! * (1 - medium.streaks * streak[i]!);
        const g = medium.ghost * ghost[i]!;
        for (let c = 0; c < 3; c++) {
          const board = medium.board[c]! * (1 - g) + 120 * g;
          out[c]![i] = board * (1 - a + (a * medium.ink[c]!) / 255);
        }
      }
      return out;
    }
  }
}

/**
 * What the camera adds, in order: lighting (gradient, vignette, a soft shadow, a glare spot on glossy boards),
 * blur, sensor noise. Screens get none of it.
 */
export function applyCapture(rgb: Planes, plan: Plan, rand: Rand): void {
  const { width, height, capture, medium } = plan;
  const n = width * height;
  const light = lighting(capture, width, height);
  if (!light) {
    // Evenly lit: nothing to multiply.
  } else if (medium.type === 'whiteboard' && medium.glare > 0) {
    const gx = rand() * width;
    const gy = rand() * height;
    const gr = Math.min(width, height) * between(rand, 0.15, 0.4);
    for (let i = 0; i < n; i++) {
      const d2 = ((i % width) - gx) ** 2 + (Math.floor(i / width) - gy) ** 2;
      const glare = medium.glare * Math.exp(-d2 / (gr * gr));
      const f = (light ? light[i]! : 1) * (1 - glare);
      for (let c = 0; c < 3; c++) rgb[c]![i] = rgb[c]![i]! * f + 255 * glare;
    }
  } else {
    for (let c = 0; c < 3; c++) for (let i = 0; i < n; i++) rgb[c]![i]! *= light[i]!;
  }
  for (let c = 0; c < 3; c++) blurPlane(rgb[c]!, width, height, capture.blur);
  if (capture.noise > 0) {
    const { table, start } = normalTable(rand);
    const [r, g, b] = rgb as [Float32Array, Float32Array, Float32Array];
    const luma = capture.noise;
    const chroma = capture.noise * 0.3;
    let k = start;
    // Mostly luminance noise with a little chroma, as in a phone sensor after its noise reduction.
    for (let i = 0; i < n; i++) {
      k = (k * 1103515245 + 12345) & 4095;
      const l = table[k]! * luma;
      k = (k * 1103515245 + 12345) & 4095;
      r[i]! += l + table[k]! * chroma;
      k = (k * 1103515245 + 12345) & 4095;
      g[i]! += l + table[k]! * chroma;
      k = (k * 1103515245 + 12345) & 4095;
      b[i]! += l + table[k]! * chroma;
    }
  }
}

/** Brightness factor per pixel from the capture's gradient, vignette and shadow; null when evenly lit. */
function lighting(capture: Capture, width: number, height: number): Float32Array | null {
  const [gx, gy] = capture.gradient;
  const { vignette, shadow } = capture;
  if (gx === 0 && gy === 0 && vignette === 0 && !shadow) return null;
  const out = new Float32Array(width * height);
  const cos = shadow ? Math.cos(shadow.angle) : 0;
  const sin = shadow ? Math.sin(shadow.angle) : 0;
  for (let y = 0; y < height; y++) {
    const v = y / height - 0.5;
    for (let x = 0; x < width; x++) {
      const u = x / width - 0.5;
      let f = 1 + gx * u + gy * v - vignette * 2 * (u * u + v * v);
      if (shadow) {
        // Signed distance from the shadow's edge, a line at `offset` from the centre across `angle`.
        const d = u * cos + v * sin - (0.5 - shadow.offset);
        const t = Math.min(1, Math.max(0, 0.5 + d / (2 * shadow.softness)));
        f *= 1 - shadow.depth * t;
      }
      out[y * width + x] = f;
    }
  }
  return out;
}

/** Enlarges a screen crop by an integer factor, pixel by pixel (a zoomed screenshot) or bilinearly (a scaled one). */
export function zoomPlanes(rgb: Planes, width: number, height: number, zoom: number, smooth: boolean): Planes {
  const W = width * zoom;
  const H = height * zoom;
  const out = planes(W * H);
  for (let c = 0; c < 3; c++) {
    const src = rgb[c]!;
    const dst = out[c]!;
    for (let y = 0; y < H; y++) {
      for (let x = 0; x < W; x++) {
        if (!smooth) {
          dst[y * W + x] = src[Math.floor(y / zoom) * width + Math.floor(x / zoom)]!;
          continue;
        }
        const u = Math.min(width - 1, Math.max(0, (x + 0.5) / zoom - 0.5));
        const v = Math.min(height - 1, Math.max(0, (y + 0.5) / zoom - 0.5));
        const iu = Math.min(width - 2, Math.floor(u));
        const iv = Math.min(height - 2, Math.floor(v));
        const fu = u - Math.max(0, iu);
        const fv = v - Math.max(0, iv);
        const a = Math.max(0, iu);
        const b = Math.max(0, iv);
        const at = (p: number, q: number): number => src[Math.min(height - 1, q) * width + Math.min(width - 1, p)]!;
        const top = at(a, b) * (1 - fu) + at(a + 1, b) * fu;
        const bottom = at(a, b + 1) * (1 - fu) + at(a + 1, b + 1) * fu;
        dst[y * W + x] = top * (1 - fv) + bottom * fv;
      }
    }
  }
  return out;
}

/** Interleaved 8-bit RGB, rounded and clamped. */
export function toBytes(rgb: Planes, n: number): Buffer {
  const out = Buffer.alloc(n * 3);
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < 3; c++) {
      const v = rgb[c]![i]! + 0.5;
      out[i * 3 + c] = v < 0 ? 0 : v > 255 ? 255 : v;
    }
  }
  return out;
}
