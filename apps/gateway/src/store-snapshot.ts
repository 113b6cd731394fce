import type { BatchJobData, InferenceJobData } from '@mserve/contracts';
import { finishedSnapshot, type FinishedJob, type JobSnapshot } from './pipeline/job-snapshot';
import { parseJson } from './store-scripts';

/**
 * The snapshot of job `id` from its BullMQ hash, or null when the hash is gone or holds no such job. `active` says
 * whether the job is in its queue's active list; `itemIndex` picks one prediction of a batch job (its own result or
 * error). finishedOn and the outcome are written by one Lua script, so the hash alone tells a finished job.
 */
export function snapshotFromHash(
  id: string,
  hash: Record<string, string>,
  active: boolean,
  itemIndex?: number,
): JobSnapshot | null {
  if (!hash['data'] || !hash['timestamp']) return null;
  const stored = parseJson(hash['data']);
  const raw = itemIndex !== undefined ? (stored as Partial<BatchJobData> | null)?.items?.[itemIndex] : stored;
  if (!raw) return null;
  const data = raw as Partial<InferenceJobData>;
  const snap: JobSnapshot = {
    id,
    status: active ? 'active' : 'queued',
    data: {
      requestId: data.requestId ?? '',
      submittedAt: data.submittedAt ?? Number(hash['timestamp']),
      ...(data.webhook ? { webhook: data.webhook } : {}),
      ...(typeof data.deadlineAt === 'number' ? { deadlineAt: data.deadlineAt } : {}),
      ...(typeof data.batch === 'string' ? { batch: data.batch } : {}),
      ...(data.input ? { input: data.input } : {}),
      ...(typeof data.tenant === 'string' ? { tenant: data.tenant } : {}),
    },
  };
  if (!hash['finishedOn']) return snap;
  const rv = hash['returnvalue'];
  const finished: FinishedJob = {
    finishedOn: Number(hash['finishedOn']),
    ...(hash['failedReason'] ? { failedReason: hash['failedReason'] } : {}),
    ...(rv !== undefined ? { returnvalue: parseJson(rv) } : {}),
  };
  return finishedSnapshot(snap, finished, itemIndex);
}
