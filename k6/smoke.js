// Smoke: one user, a few predictions and every read endpoint; fails on any error. Run first, on every deploy.
//   k6 run k6/smoke.js
import http from 'k6/http';
import { check } from 'k6';
import { BASE_URL, predict } from './lib.js';

export const options = {
  vus: 1,
  iterations: 10,
  thresholds: {
    checks: ['rate==1'],
    http_req_failed: ['rate==0'],
    'http_req_duration{name:predict}': ['p(95)<1000'],
  },
};

export function setup() {
  for (const path of ['/healthz', '/readyz', '/v1/models']) {
    const res = http.get(`${BASE_URL}${path}`, { tags: { name: path } });
    check(res, { [`${path} 200`]: (r) => r.status === 200 });
  }
}

export default function () {
  predict();
}
