/**
 * The `Prefer` request header (RFC 7240) of `POST /v1/predict`: `respond-async` asks for a 202 with the job at
 * once, `wait=N` for at most N seconds of waiting and then a 202 with the job instead of a 504. Preferences the
 * gateway does not know are ignored, as the RFC asks; a `wait` that is no number of seconds is a 400.
 */
import { AppError } from '@mserve/common';

/** The preferences the gateway honours. */
export interface Preferences {
  respondAsync: boolean;
  /** Seconds, already capped at the longest wait the gateway allows. */
  waitS?: number;
}

/** Parses every `Prefer` header of a request (comma-separated preferences, parameters after `;` ignored). */
export function parsePrefer(raw: string | string[] | undefined, maxWaitS: number): Preferences {
  const prefs: Preferences = { respondAsync: false };
  const values = raw === undefined ? [] : Array.isArray(raw) ? raw : [raw];
  for (const pref of values.flatMap((v) => v.split(','))) {
    const [token = '', value] = (pref.split(';')[0] ?? '').split('=').map((p) => p.trim());
    const name = token.toLowerCase();
    if (name === 'respond-async') prefs.respondAsync = true;
    if (name === 'wait') {
      const text = (value ?? '').replace(/^"(.*)"$/, '$1');
      if (!/^\d+$/.test(text)) {
        throw new AppError('VALIDATION_FAILED', 'Prefer: wait must be a whole number of seconds, e.g. wait=10');
      }
      prefs.waitS = Math.min(Number(text), maxWaitS);
    }
  }
  return prefs;
}

/** The `Preference-Applied` value for what was honoured, or undefined when nothing was. */
export function preferenceApplied(prefs: Preferences): string | undefined {
  const applied = [
    ...(prefs.respondAsync ? ['respond-async'] : []),
    ...(prefs.waitS !== undefined ? [`wait=${prefs.waitS}`] : []),
  ];
  return applied.length > 0 ? applied.join(', ') : undefined;
}
