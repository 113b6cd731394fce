/**
 * Shape stage: a logistic discriminant of digits against non-digits on the leading principal components of the
 * grey input. The distances of the density say how unlike every digit class an input is; they cannot say that a
 * letter drawn like a font's digits is a letter. Non-digits in the same looks as the digits (letters, symbols,
 * arrows, textures, scenes) teach that directly. Its logit feeds the digit gate, which is fitted on the same rows,
 * so the gate sees out-of-fold logits: an in-sample logit would look more certain than it is on new fonts.
 */
import { shapeFeatureNames, type Measurement } from '../signals';
import { fitLogistic, logisticLogit, type LogisticModel } from '../stats';

const FOLDS = 5;

/** Fits the discriminant on digit sets `pos` against non-digit sets `neg` (each set with equal total weight). */
export function fitShapeStage(args: { pos: Measurement[][]; neg: Measurement[][] }): {
  shape: LogisticModel;
  /** Out-of-fold logits, per set in the order `[...pos, ...neg]`. */
  oof: number[][];
} {
  const sets = [...args.pos, ...args.neg];
  const rows = sets.flat();
  const dim = rows[0]?.density.pcs.length ?? 0;
  const names = shapeFeatureNames(dim);
  const y = sets.flatMap((s, j) => s.map(() => (j < args.pos.length ? 1 : 0)));
  const nPos = args.pos.reduce((a, s) => a + s.length, 0);
  const weights = sets.flatMap((s, j) => {
    const groups = j < args.pos.length ? args.pos : args.neg;
    const present = groups.filter((g) => g.length > 0).length;
    return s.map(() => nPos / present / s.length);
  });
  const X = rows.map((m) => Array.from(m.density.pcs));
  const fit = (idx: number[]): LogisticModel =>
    fitLogistic(
      names,
      idx.map((i) => X[i] as number[]),
      idx.map((i) => y[i] as number),
      { l2: 1, weights: idx.map((i) => weights[i] as number) },
    );
  const oofFlat = new Array<number>(rows.length).fill(0);
  for (let f = 0; f < FOLDS; f++) {
    const m = fit(rows.map((_, i) => i).filter((i) => i % FOLDS !== f));
    for (let i = f; i < rows.length; i += FOLDS) oofFlat[i] = logisticLogit(m, X[i] as number[]);
  }
  const oof: number[][] = [];
  let at = 0;
  for (const s of sets) {
    oof.push(oofFlat.slice(at, at + s.length));
    at += s.length;
  }
  return { shape: fit(rows.map((_, i) => i)), oof };
}
