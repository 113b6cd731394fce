import { EXAMPLE_RESULT, encodeTensor } from '@mserve/contracts';
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

  it('show the preprocessed input of a completed job only when asked (include=input)', () => {
    const tensor = new Float32Array(28 * 28);
    tensor[28 * 14 + 14] = 1;
    const done: JobSnapshot = {
      id,
      status: 'completed',
      data: { requestId: 'r', submittedAt: 0, input: encodeTensor(tensor, [28, 28, 1]) },
      result: { ...EXAMPLE_RESULT, id },
    };
    expect(renderJob(done, null, 5)).not.toHaveProperty('input');
    const body = renderPrediction(done, 400, 7, { input: true }).body;
    expect(body['input']).toMatchObject({ width: 28, height: 28, encoding: 'grey8' });
    const grey = Buffer.from((body['input'] as { data: string }).data, 'base64');
    expect(grey.length).toBe(784);
    expect(grey[28 * 14 + 14]).toBe(255);
    expect(grey.reduce((a, b) => a + b, 0)).toBe(255);
  });
});
