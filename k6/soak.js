// Soak: a steady SOAK_RATE (default 50) req/s for SOAK_DURATION (default 30 min) to expose leaks, Redis growth
// (result retention) and slow drifts. Watch the workers' and gateway's RSS (/metrics) and Redis used_memory while
// it runs; latency thresholds are the load test's, errors stricter.
//   k6 run -e SOAK_DURATION=2h k6/soak.js
import { num, predict } from './lib.js';

export const options = {
  scenarios: {
    soak: {
      executor: 'constant-arrival-rate',
      rate: num('SOAK_RATE', 50),
      timeUnit: '1s',
      duration: __ENV.SOAK_DURATION || '30m',
      preAllocatedVUs: 30,
      maxVUs: num('MAX_VUS', 300),
    },
  },
  thresholds: {
    'http_req_duration{name:predict}': [`p(95)<${num('P95_MS', 30)}`, `p(99)<${num('P99_MS', 50)}`],
    http_req_failed: ['rate<0.001'],
    checks: ['rate>0.999'],
  },
};

export default function () {
  predict();
}
