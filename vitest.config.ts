// Test runner configuration: unit tests sit beside the code (*.test.ts), CLI integration
// tests in test/. Tests run in forked processes (the engine is CPU-bound and single-threaded).
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src-main/**/*.test.ts', 'src-shared/**/*.test.ts', 'src-renderer/**/*.test.ts', 'test/**/*.test.ts', 'e2e/**/*.test.ts'],
    pool: 'forks',
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
