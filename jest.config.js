/** @type {import('jest').Config} */
const swc = [
  '@swc/jest',
  { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' }, module: { type: 'commonjs' } },
];

module.exports = {
  testEnvironment: 'node',
  transform: { '^.+\\.ts$': swc },
  moduleNameMapper: { '^@mserve/(.*)$': '<rootDir>/packages/$1/src/index.ts' },
  testMatch: [
    '<rootDir>/infra/**/*.test.ts',
    '<rootDir>/{apps,packages}/*/src/**/*.test.ts',
    '<rootDir>/{apps,packages}/*/test/**/*.test.ts',
  ],
  testPathIgnorePatterns: ['/node_modules/', '/dist/'],
  // Integration suites start real processes and real Redis servers; units finish in milliseconds.
  testTimeout: 60000,
  maxWorkers: 2,
};
