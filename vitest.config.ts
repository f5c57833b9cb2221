import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // Redis-backed tests use their own key prefixes, so files may run in parallel.
    pool: 'forks',
  },
});
