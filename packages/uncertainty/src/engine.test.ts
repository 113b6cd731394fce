import { AppError } from '@mserve/common';
import { parseCalibration, serializeCalibration, type CalibrationArtifact } from './artifact';
import { UncertaintyEngine } from './engine';
import { fitCalibration } from './fit/fit';
import { Rng } from './prng';
import type { InputFactsLike, PredictorLike, PredictOutputLike, PreparedSet } from './types';

const K = 10;
const D = 784;

/** Ten blob prototypes; a "digit" of class c is its prototype with pixel noise. */
function prototypes(rng: Rng): Float32Array[] {
  return Array.from({ length: K }, (_, c) => {
    const p = new Float32Array(D);
    const cx = 8 + (c % 4) * 4;
    const cy = 8 + Math.floor(c / 4) * 5;
    for (let y = 0; y < 28; y++)
      for (let x = 0; x < 28; x++) {
        const d = Math.hypot(x - cx - rng.normal(), y - cy);
        p[y * 28 + x] = d < 5 ? 1 : 0;
      }
    return p;
  });
}

function facts(rng: Rng, ink: number): InputFactsLike {
  return {
    inkFraction: ink + 0.01 * rng.normal(),
    lumaEntropy: 1.4 + 0.1 * rng.normal(),
    edgeDensity: 0.3 + 0.02 * rng.normal(),
    borderContrast: 0.9 + 0.02 * rng.normal(),
    bboxFill: 0.4 + 0.03 * rng.normal(),
    strokeWidth: 0.1 + 0.01 * rng.normal(),
    outputInk: ink,
    bboxAspect: 1.2 + 0.1 * rng.normal(),
  };
}

function digits(n: number, rng: Rng, protos: Float32Array[]): PreparedSet {
  const planes = new Float32Array(n * D);
  const labels = new Uint8Array(n);
  const fs: InputFactsLike[] = [];
  for (let i = 0; i < n; i++) {
    const c = i % K;
    labels[i] = c;
    for (let j = 0; j < D; j++)
      planes[i * D + j] = Math.min(1, Math.max(0, (protos[c]?.[j] as number) + 0.35 * rng.normal()));
    fs.push(facts(rng, 0.15));
  }
  return { n, planes, labels, facts: fs };
}

function noise(n: number, rng: Rng): PreparedSet {
  const planes = Float32Array.from({ length: n * D }, () => rng.uniform());
  return {
    n,
    planes,
    facts: Array.from({ length: n }, () => ({ ...facts(rng, 0.5), lumaEntropy: 4.5 })),
    kinds: Array.from({ length: n }, () => 'noise'),
  };
}

/** A linear softmax model whose kernel is the centred prototypes. */
function linearModel(protos: Float32Array[], digest = 'sha256:test'): PredictorLike {
  const kernel = new Float32Array(D * K);
  for (let j = 0; j < D; j++) for (let c = 0; c < K; c++) kernel[j * K + c] = 0.3 * ((protos[c]?.[j] as number) - 0.1);
  const bias = new Float32Array(K);
  return {
    metadata: { name: 'toy', digest, inputShape: [28, 28], classes: K, featureDim: D, dropout: [] },
    lastDense: { kernel, bias, inDim: D, outDim: K, activation: 'softmax' },
    predict(inputs: Float32Array, n: number): Promise<PredictOutputLike> {
      const logits = new Float32Array(n * K);
      const probabilities = new Float32Array(n * K);
      for (let i = 0; i < n; i++) {
        let m = -Infinity;
        for (let c = 0; c < K; c++) {
          let z = 0;
          for (let j = 0; j < D; j++) z += (inputs[i * D + j] as number) * (kernel[j * K + c] as number);
          logits[i * K + c] = z;
          m = Math.max(m, z);
        }
        let s = 0;
        for (let c = 0; c < K; c++) s += Math.exp((logits[i * K + c] as number) - m);
        for (let c = 0; c < K; c++) probabilities[i * K + c] = Math.exp((logits[i * K + c] as number) - m) / s;
      }
      return Promise.resolve({ n, classes: K, featureDim: D, probabilities, logits, features: inputs.slice() });
    },
  };
}

