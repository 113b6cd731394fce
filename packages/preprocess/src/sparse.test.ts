import { moments, shear } from './canonical';
import { resample, type Plane, type Region } from './resample';
import { seededRandom } from './synthetic';

/*
 * resample, shear and moments skip zero pixels for speed. These are the plain loops they replaced (the arithmetic
 * the calibration was fitted with), kept here to check the fast versions bit for bit on sparse random planes.
 */

function plainResample(src: Plane, region: Region, outW: number, outH: number): Float32Array {
  const axis = (size: number, start: number, length: number, out: number): { i: number; w: number }[][] => {
    const step = length / out;
    const taps: { i: number; w: number }[][] = [];
    for (let i = 0; i < out; i++) {
      const t: { i: number; w: number }[] = [];
      if (step >= 1) {
        const a = start + i * step;
        const b = a + step;
        for (let j = Math.max(0, Math.floor(a)); j < Math.min(size, Math.ceil(b)); j++) {
          const cover = Math.min(b, j + 1) - Math.max(a, j);
          if (cover > 0) t.push({ i: j, w: Math.fround(cover / step) });
        }
      } else {
        const p = start + (i + 0.5) * step - 0.5;
        const j0 = Math.floor(p);
        const f = p - j0;
        if (j0 >= 0 && j0 < size) t.push({ i: j0, w: Math.fround(1 - f) });
        if (j0 + 1 >= 0 && j0 + 1 < size && f > 0) t.push({ i: j0 + 1, w: Math.fround(f) });
      }
      taps.push(t);
    }
    return taps;
  };
  const h = axis(src.width, region.x, region.width, outW);
  const v = axis(src.height, region.y, region.height, outH);
  const tmp = new Float32Array(src.height * outW);
  for (let y = 0; y < src.height; y++) {
    for (let i = 0; i < outW; i++) {
      let acc = 0;
      for (const t of h[i]!) acc += t.w * src.data[y * src.width + t.i]!;
      tmp[y * outW + i] = acc;
    }
  }
  const out = new Float32Array(outW * outH);
  for (let j = 0; j < outH; j++) {
    for (const t of v[j]!) for (let i = 0; i < outW; i++) out[j * outW + i]! += t.w * tmp[t.i * outW + i]!;
  }
  return out;
}

function plainShear(p: Plane, k: number, cy: number): Float32Array {
  const reach = Math.ceil(Math.abs(k) * Math.max(cy, p.height - cy));
  const width = p.width + 2 * reach;
  const out = new Float32Array(width * p.height);
  for (let y = 0; y < p.height; y++) {
    const shift = k * (y - cy) + reach;
    for (let x = 0; x < width; x++) {
      const sx = x - shift;
      const x0 = Math.floor(sx);
      const t = sx - x0;
      const a = x0 >= 0 && x0 < p.width ? p.data[y * p.width + x0]! : 0;
      const b = x0 + 1 >= 0 && x0 + 1 < p.width ? p.data[y * p.width + x0 + 1]! : 0;
      out[y * width + x] = a + (b - a) * t;
    }
  }
  return out;
}

function plainMoments(p: Plane): number[] {
  let m = 0;
  let sx = 0;
  let sy = 0;
  for (let y = 0; y < p.height; y++) {
    for (let x = 0; x < p.width; x++) {
      const v = p.data[y * p.width + x]!;
      m += v;
      sx += v * x;
      sy += v * y;
    }
  }
  if (m <= 0) return [0];
  const cx = sx / m;
  const cy = sy / m;
  let xx = 0;
  let yy = 0;
  let xy = 0;
  for (let y = 0; y < p.height; y++) {
    for (let x = 0; x < p.width; x++) {
      const v = p.data[y * p.width + x]!;
      xx += v * (x - cx) * (x - cx);
      yy += v * (y - cy) * (y - cy);
      xy += v * (x - cx) * (y - cy);
    }
  }
  return [m, cx, cy, xx / m, yy / m, xy / m];
}

/** A plane that is mostly zero: a few blobs of ink, a few negative zeros, empty rows and columns. */
function sparsePlane(seed: number): Plane {
  const rand = seededRandom(seed);
  const width = 3 + Math.floor(rand() * 60);
  const height = 3 + Math.floor(rand() * 60);
  const data = new Float32Array(width * height);
  for (let b = 0; b < 1 + rand() * 4; b++) {
    const cx = rand() * width;
    const cy = rand() * height;
    const r = 1 + rand() * 6;
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        if ((x - cx) ** 2 + (y - cy) ** 2 < r * r) data[y * width + x] = rand();
      }
    }
  }
  for (let k = 0; k < 5; k++) data[Math.floor(rand() * data.length)] = -0;
  return { data, width, height };
}

const bits = (a: Float32Array): number[] => Array.from(new Uint32Array(a.buffer, a.byteOffset, a.length));

describe('zero-skipping pixel loops', () => {
  it('resample gives bit for bit the plain loop, up and down, with regions past the edges', () => {
    for (let seed = 1; seed <= 150; seed++) {
      const src = sparsePlane(seed);
      const rand = seededRandom(seed * 7919);
      const region = {
        x: (rand() - 0.3) * src.width,
        y: (rand() - 0.3) * src.height,
        width: src.width * (0.2 + rand() * 1.5),
        height: src.height * (0.2 + rand() * 1.5),
      };
      const outW = 1 + Math.floor(rand() * 110);
      const outH = 1 + Math.floor(rand() * 110);
      expect(bits(resample(src, region, outW, outH).data)).toEqual(bits(plainResample(src, region, outW, outH)));
    }
  });

  it('shear gives bit for bit the plain loop for slants either way', () => {
    for (let seed = 1; seed <= 150; seed++) {
      const p = sparsePlane(seed);
      const rand = seededRandom(seed * 104729);
      const k = (rand() - 0.5) * 1.2;
      const cy = rand() * p.height;
      expect(bits(shear(p, k, cy).data)).toEqual(bits(plainShear(p, k, cy)));
    }
  });

  it('moments equal the plain sums exactly', () => {
    for (let seed = 1; seed <= 150; seed++) {
      const p = sparsePlane(seed);
      const m = moments(p);
      const plain = plainMoments(p);
      expect(m.mass > 0 ? [m.mass, m.cx, m.cy, m.xx, m.yy, m.xy] : [0]).toEqual(plain);
    }
  });
});
