/** OOD stage: the references of the two score parts and the threshold that calibration digits pass. */
import type { CalibrationArtifact } from '../artifact';
import { oodScoreOf, type Measurement } from '../signals';
import { sortedQuantileHigher } from '../stats';

function quantile(v: number[], q: number): number {
  return sortedQuantileHigher(
    [...v].sort((a, b) => a - b),
    q,
  );
}

/**
 * References and threshold of the OOD score: the pixel part is divided by the value that `passRate` of the
 * calibration digits stay under, the facts part by the value that `passRate` of calibration digits and digit
 * uploads stay under, and the threshold is that quantile of the combined score over both.
 */
export function fitOodStage(args: {
  calibration: Measurement[];
  uploads: Measurement[];
  passRate: number;
  maxColourfulness: number;
  /** Colourfulness of realistic digit uploads (coloured pens, chalk on green boards): the cap passes `passRate` of them. */
  digitColourfulness?: number[];
}): CalibrationArtifact['ood'] {
  const { calibration, uploads, passRate } = args;
  const pixelRef = quantile(
    calibration.map((m) => m.pixelScore),
    passRate,
  );
  const fs = [...calibration, ...uploads].flatMap((m) => (m.factsScore === undefined ? [] : [m.factsScore]));
  const factsRef = fs.length > 0 ? quantile(fs, passRate) : 1;
  const refs = { pixelRef, factsRef };
  const threshold = quantile(
    [...calibration, ...uploads].map((m) => oodScoreOf(m, refs)),
    passRate,
  );
  const colours = args.digitColourfulness ?? [];
  const maxColourfulness = Math.max(args.maxColourfulness, colours.length > 0 ? quantile(colours, passRate) : 0);
  return { pixelRef, factsRef, threshold, passRate, maxColourfulness };
}
