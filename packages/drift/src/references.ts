/**
 * The reference of in-distribution traffic for each model digest: what the service answers on the calibration
 * digits (MNIST test, even indices). Written by `pnpm drift:eval` (REPORTS=1) from the model and its calibration.
 */
import type { DriftReference } from './stats';
import { REFERENCE_DATA } from './reference-data';

/** Every known reference, by model digest. */
export const REFERENCES: Readonly<Record<string, DriftReference>> = REFERENCE_DATA;

/** The reference of model `digest`, if one was computed. */
export function referenceFor(digest: string): DriftReference | undefined {
  return REFERENCES[digest];
}
