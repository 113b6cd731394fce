/** Job states that mean the stack still has work from an earlier step. */
const BUSY_STATES = ['wait', 'prioritized', 'active', 'delayed'];

/**
 * Jobs not yet finished, and requests still waiting on one, in a gateway's Prometheus text (`queue_jobs` by state
 * and `gateway_long_polls`); NaN when the text has neither (not a gateway of this service).
 */
export function pendingWork(metricsText: string): number {
  let sum = 0;
  let seen = false;
  for (const line of metricsText.split('\n')) {
    const m = /^(queue_jobs|gateway_long_polls)(?:\{state="([a-z]+)"\})? ([0-9.e+-]+)$/.exec(line.trim());
    if (!m) continue;
    seen = true;
    if (m[1] === 'gateway_long_polls' || BUSY_STATES.includes(m[2] ?? '')) sum += Number(m[3]);
  }
  return seen ? sum : Number.NaN;
}

/**
 * Waits until the gateway at `baseUrl` has no queued or running job and no waiting request, then `quietMs` more,
 * so a step starts from an idle stack instead of paying for the backlog of the step before it (a saturating
 * closed loop leaves up to one job per connection behind). `busy` after `timeoutMs`; `unknown` at once when the
 * gateway shows no such metrics (one that asks for a key to read them, say), as there is nothing to wait for.
 */
export async function waitUntilIdle(
  baseUrl: string,
  opts: { quietMs?: number; timeoutMs?: number; pollMs?: number } = {},
): Promise<{ state: 'idle' | 'busy' | 'unknown'; waitedMs: number }> {
  const { quietMs = 1000, timeoutMs = 30_000, pollMs = 100 } = opts;
  const started = Date.now();
  const waited = () => Date.now() - started;
  while (waited() < timeoutMs) {
    const text = await fetch(`${baseUrl}/metrics`)
      .then((r) => (r.ok ? r.text() : ''))
      .catch(() => '');
    const pending = pendingWork(text);
    if (Number.isNaN(pending)) return { state: 'unknown', waitedMs: waited() };
    if (pending === 0) {
      await new Promise((r) => setTimeout(r, quietMs));
      return { state: 'idle', waitedMs: waited() };
    }
    await new Promise((r) => setTimeout(r, pollMs));
  }
  return { state: 'busy', waitedMs: waited() };
}
