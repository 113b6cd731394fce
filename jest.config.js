/** @type {import('jest').Config} */
const swc = [
  '@swc/jest',
  { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' }, module: { type: 'commonjs' } },
];

module.exports = {
  testEnvironment: 'node',
  transform: { '^.+\\.ts$': swc },
  moduleNameMapper: {
    // A documented subpath export `@mserve/<pkg>/<sub>` (package.json "exports") lives in packages/<pkg>/src/<sub>/.
    '^@mserve/([^/]+)/([^/]+)$': '<rootDir>/packages/$1/src/$2/index.ts',
    '^@mserve/([^/]+)$': '<rootDir>/packages/$1/src/index.ts',
  },
  testMatch: [
    '<rootDir>/infra/**/*.test.ts',
    '<rootDir>/{apps,packages}/*/src/**/*.test.ts',
    '<rootDir>/{apps,packages}/*/test/**/*.test.ts',
  ],
  // test/ha/: Redis topologies of their own, minutes long; `pnpm test:ha` runs them (jest.ha.config.js).
  testPathIgnorePatterns: ['/node_modules/', '/dist/', '/test/ha/'],
  // Integration suites start real processes and real Redis servers; units finish in milliseconds.
  testTimeout: 60000,
  maxWorkers: 2,
};
