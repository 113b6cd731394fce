import type { Split } from './fonts';

/** A positive integer option, or `fallback` when absent; anything else is an error naming the option. */
export function positiveInt(name: string, raw: string | undefined, fallback: number): number {
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n <= 0) throw new Error(`--${name} must be a positive integer, got "${raw}"`);
  return n;
}

export function parseSplit(raw: string | undefined): Split {
  if (raw === 'fit' || raw === 'eval') return raw;
  throw new Error(`--split must be fit or eval, got "${raw}"`);
}
