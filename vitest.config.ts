import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Simulations of large scenarios take seconds; the default 5 s would make a slow machine flaky.
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
  },
});
