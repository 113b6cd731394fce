/**
 * An error answer of the API (`{error: {code, message}}`) or a failure to reach it (`code` NETWORK, status 0).
 * `jobId` is set when the error concerns a job that exists (a predict that timed out or failed).
 */
export class MnistApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: Record<string, unknown> | undefined = undefined,
    readonly jobId: string | undefined = undefined,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'MnistApiError';
  }
}

/** Builds the error of a non-2xx answer from its parsed body (or text when it was not JSON). */
export function apiError(status: number, body: unknown, fallbackText: string): MnistApiError {
  const err = (body as { error?: { code?: unknown; message?: unknown; details?: unknown } } | null)?.error;
  const code = typeof err?.code === 'string' ? err.code : `HTTP_${status}`;
  const message = typeof err?.message === 'string' ? err.message : fallbackText.slice(0, 200) || `HTTP ${status}`;
  const details =
    err?.details && typeof err.details === 'object' ? (err.details as Record<string, unknown>) : undefined;
  const jobId =
    typeof details?.['jobId'] === 'string'
      ? details['jobId']
      : typeof (body as { id?: unknown } | null)?.id === 'string'
        ? ((body as { id: string }).id as string)
        : undefined;
  return new MnistApiError(status, code, message, details, jobId);
}
