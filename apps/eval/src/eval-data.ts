/**
 * The evaluation data: MNIST test (even indices = calibration, odd = evaluation), Fashion-MNIST test (OOD, never
 * used in fitting), shifted evaluation digits, all preprocessed exactly as uploads are.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { loadFashionMnistTest, loadMnistTest, loadMnistTrain, type ImageSet } from '@mserve/datasets';
import {
  prepareImages,
  prepareSynthetic,
  Rng,
  UPLOAD_COUNT,
  UPLOAD_SEED,
  uploadIndices,
  type PreparedSet,
} from '@mserve/uncertainty/fit';
import {
  loadShifted,
  prepareUploads,
  preprocessForCalibration,
  SHIFTED_EVAL,
  SHIFTED_FIT,
  type ShiftedSet,
} from '@mserve/calibration';

/** Names of the distribution shifts applied to evaluation digits. */
export const SHIFTS = ['rotate30', 'rotate60', 'noise', 'inverted'] as const;
export type ShiftName = (typeof SHIFTS)[number];

/** Everything the evaluation runs on. */
export interface EvalData {
  train: PreparedSet;
  calibration: PreparedSet;
  evaluation: PreparedSet;
  fashion: PreparedSet;
  synthetic: PreparedSet;
  /** Training digits as realistic uploads (fitting) and evaluation digits as realistic uploads (evaluation). */
  trainUploads: PreparedSet;
  evalUploads: PreparedSet;
  shifts: Record<ShiftName, PreparedSet>;
  /** The shifted-digits benchmark: fitting split (fonts used in fitting) and evaluation split (other fonts). */
  shiftedFit: ShiftedSet;
  shiftedEval: ShiftedSet;
  indices: { calibration: number[]; evaluation: number[]; fashion: number[] };
}

/** Bilinear rotation of a 28x28 byte image about its centre. */
export function rotate(img: Uint8Array, degrees: number, side = 28): Uint8Array {
  const out = new Uint8Array(side * side);
  const a = (degrees * Math.PI) / 180;
  const c = Math.cos(a);
  const s = Math.sin(a);
  const m = (side - 1) / 2;
  for (let y = 0; y < side; y++) {
    for (let x = 0; x < side; x++) {
      const sx = c * (x - m) + s * (y - m) + m;
      const sy = -s * (x - m) + c * (y - m) + m;
      const x0 = Math.floor(sx);
      const y0 = Math.floor(sy);
      const fx = sx - x0;
      const fy = sy - y0;
      const at = (xx: number, yy: number): number =>
        xx >= 0 && yy >= 0 && xx < side && yy < side ? (img[yy * side + xx] as number) : 0;
      const v =
        (at(x0, y0) * (1 - fx) + at(x0 + 1, y0) * fx) * (1 - fy) +
        (at(x0, y0 + 1) * (1 - fx) + at(x0 + 1, y0 + 1) * fx) * fy;
      out[y * side + x] = Math.round(v);
    }
  }
  return out;
}

/** The shifted copy of the images at `indices`. */
export function shiftSet(set: ImageSet, indices: number[], shift: ShiftName): ImageSet {
  const px = set.rows * set.cols;
  const images = new Uint8Array(indices.length * px);
  const rng = new Rng(0x5eed + SHIFTS.indexOf(shift));
  indices.forEach((src, j) => {
    const img = set.images.subarray(src * px, src * px + px);
    let out: Uint8Array;
    if (shift === 'rotate30') out = rotate(img, 30);
    else if (shift === 'rotate60') out = rotate(img, 60);
    else if (shift === 'inverted') out = img.map((v) => 255 - v);
    else out = img.map((v) => Math.max(0, Math.min(255, Math.round(v + 0.25 * 255 * rng.normal()))));
    images.set(out, j * px);
  });
  return {
    n: indices.length,
    rows: set.rows,
    cols: set.cols,
    images,
    labels: Uint8Array.from(indices, (i) => set.labels[i] as number),
  };
}

function every(n: number, start: number, step: number): number[] {
  const out: number[] = [];
  for (let i = start; i < n; i += step) out.push(i);
  return out;
}

