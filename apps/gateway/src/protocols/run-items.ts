/**
 * What the inference protocols share: run N inputs (tensors or encoded images) on one model version as N
 * synchronous predictions through the version's jobs service, so they take the same queue, grouping into batch
 * jobs, backpressure and deadlines as `POST /v1/predict`. All answer, or the first failure is thrown.
 */
import { randomUUID } from 'node:crypto';
import { AppError, type ErrorCode, ERROR_STATUS } from '@mserve/common';
import type { InferenceResult } from '@mserve/contracts';
import type { ModelRoute } from '../models/registry';
import type { JobSnapshot } from '../pipeline/job-snapshot';
import type { JobsService } from '../pipeline/service';
import type { Submission } from '../pipeline/submit';
import { prepareTensor } from './tensor-input';

/** One input of a protocol request. */
export type ProtocolInput = { kind: 'tensor'; tensor: Float32Array } | { kind: 'image'; bytes: Buffer };

/** The inference parameters a protocol request may carry. */
export interface ProtocolParams {
  samples?: unknown;
  alpha?: unknown;
}

const isCode = (c: string): c is ErrorCode => c in ERROR_STATUS;

/** Runs every input; resolves with one result per input, in order. */
export async function runItems(
  service: JobsService,
  route: ModelRoute,
  inputs: ProtocolInput[],
  params: ProtocolParams,
  signal?: AbortSignal,
  /** Sees each prediction (shadow mode), when the request left the version to routing. */
  shadow?: (sub: Submission, requestId: string, answer: Promise<JobSnapshot>) => void,
): Promise<InferenceResult[]> {
  if (inputs.length === 0) throw new AppError('VALIDATION_FAILED', 'no input to run');
  const fields: Record<string, unknown> = {};
  if (params.samples !== undefined) fields['samples'] = params.samples;
  if (params.alpha !== undefined) fields['alpha'] = params.alpha;
  const requestId = randomUUID();
  return Promise.all(
    inputs.map(async (input) => {
      const sub: Submission =
        input.kind === 'image'
          ? { image: input.bytes, fields }
          : { image: Buffer.alloc(0), fields, prepared: await prepareTensor(input.tensor, route.inputShape) };
      const answer = service.predict(sub, requestId, signal);
      shadow?.(sub, requestId, answer);
      const snap = await answer;
      if (snap.status === 'completed' && snap.result) return snap.result;
      if (snap.error) {
        const code = isCode(snap.error.code) ? snap.error.code : 'INTERNAL';
        throw new AppError(code, snap.error.message, { jobId: snap.id });
      }
      throw new AppError('TIMEOUT', `job ${snap.id} did not finish in time; poll /v1/jobs/${snap.id}`, {
        jobId: snap.id,
      });
    }),
  );
}
