import type { JobSnapshot } from './store';

/** Links every job representation carries. */
export function jobLinks(id: string) {
  return { self: `/v1/jobs/${id}`, wait: `/v1/jobs/${id}?wait=30` };
}

/** The body of `GET /v1/jobs/:id`: the result contract when completed, the error when failed, else the status. */
export function renderJob(snap: JobSnapshot, webhook: Record<string, unknown> | null): Record<string, unknown> {
  const common = {
    requestId: snap.data.requestId,
    submittedAt: new Date(snap.data.submittedAt).toISOString(),
    ...(snap.finishedAt ? { finishedAt: new Date(snap.finishedAt).toISOString() } : {}),
    links: jobLinks(snap.id),
    ...(webhook ? { webhook } : {}),
  };
  if (snap.status === 'completed' && snap.result)
    return { ...snap.result, id: snap.id, status: 'completed', ...common };
  if (snap.status === 'failed') return { id: snap.id, status: 'failed', error: snap.error, ...common };
  return { id: snap.id, status: snap.status, ...common };
}