function cached(dir: string | undefined, name: string, make: () => Promise<PreparedSet>): Promise<PreparedSet> {
  if (!dir) return make();
  const file = path.join(dir, `${name}.json`);
  if (existsSync(file)) {
    const j = JSON.parse(readFileSync(file, 'utf8')) as {
      n: number;
      planes: string;
      facts: PreparedSet['facts'];
      labels?: number[];
      kinds?: string[];
    };
    const buf = Buffer.from(j.planes, 'base64');
    const planes = new Float32Array(buf.length / 4);
    new Uint8Array(planes.buffer).set(buf);
    return Promise.resolve({
      n: j.n,
      planes,
      facts: j.facts,
      ...(j.labels ? { labels: Uint8Array.from(j.labels) } : {}),
      ...(j.kinds ? { kinds: j.kinds } : {}),
    });
  }
  return make().then((s) => {
    mkdirSync(dir, { recursive: true });
    writeFileSync(
      file,
      JSON.stringify({
        n: s.n,
        planes: Buffer.from(s.planes.buffer, s.planes.byteOffset, s.planes.byteLength).toString('base64'),
        facts: s.facts,
        labels: s.labels ? Array.from(s.labels) : undefined,
        kinds: s.kinds,
      }),
    );
    return s;
  });
}

/**
 * Loads and preprocesses everything. `quick` keeps every 8th evaluation digit, every 4th calibration digit, every
 * 10th Fashion item, 250 digits per shift, a third of the training digits, half the synthetic non-digits and 40
 * digits and 20 non-digits per look of each shifted split. `cacheDir` (development only) stores the preprocessed planes.
 */
export async function loadEvalData(opts: {
  quick: boolean;
  cacheDir?: string;
  log: (m: string) => void;
}): Promise<EvalData> {
  const pre = preprocessForCalibration;
  const trainRaw = loadMnistTrain();
  const test = await loadMnistTest();
  const fashionRaw = await loadFashionMnistTest();
  const q = opts.quick ? 'quick-' : '';
  const trainIdx = opts.quick ? every(trainRaw.n, 0, 3) : every(trainRaw.n, 0, 1);
  const calIdx = opts.quick ? every(test.n, 0, 4) : every(test.n, 0, 2);
  const evalIdx = opts.quick ? every(test.n, 1, 8) : every(test.n, 1, 2);
  const fashionIdx = opts.quick ? every(fashionRaw.n, 0, 10) : every(fashionRaw.n, 0, 1);
  const shiftIdx = opts.quick ? every(test.n, 1, 40) : every(test.n, 1, 4);
  const t0 = performance.now();
  const train = await cached(opts.cacheDir, `${q}train`, () => prepareImages(trainRaw, trainIdx, pre));
  const calibration = await cached(opts.cacheDir, `${q}calibration`, () => prepareImages(test, calIdx, pre));
  const evaluation = await cached(opts.cacheDir, `${q}evaluation`, () => prepareImages(test, evalIdx, pre));
  const fashion = await cached(opts.cacheDir, `${q}fashion`, () => prepareImages(fashionRaw, fashionIdx, pre));
  const synthetic = await cached(opts.cacheDir, `${q}synthetic`, () =>
    prepareSynthetic(opts.quick ? 900 : 1800, 20240611, pre, trainRaw),
  );
  const trainUploads = await cached(opts.cacheDir, `${q}train-uploads`, () =>
    prepareUploads(trainRaw, uploadIndices(trainRaw.n, opts.quick ? 100 : UPLOAD_COUNT), UPLOAD_SEED),
  );
  const evalUploads = await cached(opts.cacheDir, `${q}eval-uploads`, () =>
    prepareUploads(
      test,
      evalIdx.filter((_, j) => j % (opts.quick ? 25 : 8) === 0),
      UPLOAD_SEED + 1_000_000,
    ),
  );
  const shifts = {} as Record<ShiftName, PreparedSet>;
  for (const s of SHIFTS) {
    const raw = shiftSet(test, shiftIdx, s);
    shifts[s] = await cached(opts.cacheDir, `${q}shift-${s}`, () => prepareImages(raw, every(raw.n, 0, 1), pre));
  }
  // Quick runs draw 4 digits per (look, digit) pair... of the first fonts only; full runs every (font, digit) pair.
  const small = { digitsPerLook: 40, nearOodPerLook: 10, farOodPerLook: 10 };
  const shiftedFit = await loadShifted(opts.quick ? { ...SHIFTED_FIT, ...small } : SHIFTED_FIT, opts.log);
  const shiftedEval = await loadShifted(opts.quick ? { ...SHIFTED_EVAL, ...small } : SHIFTED_EVAL, opts.log);
  const total =
    train.n +
    calibration.n +
    evaluation.n +
    fashion.n +
    synthetic.n +
    trainUploads.n +
    evalUploads.n +
    SHIFTS.length * shiftIdx.length +
    shiftedFit.digits.n +
    shiftedFit.nonDigits.n +
    shiftedEval.digits.n +
    shiftedEval.nonDigits.n;
  opts.log(`preprocessed ${total} images in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  return {
    train,
    calibration,
    evaluation,
    fashion,
    synthetic,
    trainUploads,
    evalUploads,
    shifts,
    shiftedFit,
    shiftedEval,
    indices: { calibration: calIdx, evaluation: evalIdx, fashion: fashionIdx },
  };
}
