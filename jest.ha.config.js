/**
 * `pnpm test:ha`: the suites that start Redis topologies of their own (Sentinel failovers, a Redis Cluster,
 * persistence) and the capacity measurements. Slow (minutes), so `pnpm test` leaves them out; CI runs them apart.
 */
const base = require('./jest.config.js');

module.exports = {
  ...base,
  testMatch: ['<rootDir>/apps/*/test/ha/**/*.test.ts'],
  testPathIgnorePatterns: ['/node_modules/', '/dist/'],
  testTimeout: 300000,
  // One suite at a time: each one measures failovers or throughput and needs the machine to itself.
  maxWorkers: 1,
  // Keep-alive sockets of the traffic generators must not keep a finished run (and CI) waiting.
  forceExit: true,
};
