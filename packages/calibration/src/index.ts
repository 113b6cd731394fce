/**
 * `@mserve/calibration`: the one place that finds, loads, verifies and fits the calibration artifact of a model.
 * The worker loads through it, `pnpm start` and the container's calibrate job check through it, and
 * `pnpm calibrate` fits through it; callers branch on the error codes `CALIBRATION_MISSING` and
 * `CALIBRATION_MISMATCH`, never on messages.
 */
export { calibrateCommand, calibrationPath, isCalibrationError, loadCalibration, saveCalibration } from './store';
export type { CalibratedModel, CalibrationErrorCode, LoadCalibrationOptions } from './store';
export { checkCalibration, ensureCalibration } from './check';
export type { CalibrationStatus } from './check';
export { fitModelCalibration } from './fit-model';
export { loadShifted, SHIFTED_EVAL, SHIFTED_FIT } from './shifted';
export type { ShiftedSet } from './shifted';
export {
  calibrationSources,
  defaultCalibrationDir,
  digitUpload,
  loadModel,
  prepareUploads,
  preprocessForCalibration,
  resolveModelDir,
} from './sources';
