// Load: an open model (constant arrival rate), so a slow server cannot slow the load down and hide its latency
// (no coordinated omission): 100 predictions per second for DURATION, whatever the response times.
//   k6 run k6/load.js                       # 100 req/s for 2 min, p95 < 30 ms, p99 < 50 ms, errors < 1 %
//   k6 run -e RATE=200 -e DURATION=5m k6/load.js
import { num, predict } from './lib.js';

const RATE = num('RATE', 100);

export const options = {
  scenarios: {
    constant: {
      executor: 'constant-arrival-rate',
      rate: RATE,
      timeUnit: '1s',
      duration: __ENV.DURATION || '2m',
      // Enough users that an iteration is never skipped for lack of one at the target latency; raise MAX_VUS if
      // k6 reports dropped_iterations (then the server, not k6, is the bottleneck).
      preAllocatedVUs: num('VUS', 50),
      maxVUs: num('MAX_VUS', 400),
    },
  },
  thresholds: {
    'http_req_duration{name:predict}': [`p(95)<${num('P95_MS', 30)}`, `p(99)<${num('P99_MS', 50)}`],
    http_req_failed: ['rate<0.01'],
    checks: ['rate>0.99'],
    // Iterations k6 could not start on time: the target rate was not actually offered.
    dropped_iterations: [`count<${Math.max(1, Math.floor(RATE * 0.01))}`],
  },
};

export default function () {
  predict();
}
