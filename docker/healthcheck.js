// Container HEALTHCHECK: exits 0 when HEALTHCHECK_URL answers 2xx within the timeout, 1 otherwise. Plain Node
// because the slim base image has no curl or wget, and one script serves every process image (each sets its URL).
const http = require('node:http');

const url = process.env.HEALTHCHECK_URL || 'http://127.0.0.1:8080/healthz';
const req = http.get(url, { timeout: 2500 }, (res) => {
  res.resume();
  process.exit(res.statusCode >= 200 && res.statusCode < 300 ? 0 : 1);
});
req.on('timeout', () => req.destroy(new Error('timeout')));
req.on('error', () => process.exit(1));
