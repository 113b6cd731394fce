// Spike: from 10 to SPIKE_RATE (default 300) req/s in 10 s, held for 30 s, then back. The queue should absorb the
// burst (latency rises, then recovers); above MAX_QUEUE_DEPTH the gateway sheds with 429 + Retry-After, which is
// the designed behaviour and not counted as a failure. Errors (5xx, timeouts) must stay under 1 %.
//   k6 run k6/spike.js
import { Rate } from 'k6/metrics';
import { num, predict } from './lib.js';

const shed = new Rate('shed_429');
const PEAK = num('SPIKE_RATE', 300);

export const options = {
  scenarios: {
    spike: {
      executor: 'ramping-arrival-rate',
      startRate: 10,
      timeUnit: '1s',
      preAllocatedVUs: 100,
      maxVUs: num('MAX_VUS', 1000),
      stages: [
        { target: 10, duration: '20s' },
        { target: PEAK, duration: '10s' },
        { target: PEAK, duration: '30s' },
        { target: 10, duration: '10s' },
        { target: 10, duration: '40s' },
      ],
    },
  },
  thresholds: {
    http_req_failed: ['rate<0.01'],
    // The queue absorbs the burst: even at the peak, 99 % of answered predictions wait less than P99_MS.
    'http_req_duration{name:predict}': [`p(99)<${num('P99_MS', 5000)}`],
    shed_429: [`rate<${num('MAX_SHED', 0.5)}`],
  },
};

export default function () {
  const res = predict(true);
  shed.add(res.status === 429);
}
