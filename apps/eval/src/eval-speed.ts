/** Cost of the fast MC path against one deterministic pass, and its agreement with brute-force sampling. */
import type { LoadedModel } from '@mserve/model-runtime';
import { UncertaintyEngine, type CalibrationArtifact } from '@mserve/uncertainty';
import {
  bruteForceInjected,
  DropoutCovariance,
  expandPlanes,
  fastMcDropout,
  fastMcScratch,
  hashFloat32,
  Rng,
  type PreparedSet,
} from '@mserve/uncertainty/fit';
import { mean } from './eval-metrics';
import { nativeMcDropout } from './eval-run';

function median(v: number[]): number {
  const s = [...v].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] as number;
}

async function timeIt(fn: () => unknown, reps: number): Promise<number> {
  const t: number[] = [];
  for (let r = 0; r < reps; r++) {
    const t0 = performance.now();
    await fn();
    t.push(performance.now() - t0);
  }
  return median(t);
}

/** Timings at one batch size, ms (medians). */
export interface SpeedReport {
  model: string;
  batch: number;
  samples: number;
  predictMs: number;
  /** The fast MC path alone: moments + T Gaussian draws in logit space, every input of the batch. */
  fastMcMs: number;
  /** Everything `assess` does at T samples (MC, density, facts, reliability, conformal). */
  assessMs: number;
  /** (predict + fast MC) / predict: the cost of MC-dropout answers relative to one deterministic pass. */
  fastMcRatio: number;
  /** (predict + assess) / predict. */
  assessRatio: number;
  /** Brute-force sampling of the same dropout (T Bernoulli masks on the features through the last Dense), ms. */
  bruteForceMs: number;
  /** (predict + brute force) / predict. */
  bruteForceRatio: number;
  /** T full passes (native MC dropout as the reference does it) cost about T x predict. */
  fullPassesRatio: number;
}

/** Measures the fast path at T samples against one deterministic pass of `batch` inputs. */
export async function measureSpeed(
  model: LoadedModel,
  artifact: CalibrationArtifact,
  s: PreparedSet,
  batch = 256,
  T = 100,
  reps = 15,
): Promise<SpeedReport> {
  const n = Math.min(batch, s.n);
  const inputs = expandPlanes(s.planes.subarray(0, n * 784), n, model.metadata.inputShape);
  const engine = UncertaintyEngine.create(artifact, model);
  const cov = new DropoutCovariance(model.lastDense);
  const size = inputs.length / n;
  const k = model.metadata.classes;
  const facts = s.facts.slice(0, n);
  for (let w = 0; w < 3; w++) await model.predict(inputs, n);
  const out = await model.predict(inputs, n);
  const predictMs = await timeIt(() => model.predict(inputs, n), reps);
  const fastMc = (): void => {
    const scratch = fastMcScratch(k);
    for (let i = 0; i < n; i++) {
      const rng = new Rng(hashFloat32(inputs, i * size, size));
      fastMcDropout(cov, out.features, i * out.featureDim, out.logits, i * k, artifact.dropout.rate, T, rng, scratch);
    }
  };
  fastMc();
  const fastMcMs = await timeIt(fastMc, reps);
  engine.assess(out, inputs, facts, { samples: T, alpha: 0.05 });
  const assessMs = await timeIt(() => engine.assess(out, inputs, facts, { samples: T, alpha: 0.05 }), reps);
  const brute = (): void => {
    for (let i = 0; i < n; i++)
      bruteForceInjected(
        model.lastDense,
        out.features,
        i * out.featureDim,
        artifact.dropout.rate,
        T,
        new Rng(hashFloat32(inputs, i * size, size)),
      );
  };
  const bruteForceMs = await timeIt(brute, Math.max(3, Math.floor(reps / 3)));
  return {
    model: model.metadata.name,
    batch: n,
    samples: T,
    predictMs,
    fastMcMs,
    assessMs,
    fastMcRatio: (predictMs + fastMcMs) / predictMs,
    assessRatio: (predictMs + assessMs) / predictMs,
    bruteForceMs,
    bruteForceRatio: (predictMs + bruteForceMs) / predictMs,
    fullPassesRatio: T,
  };
}

/** Mean absolute gaps between fast-path and brute-force entropy / mutual information on real inputs. */
export interface AgreementReport {
  model: string;
  mode: string;
  rate: number;
  n: number;
  fastSamples: number;
  bruteSamples: number;
  meanAbsEntropyGap: number;
  meanAbsMutualInformationGap: number;
  meanMutualInformation: number;
  meanEntropy: number;
}

/** Fast path vs brute force: native passes for a model with its own dropout, Bernoulli masks otherwise. */
export async function measureAgreement(
  model: LoadedModel,
  dropout: { mode: string; rate: number },
  s: PreparedSet,
  n = 200,
  fastT = 2000,
  bruteT = 500,
): Promise<AgreementReport> {
  const sub: PreparedSet = {
    n: Math.min(n, s.n),
    planes: s.planes.subarray(0, Math.min(n, s.n) * 784),
    facts: s.facts.slice(0, n),
  };
  const inputs = expandPlanes(sub.planes, sub.n, model.metadata.inputShape);
  const size = inputs.length / sub.n;
  const k = model.metadata.classes;
  const rate = dropout.rate;
  const cov = new DropoutCovariance(model.lastDense);
  const native = dropout.mode === 'native';
  const brute = native ? await nativeMcDropout(model, sub, bruteT) : undefined;
  const det = brute?.det ?? (await model.predict(inputs, sub.n));
  const gapsH: number[] = [];
  const gapsMi: number[] = [];
  const mis: number[] = [];
  const hs: number[] = [];
  for (let i = 0; i < sub.n; i++) {
    const f = fastMcDropout(
      cov,
      det.features,
      i * det.featureDim,
      det.logits,
      i * k,
      rate,
      fastT,
      new Rng(hashFloat32(inputs, i * size, size)),
    );
    const b = brute
      ? (brute.mc[i] as (typeof brute.mc)[number])
      : bruteForceInjected(model.lastDense, det.features, i * det.featureDim, rate, bruteT, new Rng(i + 1));
    gapsH.push(Math.abs(f.entropy - b.entropy));
    gapsMi.push(Math.abs(f.mutualInformation - b.mutualInformation));
    mis.push(b.mutualInformation);
    hs.push(b.entropy);
  }
  return {
    model: model.metadata.name,
    mode: native ? 'native (predict with dropout on)' : 'injected (Bernoulli masks on the features)',
    rate,
    n: sub.n,
    fastSamples: fastT,
    bruteSamples: bruteT,
    meanAbsEntropyGap: mean(gapsH),
    meanAbsMutualInformationGap: mean(gapsMi),
    meanMutualInformation: mean(mis),
    meanEntropy: mean(hs),
  };
}
