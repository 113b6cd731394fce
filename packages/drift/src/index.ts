/**
 * `@mserve/drift`: watching the inputs and answers of the service for drift without labels. Pure statistics over
 * summed counts (`counts`, `stats`, `windows`), the reference of in-distribution traffic per model (`references`),
 * and the Redis buckets every worker and gateway share (`store`).
 */
export {
  CLASSES,
  WATCHED_FACTS,
  addFeedback,
  addObservation,
  countsFromFields,
  countsToFields,
  emptyCounts,
  mergeCounts,
} from './counts';
export type { DriftCounts, FeedbackObservation, Observation, WatchedFact } from './counts';
export { DEFAULT_ALARM_RULE, buildReference, chiSquareToZ, driftStats } from './stats';
export type { AlarmRule, DriftReference, DriftStats } from './stats';
export { CountWindow, TIME_WINDOWS, minuteOf, sumBuckets, windowMinutes } from './windows';
export type { TimeWindowName } from './windows';
export { DriftRecorder, addToBucket, bucketKey, readWindows } from './store';
export type { DriftPipeline, DriftRedis } from './store';
export { REFERENCES, referenceFor } from './references';
