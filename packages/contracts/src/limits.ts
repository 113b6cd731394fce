/**
 * Bounds of the per-request Monte Carlo sample count: the one definition the gateway's parameter check, the
 * worker's payload check, the uncertainty engine and the OpenAPI document all use.
 */
export const SAMPLES_MIN = 1;
export const SAMPLES_MAX = 1000;

/** Miscoverage level of the conformal prediction set when the client does not choose one. */
export const DEFAULT_ALPHA = 0.05;
