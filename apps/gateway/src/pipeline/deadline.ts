/**
 * Deadlines: when a job not started yet is no longer worth running. A caller sets one per job (the `Cancel-After`
 * header as Replicate has it, or the `deadline` parameter); the operator sets a ceiling for every job
 * (`MAX_QUEUE_TIME_S`). The earlier applies; a worker taking a job past it ends it `expired` without running it.
 */
import { AppError } from '@mserve/common';

/** The longest deadline a caller may ask for (a week): longer is a mistake, not a plan. */
export const DEADLINE_MAX_S = 7 * 86_400;

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/**
 * The `Cancel-After` header as milliseconds: a duration like `30s`, `5m`, `1h30m`, `250ms`, or a bare number of
 * seconds; undefined when absent. Anything else, zero, or over {@link DEADLINE_MAX_S} is a 400.
 */
export function parseCancelAfter(raw: string | string[] | undefined): number | undefined {
  if (raw === undefined) return undefined;
  const text = Array.isArray(raw) ? '' : raw.trim();
  let ms = Number.NaN;
  if (/^\d+(\.\d+)?$/.test(text)) ms = Number(text) * 1000;
  else if (/^(\d+(\.\d+)?(ms|s|m|h))+$/.test(text)) {
    ms = 0;
    for (const [, n, unit] of text.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h)/g))
      ms += Number(n) * (UNIT_MS[unit ?? 's'] ?? 0);
  }
  if (!Number.isFinite(ms) || ms <= 0 || ms > DEADLINE_MAX_S * 1000) {
    throw new AppError(
      'VALIDATION_FAILED',
      `Cancel-After must be a duration such as 30s, 5m or 1h30m (or seconds), above 0 and at most ${DEADLINE_MAX_S} s`,
    );
  }
  return ms;
}

/**
 * The epoch ms after which the job is not run: the earliest of the caller's deadline (`Cancel-After` or
 * `deadline`) and `MAX_QUEUE_TIME_S` after submission (0: no ceiling); undefined when neither applies.
 */
export function deadlineAt(
  submittedAt: number,
  asked: { cancelAfterMs?: number | undefined; deadlineAt?: number | undefined },
  maxQueueTimeS: number,
): number | undefined {
  const candidates = [
    asked.cancelAfterMs !== undefined ? submittedAt + asked.cancelAfterMs : undefined,
    asked.deadlineAt,
    maxQueueTimeS > 0 ? submittedAt + maxQueueTimeS * 1000 : undefined,
  ].filter((t): t is number => t !== undefined);
  return candidates.length > 0 ? Math.min(...candidates) : undefined;
}
