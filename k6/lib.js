// Shared by every k6 script: target URL, the upload, and the request + checks of one prediction.
//   BASE_URL  gateway base URL (default http://127.0.0.1:8080, the compose stack's published port)
//   IMAGE     image file to upload (default the shared sample digit ../../shared/data/images/3.png,
//             resolved relative to this folder like every k6 open())
import http from 'k6/http';
import { check } from 'k6';

export const BASE_URL = (__ENV.BASE_URL || 'http://127.0.0.1:8080').replace(/\/$/, '');
const IMAGE_PATH = __ENV.IMAGE || '../../shared/data/images/3.png';
const IMAGE = open(IMAGE_PATH, 'b');
const IMAGE_NAME = IMAGE_PATH.split('/').pop();
const IMAGE_TYPE = /\.jpe?g$/i.test(IMAGE_NAME) ? 'image/jpeg' : 'image/png';

/** Numeric env override with a default. */
export function num(name, fallback) {
  const v = __ENV[name];
  return v === undefined || v === '' ? fallback : Number(v);
}

/**
 * POST /v1/predict with the image as multipart field `image`; checks a 200 carrying result.prediction.
 * `accept429` counts backpressure (429 + Retry-After) as an expected answer rather than a failure.
 */
export function predict(accept429 = false) {
  const res = http.post(
    `${BASE_URL}/v1/predict`,
    { image: http.file(IMAGE, IMAGE_NAME, IMAGE_TYPE) },
    {
      tags: { name: 'predict' },
      timeout: '30s',
      responseCallback: accept429 ? http.expectedStatuses(200, 429) : http.expectedStatuses(200),
    },
  );
  if (res.status === 429) {
    check(res, { '429 carries Retry-After': (r) => r.headers['Retry-After'] !== undefined });
    return res;
  }
  check(res, {
    'predict 200': (r) => r.status === 200,
    'has result.prediction': (r) => {
      try {
        const body = r.json();
        return body && body.result && body.result.prediction !== undefined;
      } catch (_e) {
        return false;
      }
    },
  });
  return res;
}
