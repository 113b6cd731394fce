import type { JobSnapshot } from './pipeline/job-snapshot';
import { jobLinks, renderAccepted, renderJob, renderPrediction } from './views';

const id = '0e7f1c1a-5b7e-4c1d-9f00-2a3b4c5d6e7f';
const queued: JobSnapshot = { id, status: 'queued', data: { requestId: 'r', submittedAt: 0 } };

describe('job views', () => {
  it('link the long-poll with the longest wait the gateway accepts', () => {
    expect(jobLinks(id, 12)).toEqual({ self: `/v1/jobs/${id}`, wait: `/v1/jobs/${id}?wait=12` });
    expect(renderJob(queued, null, 5)['links']).toEqual(jobLinks(id, 5));
    expect(renderAccepted(id, 'r', 5)).toMatchObject({
      status: 202,
      location: `/v1/jobs/${id}`,
      body: { links: jobLinks(id, 5) },
    });
  });

  it('link the job itself when long-polls are switched off (MAX_WAIT_S 0)', () => {
    expect(jobLinks(id, 0).wait).toBe(`/v1/jobs/${id}`);
  });

  it('answer a prediction that did not end in time with 504 TIMEOUT naming the job and its long-poll', () => {
    expect(renderPrediction(queued, 400, 7)).toEqual({
      status: 504,
      location: `/v1/jobs/${id}`,
      body: {
        error: {
          code: 'TIMEOUT',
          message: `job ${id} did not finish within 400 ms; poll /v1/jobs/${id}?wait=7`,
          details: { jobId: id, status: 'queued', links: jobLinks(id, 7) },
        },
      },
    });
  });

  it("answer a failed prediction with its error code's status and the links to read the job back", () => {
    const failed: JobSnapshot = {
      ...queued,
      status: 'failed',
      error: { code: 'IMAGE_UNDECODABLE', message: 'broken' },
    };
    expect(renderPrediction(failed, 400, 7)).toEqual({
      status: 422,
      body: { error: { code: 'IMAGE_UNDECODABLE', message: 'broken', details: { jobId: id, links: jobLinks(id, 7) } } },
    });
  });
});
