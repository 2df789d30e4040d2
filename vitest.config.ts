import { defineConfig } from 'vitest/config';

/**
 * Three projects: `unit` (fast, no infrastructure; fake-indexeddb / happy-dom where needed),
 * `integration` (real PostgreSQL / S3 server started by the test) and `e2e` (real Chromium with the
 * built extension). `npm test` runs all three after a typecheck and a build.
 */
export default defineConfig({
  test: {
    // Every project: no test runs on a Node other than .nvmrc's (see scripts/lib/node-version.ts).
    globalSetup: ['scripts/lib/node-version.ts'],
    projects: [
      {
        test: {
          name: 'unit',
          include: [
            'schema/**/*.test.ts',
            'extension/**/*.test.{ts,tsx}',
            'sync-server/src/**/*.test.ts',
            'sync-server/console/src/**/*.test.{ts,tsx}',
            'scripts/build/**/*.test.ts',
          ],
          environment: 'node',
        },
      },
      {
        test: {
          name: 'integration',
          include: [
            'sync-server/test/**/*.test.ts',
            'scripts/lib/**/*.test.ts',
            'scripts/faults/**/*.test.ts',
            // Extension and server together, outside a browser (the policy round trip of issue 14).
            'scripts/integration/**/*.test.ts',
          ],
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
      {
        test: {
          name: 'e2e',
          include: ['scripts/e2e/**/*.test.ts'],
          testTimeout: 180_000,
          hookTimeout: 120_000,
          // One browser at a time: the machine has 2 cores and a browser tree is ~450 MB.
          fileParallelism: false,
        },
      },
    ],
  },
});
