import os from 'node:os';
import path from 'node:path';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    setupFiles: ['test/helpers/yield-between-tests.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Two cores: keep parallelism modest so servers started by tests get CPU too.
    pool: 'forks',
    poolOptions: { forks: { maxForks: 2, minForks: 1 } },
    reporters: ['default'],
    // Builds in tests cache ingests and charts here, never in the user's ~/.cache.
    env: { CE_REPORT_CACHE_DIR: path.join(os.tmpdir(), `ce-report-test-cache-${process.pid}`) },
  },
});
