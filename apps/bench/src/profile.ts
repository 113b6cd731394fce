import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

/** Self time of one function in a V8 CPU profile. */
export interface HotFunction {
  fn: string;
  where: string;
  selfMs: number;
  share: number;
}

interface CpuProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}
interface CpuProfile {
  nodes: CpuProfileNode[];
  startTime: number;
  endTime: number;
  samples?: number[];
}

/**
 * Summarises a `.cpuprofile` (from `node --cpu-prof`) into the functions with the most self time, grouped by
 * function and file, so a report can say where a process spends its CPU without opening DevTools.
 */
export function hotFunctions(profile: CpuProfile, top = 12): HotFunction[] {
  const totalSamples = profile.samples?.length ?? profile.nodes.reduce((a, n) => a + (n.hitCount ?? 0), 0);
  const msPerSample = totalSamples > 0 ? (profile.endTime - profile.startTime) / 1000 / totalSamples : 0;
  const byKey = new Map<string, { fn: string; where: string; hits: number }>();
  for (const n of profile.nodes) {
    const hits = n.hitCount ?? 0;
    if (hits === 0) continue;
    const fn = n.callFrame.functionName || '(anonymous)';
    const file = n.callFrame.url ? path.basename(n.callFrame.url.replace(/^file:\/\//, '')) : '(native)';
    const pkg = /node_modules\/(?:\.pnpm\/)?(@[^/]+\/[^/@]+|[^/@]+)/.exec(n.callFrame.url)?.[1];
    const where = pkg ? `${pkg}:${file}` : file;
    const key = `${fn}@${where}`;
    const row = byKey.get(key) ?? { fn, where, hits: 0 };
    row.hits += hits;
    byKey.set(key, row);
  }
  return [...byKey.values()]
    .sort((a, b) => b.hits - a.hits)
    .slice(0, top)
    .map((r) => ({
      fn: r.fn,
      where: r.where,
      selfMs: r.hits * msPerSample,
      share: totalSamples ? r.hits / totalSamples : 0,
    }));
}

function busyShare(hot: HotFunction[]): number {
  return 1 - (hot.find((h) => h.fn === '(idle)')?.share ?? 0);
}

/**
 * Summarises every `.cpuprofile` in `dir`, keyed by the role of the process that wrote it (V8 names the files
 * `CPU.<date>.<time>.<pid>.<tid>.<seq>.cpuprofile`), or by file name when the PID is unknown.
 */
export function summariseProfileDir(
  dir: string,
  roles: Map<number, string> = new Map(),
  top = 12,
): Record<string, HotFunction[]> {
  const out: Record<string, HotFunction[]> = {};
  let files: string[] = [];
  try {
    files = readdirSync(dir).filter((f) => f.endsWith('.cpuprofile'));
  } catch {
    return out;
  }
  for (const f of files) {
    const profile = JSON.parse(readFileSync(path.join(dir, f), 'utf8')) as CpuProfile;
    const pid = Number(f.split('.')[3]);
    const key = roles.get(pid) ?? f;
    // Node writes one profile per thread (tsx's loader hooks run on their own, mostly idle, thread): keep the
    // busiest thread of each process, which is the one serving requests.
    const hot = hotFunctions(profile, top);
    if (!out[key] || busyShare(hot) > busyShare(out[key])) out[key] = hot;
  }
  return out;
}
