/**
 * Two projects:
 * - unit: `*.spec.ts` beside the code, no I/O beyond the process;
 * - integration: `*.int-spec.ts` (beside the code) and `test/**\/*.e2e-spec.ts`,
 *   against a real nats-server and a real database (PGlite, or PostgreSQL
 *   when TEST_DATABASE_URL is set).
 */
const common = {
  preset: 'ts-jest',
  testEnvironment: 'node',
  rootDir: __dirname,
  moduleNameMapper: {
    '^@iam/contracts$': '<rootDir>/libs/contracts/src',
    '^@iam/authz-cache$': '<rootDir>/libs/authz-cache/src',
    '^@iam/local-nats$': '<rootDir>/libs/local-nats/src',
    '^@iam/service-kit$': '<rootDir>/libs/service-kit/src',
  },
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.json' }] },
  // Tests run against the libs' sources (the mapper above), never their built dist/.
  modulePathIgnorePatterns: ['<rootDir>/dist/', '<rootDir>/libs/[^/]+/dist/'],
  // Nest logs are errors only in tests; TEST_LOGS=1 shows them all (test/support/quiet-logs.ts).
  setupFiles: ['<rootDir>/test/support/quiet-logs.ts'],
};

module.exports = {
  // Three on two cores: the fault suites spend much of their time waiting out pauses and outages, and a
  // third worker uses those seconds. Four were no faster (6 min 6 s against 6 min 0 s, more CPU spent).
  maxWorkers: 3,
  // Longest suite first, from durations recorded in the repository (tools/jest/suite-durations.json),
  // so a fresh clone does not end its run on one long suite started last.
  testSequencer: '<rootDir>/tools/jest/sequencer.js',
  // A global option (a project's testTimeout is not honoured): integration tests start real servers.
  testTimeout: 60000,
  projects: [
    { ...common, displayName: 'unit', testMatch: ['<rootDir>/{apps,libs,bench}/**/*.spec.ts'] },
    {
      ...common,
      displayName: 'integration',
      testMatch: ['<rootDir>/{apps,libs}/**/*.int-spec.ts', '<rootDir>/test/**/*.e2e-spec.ts'],
      // Builds dist/ once, for tests that run an app as a child process (SIGKILL, restarts).
      globalSetup: '<rootDir>/test/support/global-setup.ts',
      globalTeardown: '<rootDir>/test/support/global-teardown.ts',
    },
  ],
};
