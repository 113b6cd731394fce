import type { InferenceJobData } from '@mserve/contracts';
import { fairPriority } from '@mserve/tenancy';

/**
 * Where each class goes in BullMQ, which takes every job of its wait list before any job of its prioritized set:
 * normal jobs go to the wait list as always (FIFO); high jobs to the head of it (`lifo`), so they are taken before
 * any waiting normal job (among themselves newest first); low jobs into the prioritized set, taken only when the
 * wait list is empty. A high job therefore never queues behind a normal or low backlog.
 */
export function priorityOf(data: InferenceJobData, rank?: number): { priority?: number; lifo?: boolean } {
  if (data.priority === 'high') return { lifo: true };
  // With tenants (a rank), normal and low jobs are ordered by their rank in their tenant: fair share (see
  // @mserve/tenancy's fair-share.ts); low stays behind every normal job.
  if (rank !== undefined) return { priority: fairPriority(rank, data.priority === 'low') };
  if (data.priority === 'low') return { priority: 1 };
  return {};
}
