/**
 * Every failure the service reports carries a stable machine-readable `code`; the HTTP status is derived from
 * that code through one table so that gateway, worker and notifier can never disagree on it.
 */
export const ERROR_STATUS = {
  BAD_REQUEST: 400,
  VALIDATION_FAILED: 400,
  UNAUTHORIZED: 401,
  AUTH_MISSING: 401,
  AUTH_INVALID: 401,
  AUTH_SCOPE: 403,
  NOT_FOUND: 404,
  MODEL_NOT_FOUND: 404,
  METHOD_NOT_ALLOWED: 405,
  IDEMPOTENCY_KEY_IN_USE: 409,
  JOB_FINISHED: 409,
  CANCEL_UNSUPPORTED: 409,
  CANCELED: 409,
  JOB_NOT_COMPLETED: 409,
  FEEDBACK_CONFLICT: 409,
  PAYLOAD_TOO_LARGE: 413,
  IMAGE_TOO_LARGE: 413,
  IMAGE_TOO_MANY_PIXELS: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  IMAGE_UNSUPPORTED_TYPE: 415,
  IMAGE_UNDECODABLE: 422,
  IMAGE_EMPTY: 422,
  IMAGE_BLANK: 422,
  IMAGE_TOO_SMALL: 422,
  WEBHOOK_URL_REFUSED: 422,
  IDEMPOTENCY_KEY_REUSED: 422,
  EXPIRED: 410,
  QUEUE_FULL: 429,
  RATE_LIMITED: 429,
  TENANT_QUOTA: 429,
  INTERNAL: 500,
  MODEL_LOAD_FAILED: 500,
  CALIBRATION_MISMATCH: 500,
  CALIBRATION_MISSING: 500,
  INFERENCE_FAILED: 500,
  REDIS_UNAVAILABLE: 503,
  NOT_READY: 503,
  MODEL_UNAVAILABLE: 503,
  HEADERS_TOO_LARGE: 431,
  TIMEOUT: 504,
  CONFIG_INVALID: 500,
  ASSETS_MISSING: 500,
} as const;

/** A stable error code; the key set of {@link ERROR_STATUS}. */
export type ErrorCode = keyof typeof ERROR_STATUS;

/** The one error type of the project: a stable code, a human message, and optional structured details. */
export class AppError extends Error {
  readonly code: ErrorCode;
  readonly details: Record<string, unknown> | undefined;

  constructor(code: ErrorCode, message: string, details?: Record<string, unknown>, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'AppError';
    this.code = code;
    this.details = details;
  }

  /** HTTP status for this error, from the single code table. */
  get status(): number {
    return ERROR_STATUS[this.code];
  }

  /** The wire shape `{error: {code, message}}` used by every HTTP response and failed job. */
  toBody(): ErrorBody {
    return { error: { code: this.code, message: this.message, ...(this.details ? { details: this.details } : {}) } };
  }
}

/**
 * Wire shape of every error response. The contract is `ErrorBodySchema` in `@mserve/contracts` (which depends on this
 * package, so it cannot be imported here); a compile-time test there holds this type equal to it.
 */
export interface ErrorBody {
  error: { code: ErrorCode; message: string; details?: Record<string, unknown> };
}

/** True when `value` is an {@link AppError}. */
export function isAppError(value: unknown): value is AppError {
  return value instanceof AppError;
}

/** HTTP status for a code; unknown codes are internal errors. */
export function statusForCode(code: string): number {
  return (ERROR_STATUS as Record<string, number>)[code] ?? 500;
}

/**
 * Converts anything thrown into an {@link AppError}; unknown errors become `INTERNAL` without leaking their
 * message to clients (the original stays available as `cause` for logs).
 */
export function toAppError(err: unknown): AppError {
  if (err instanceof AppError) return err;
  return new AppError('INTERNAL', 'internal error', undefined, { cause: err });
}
