/**
 * Version policy (TF Serving's `model_version_policy`): which versions of each model are served. `all`,
 * `latest:<n>` (the n highest, the default `latest:2` keeps the previous version warm for a rollback), or
 * `specific:<v>,<v>`.
 */
import { AppError } from '@mserve/common';

/** A parsed version policy. */
export type VersionPolicy = { kind: 'all' } | { kind: 'latest'; n: number } | { kind: 'specific'; versions: number[] };

/** Parses `all`, `latest:<n>` or `specific:<v>[,<v>...]`; a 400-style VALIDATION_FAILED otherwise. */
export function parseVersionPolicy(text: string): VersionPolicy {
  const t = text.trim();
  if (t === 'all') return { kind: 'all' };
  const latest = /^latest:([1-9][0-9]*)$/.exec(t);
  if (latest) return { kind: 'latest', n: Number(latest[1]) };
  const specific = /^specific:([1-9][0-9]*(,[1-9][0-9]*)*)$/.exec(t);
  if (specific) return { kind: 'specific', versions: (specific[1] ?? '').split(',').map(Number) };
  throw new AppError(
    'VALIDATION_FAILED',
    `version policy ${JSON.stringify(text)}: use all, latest:<n> or specific:<v>,<v>`,
  );
}

/** The versions a policy serves out of `available` (any order in, ascending out). */
export function applyVersionPolicy(available: number[], policy: VersionPolicy): number[] {
  const sorted = [...new Set(available)].sort((a, b) => a - b);
  if (policy.kind === 'all') return sorted;
  if (policy.kind === 'latest') return sorted.slice(Math.max(0, sorted.length - policy.n));
  return sorted.filter((v) => policy.versions.includes(v));
}
