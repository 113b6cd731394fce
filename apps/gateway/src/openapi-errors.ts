import { ERROR_STATUS, type ErrorCode } from '@mserve/common';

/** The codes common's code -> status table maps to `status`, in table order. */
export function codesFor(status: number): ErrorCode[] {
  return (Object.keys(ERROR_STATUS) as ErrorCode[]).filter((code) => ERROR_STATUS[code] === status);
}

/**
 * The error body with its `code` narrowed to the codes of `status`: derived from the table, so the document lists
 * every code a status can carry and the ajv check of live responses refuses a code answered with the wrong status.
 */
export function errorSchema(status: number) {
  const codes = codesFor(status);
  if (codes.length === 0) throw new Error(`no error code has status ${status}`);
  return {
    allOf: [
      { $ref: '#/components/schemas/ErrorBody' },
      { properties: { error: { properties: { code: { enum: codes } } } } },
    ],
  };
}

/** An error response of `status`; its description ends with the codes it can carry. */
export function error(status: number, description: string, headers?: object) {
  return {
    description: `${description} (${codesFor(status).join(', ')})`,
    ...(headers ? { headers } : {}),
    content: { 'application/json': { schema: errorSchema(status) } },
  };
}

/** The header of answers a client should retry later. */
export const retryAfter = {
  'Retry-After': { description: 'seconds to wait before retrying', schema: { type: 'integer' } },
};

/** Any route may refuse oversized request headers before it runs. */
export const headersTooLarge = error(431, 'request headers larger than the server accepts');
