import pidusage from 'pidusage';

/** CPU and memory of one process over a measurement window. */
export interface ProcStats {
  name: string;
  pid: number;
  /** Mean CPU over the window, percent of one core. */
  cpuPercentMean: number;
  cpuPercentMax: number;
  rssMbMean: number;
  rssMbMax: number;
  samples: number;
}

/**
 * Samples CPU and RSS of named processes every `intervalMs` until stopped. Per-process numbers are what sizes
 * Kubernetes requests and limits, so they are kept per role rather than summed.
 */
export function sampleProcesses(procs: { name: string; pid: number }[], intervalMs = 500): { stop(): ProcStats[] } {
  const series = new Map<number, { cpu: number[]; rss: number[] }>();
  for (const p of procs) series.set(p.pid, { cpu: [], rss: [] });
  let stopped = false;
  const tick = async (): Promise<void> => {
    if (stopped || procs.length === 0) return;
    try {
      const stats = await pidusage(procs.map((p) => p.pid));
      for (const p of procs) {
        const s = stats[p.pid];
        const row = series.get(p.pid);
        if (s && row) {
          row.cpu.push(s.cpu);
          row.rss.push(s.memory / 1024 / 1024);
        }
      }
    } catch {
      // A process that exited mid-window simply stops contributing samples.
    }
  };
  const timer = setInterval(() => void tick(), intervalMs);
  return {
    stop() {
      stopped = true;
      clearInterval(timer);
      pidusage.clear();
      return procs.map((p) => {
        const row = series.get(p.pid) ?? { cpu: [], rss: [] };
        const mean = (xs: number[]): number => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : Number.NaN);
        return {
          name: p.name,
          pid: p.pid,
          cpuPercentMean: mean(row.cpu),
          cpuPercentMax: row.cpu.length ? Math.max(...row.cpu) : Number.NaN,
          rssMbMean: mean(row.rss),
          rssMbMax: row.rss.length ? Math.max(...row.rss) : Number.NaN,
          samples: row.cpu.length,
        };
      });
    },
  };
}