describe('UncertaintyEngine with a fitted artifact', () => {
  const rng = new Rng(5);
  const protos = prototypes(rng);
  const model = linearModel(protos);
  let artifact: CalibrationArtifact;

  beforeAll(async () => {
    artifact = await fitCalibration({
      model,
      train: digits(1000, rng, protos),
      calibration: digits(600, rng, protos),
      synthetic: noise(200, rng),
      pcaDim: 20,
      qdaDim: 10,
    });
  }, 60000);

  async function run(
    set: PreparedSet,
    samples: number,
    alpha = 0.05,
  ): Promise<ReturnType<UncertaintyEngine['assess']>> {
    const engine = UncertaintyEngine.create(artifact, model);
    const out = await model.predict(set.planes, set.n);
    return engine.assess(out, set.planes, set.facts, { samples, alpha });
  }

  it('answers digits with calibrated-range reliability, normalised probabilities and a non-abstaining set', async () => {
    const res = await run(digits(50, rng, protos), 100);
    for (const a of res) {
      expect(a.uncertainty.reliability).toBeGreaterThanOrEqual(0);
      expect(a.uncertainty.reliability).toBeLessThanOrEqual(1);
      expect(a.probabilities.reduce((x, y) => x + y, 0)).toBeCloseTo(1, 6);
      expect(a.uncertainty.samples).toBe(100);
    }
    expect(res.filter((a) => a.uncertainty.abstained).length).toBeLessThan(5);
    expect(res.filter((a) => a.uncertainty.predictionSet.length > 0).length).toBeGreaterThan(40);
  });

  it('flags noise as out of distribution, abstains with an empty set and marks it unreliable', async () => {
    const res = await run(noise(20, rng), 10);
    for (const a of res) {
      expect(a.uncertainty.outOfDistribution.flag).toBe(true);
      expect(a.uncertainty.abstained).toBe(true);
      expect(a.uncertainty.predictionSet).toEqual([]);
      expect(a.uncertainty.reliable).toBe(false);
    }
  });

  it('gives identical results for identical inputs, alone or in another batch', async () => {
    const set = digits(6, rng, protos);
    const a = await run(set, 50);
    const twice: PreparedSet = {
      n: 12,
      planes: new Float32Array([...set.planes, ...set.planes]),
      facts: [...set.facts, ...set.facts],
    };
    const b = await run(twice, 50);
    expect(b.slice(0, 6)).toEqual(a);
    expect(b.slice(6)).toEqual(a);
  });

  it('refuses sample counts outside 1..1000 and alphas outside (0,1)', async () => {
    await expect(run(digits(2, rng, protos), 0)).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
    await expect(run(digits(2, rng, protos), 1001)).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
    await expect(run(digits(2, rng, protos), 10, 1)).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
  });

  it('round-trips through the artifact JSON exactly', () => {
    const text = serializeCalibration(artifact);
    expect(serializeCalibration(parseCalibration(text))).toBe(text);
  });

  it('refuses, as CALIBRATION_MISMATCH, an artifact of another digest, format version or feature set', () => {
    const codeOf = (a: CalibrationArtifact, m: PredictorLike): string => {
      try {
        UncertaintyEngine.create(a, m);
        return 'accepted';
      } catch (e) {
        return e instanceof AppError ? `${e.code}: ${e.message}` : String(e);
      }
    };
    const old = { ...artifact, version: 1 };
    const features = parseCalibration(serializeCalibration(artifact));
    features.reliability.answer.features = features.reliability.answer.features.slice(1);
    expect(codeOf(artifact, linearModel(protos, 'sha256:other'))).toMatch(
      /^CALIBRATION_MISMATCH: .*fitted for model digest sha256:test.*pnpm calibrate -- --model toy/,
    );
    expect(codeOf(old, model)).toMatch(/^CALIBRATION_MISMATCH: .*this build reads mserve-calibration v2/);
    expect(codeOf(features, model)).toMatch(/^CALIBRATION_MISMATCH: .*other reliability features/);
    expect(codeOf(artifact, model)).toBe('accepted');
  });
});
